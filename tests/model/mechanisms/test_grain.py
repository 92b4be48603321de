"""Grain (§4): requisitions feed the towns and turn the villages against the regime."""

from __future__ import annotations

import datetime as dt

from tests.support import first_date, run_coarse, window_mean


def test_heavier_requisitions_raise_peasant_unrest(coarse_baseline):
    """§4: once the land was theirs, only opposition to the forcible collection of grain could
    unite the peasants."""
    base = coarse_baseline(0)
    heavy = run_coarse(until=dt.date(1920, 12, 31), params={"grain.requisition_rate": 0.6})
    window = ("1920-01-01", "1921-01-01")
    assert (
        window_mean(heavy, "peasant_unrest", *window)
        > window_mean(base, "peasant_unrest", *window) + 0.05
    )


def test_requisitioning_is_a_rule_of_the_towns_hunger(coarse_baseline):
    """The food dictatorship comes when the towns go hungry after October, not on a date."""
    base = coarse_baseline(0)
    assert first_date(base, "requisitioning") >= first_date(base, "insurrection")
    never_hungry_enough = run_coarse(
        until=dt.date(1919, 1, 1), params={"requisition.food_trigger": 0.0}
    )
    assert never_hungry_enough.first("requisitioning") is None
