"""Inputs (record): piecewise-constant series that a scenario may replace, series by series."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.support import COARSE, extend
from thermidor.model.run import prepare
from thermidor.model.world import R


def inputs_of(**changes):
    _, cal, w, _, _ = prepare(extend(**changes), 0, COARSE)
    return cal, w.inputs


def test_a_replaced_national_series_holds_each_value_until_the_next_date():
    cal, inp = inputs_of(inputs={"civil_war": {"1917-03-01": 0.0, "1918-06-06": 0.9}})
    k = cal.step_of(dt.date(1918, 6, 6))
    assert (inp.civil_war[:k] == 0.0).all()
    assert (inp.civil_war[k:] == 0.9).all()  # the baseline's later points are gone


def test_a_replaced_region_leaves_the_other_regions_as_recorded():
    cal, base = inputs_of()
    _, inp = inputs_of(inputs={"cut_off": {"turkestan": {"1917-03-01": 0.0}}})
    assert (inp.cut_off[:, R["turkestan"]] == 0.0).all()
    assert base.cut_off[cal.step_of(dt.date(1918, 6, 1)), R["turkestan"]] > 0.5
    others = [i for name, i in R.items() if name != "turkestan"]
    assert np.array_equal(inp.cut_off[:, others], base.cut_off[:, others])


def test_a_national_value_of_a_regional_series_applies_where_no_region_is_given():
    _, inp = inputs_of(
        inputs={"weather": {"-": {"1917-03-01": 0.5}, "ukraine": {"1917-03-01": 1.2}}}
    )
    assert (inp.weather[:, R["ukraine"]] == 1.2).all()
    assert (inp.weather[:, R["centre"]] == 0.5).all()


def test_a_date_before_the_start_sets_the_value_from_the_start():
    _, inp = inputs_of(inputs={"grievance": {"1916-01-01": 0.7}})
    assert (inp.grievance == 0.7).all()


def test_the_recorded_congresses_fall_in_their_weeks():
    cal, inp = inputs_of()
    tenth = cal.step_of(dt.date(1921, 3, 8))
    assert inp.congress[tenth] == "10th Congress"
