"""M1 the soviets follow their electors; the insurrection; M6 elections lapse as K falls (§1, §3)."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.support import first_date, run_coarse


def test_the_insurrection_waits_for_the_soviets(coarse_baseline):
    """§1, §3: the party takes power when the soviets follow it, not before."""
    base = coarse_baseline(0)
    waiting = run_coarse(until=dt.date(1918, 6, 1), params={"insurrection.soviet_support": 0.9})
    assert first_date(base, "insurrection") is not None
    taken = first_date(waiting, "insurrection")
    assert taken is None or taken > first_date(base, "insurrection")


def test_soviet_elections_lapse_only_when_the_class_cannot_decide(coarse_baseline):
    """§3: with the class decimated (K low) due elections are not held (Moscow: none for over 18
    months in 1919); a regime that holds them whatever K keeps the soviets elected."""
    base = coarse_baseline(0)
    kept = run_coarse(until=dt.date(1920, 1, 1), params={"soviets.election_capacity": 0.0})

    assert base.first("soviet_elections_lapse", city="moscow") is not None
    assert np.nanmax(base.columns["soviet_months_since_election:moscow"]) > 18
    assert kept.first("soviet_elections_lapse") is None
    assert np.nanmax(kept.columns["soviet_months_since_election:moscow"]) < 6
