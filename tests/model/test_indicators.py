"""What is observed each step: persons are persons, shares are fractions, each with its unit."""

from __future__ import annotations

import numpy as np
import pytest

from thermidor.model.indicators import UNITS
from thermidor.model.initial import initial_conditions


@pytest.fixture(scope="module")
def result(coarse_baseline):
    return coarse_baseline(0)


def test_every_observed_indicator_has_a_unit(result):
    assert not set(result.columns) - set(UNITS)
    assert all(UNITS[name] for name in result.columns)


def test_fractions_lie_in_zero_one_and_persons_are_not_negative(result):
    for name, column in result.columns.items():
        x = column[~np.isnan(column)]
        if UNITS[name] == "fraction":
            assert ((x >= 0) & (x <= 1)).all(), name
        if UNITS[name] in ("persons", "households"):
            assert (x >= 0).all(), name


def test_the_working_class_against_1917_is_its_persons_over_the_1917_level(result):
    ratio = result.columns["working_class_vs_1917"]
    persons = result.columns["working_class"]
    assert ratio == pytest.approx(persons / initial_conditions()["workers_1917"])
    assert ratio[0] <= 1.0


def test_harvest_indicators_are_recorded_only_in_harvest_weeks(result):
    harvest = result.columns["grain_harvest_vs_prewar"]
    weeks = np.flatnonzero(~np.isnan(harvest))
    months = result.dates[weeks].astype("datetime64[M]").astype(int) % 12 + 1
    assert len(weeks) == len({d.astype("datetime64[Y]") for d in result.dates[weeks]})
    assert set(months) == {8}
