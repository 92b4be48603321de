"""M4 the civil war (§2): the most conscious go first - to the front, to their deaths, to office."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.support import extend, run_coarse, window_mean
from thermidor.engine import Context, Recorder, Streams
from thermidor.model.mechanisms.civil_war import army
from thermidor.model.run import prepare
from thermidor.model.world import PEASANT, REGIONS, G


def at_war(**changes):
    """March 1917's populations under a year of full civil war (no old army to dissolve)."""
    _, cal, w, p, _ = prepare(extend(**changes), 0, None)
    w.war.civil_war, w.war.world_war, w.war.white_threat = 1.0, 0.0, 1.0
    w.war.cut_off = np.zeros(len(REGIONS))
    for step in range(30, 82):
        army(w, p, Context(step, cal, Streams(0), Recorder(cal.n_steps)))
    return w


def test_conscription_of_the_most_conscious_lowers_the_consciousness_of_those_who_remain():
    """§2: volunteers and the mobilised came first from the most militant workers."""
    before = prepare(extend(), 0, None)[2].workers.mean("consciousness")
    biased = at_war(params={"war.militant_bias": 5.0}).workers
    blind = at_war(params={"war.militant_bias": 0.0}).workers

    assert biased.total() < 0.95 * 3_000_000  # the war took a real share of the class
    assert biased.mean("consciousness") < before - 0.01
    assert abs(blind.mean("consciousness") - before) < 0.005


def test_militant_casualties_lower_class_consciousness():
    """§2, through the whole model: with casualties, conscription and promotions biased toward
    the conscious, the workers left in the factories are less conscious than with no bias."""
    until = dt.date(1920, 6, 1)
    biased = run_coarse(until=until, params={"war.militant_bias": 5.0})
    blind = run_coarse(until=until, params={"war.militant_bias": 0.0})
    window = ("1919-07-01", "1920-06-01")
    assert window_mean(biased, "mean_consciousness", *window) < window_mean(
        blind, "mean_consciousness", *window
    )


def kronstadt_peasant_share(w) -> float:
    sd = w.soldiers
    return sd.share(sd["origin"] == PEASANT, within=sd["garrison"] == G["kronstadt"])


def test_the_fleets_militants_leave_for_the_front_and_peasants_take_their_places():
    """§4: the Kronstadt of 1921 was not the Kronstadt of 1917."""
    start = kronstadt_peasant_share(prepare(extend(), 0, None)[2])
    rotated = kronstadt_peasant_share(at_war())
    kept = kronstadt_peasant_share(at_war(params={"war.kronstadt_rotation": 0.0}))
    assert start < 0.5
    assert rotated > start + 0.2
    assert abs(kept - start) < 0.02
