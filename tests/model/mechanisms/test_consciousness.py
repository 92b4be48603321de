"""M1 consciousness and M2 the class's collective capacity (§1, §2, §3)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.support import COARSE, extend, first_date, run_coarse, window_mean
from thermidor.engine import Context, Recorder, Streams
from thermidor.model.mechanisms.consciousness import class_capacity, update_consciousness
from thermidor.model.run import prepare

GRIEVANCE_1917 = {"1917-03-01": 1.0, "1917-07-16": 1.1, "1917-09-08": 1.6, "1917-11-07": 0.6}


def scaled_grievance(factor: float) -> dict:
    return {"grievance": {d: min(2.0, v * factor) for d, v in GRIEVANCE_1917.items()}}


def later(a: dt.date | None, b: dt.date | None) -> bool:
    """``a`` comes after ``b`` (never counts as after everything)."""
    return b is not None and (a is None or a > b)


def test_higher_grievance_raises_consciousness_and_brings_october_sooner():
    """§1: the towns' grievances of 1917 (war, prices, lockouts, Kornilov) drive the workers to
    the Bolsheviks; the soviets follow the mass and the insurrection follows the soviets."""
    until = dt.date(1918, 3, 1)
    high = run_coarse(until=until, inputs=scaled_grievance(1.4))
    low = run_coarse(until=until, inputs=scaled_grievance(0.7))

    def mean_c(r):
        return window_mean(r, "mean_consciousness", "1917-06-01", "1917-11-01")

    assert mean_c(high) > mean_c(low) + 0.05
    petrograd = {"city": "petrograd"}
    assert later(
        first_date(low, "bolshevik_majority_in_soviets", **petrograd),
        first_date(high, "bolshevik_majority_in_soviets", **petrograd),
    )
    assert later(first_date(low, "insurrection"), first_date(high, "insurrection"))


def world(**changes):
    _, cal, w, p, _ = prepare(extend(**changes), 0, COARSE)
    return cal, w, p


def context(cal, step: int) -> Context:
    return Context(step, cal, Streams(0), Recorder(cal.n_steps))


def capacity(w, p, cal) -> float:
    class_capacity(w, p, context(cal, 0))
    return float(w.working_class.K)


def test_class_capacity_falls_when_the_class_shrinks():
    """§2: a class reduced to 43% of its numbers can no longer govern collectively. Thinning the
    workers uniformly leaves their make-up as it was, so K falls by the size term alone."""
    cal, w, p = world()
    w.food.supply = 1.0
    before = capacity(w, p, cal)
    w.workers.thin(np.random.default_rng(0), 0.57)
    w.workers.compact()
    after = capacity(w, p, cal)

    assert after < before
    assert after / before == pytest.approx(0.43 ** p["capacity.w_size"], rel=0.03)


def test_class_capacity_falls_with_consciousness_and_employment():
    cal, w, p = world()
    w.food.supply = 1.0
    before = capacity(w, p, cal)
    w.workers["consciousness"] = w.workers["consciousness"] * 0.5
    halved = capacity(w, p, cal)
    w.workers["employed"] = np.arange(len(w.workers)) % 2 == 0
    idle = capacity(w, p, cal)
    assert before > halved > idle


def test_hunger_and_unemployment_wear_consciousness_down():
    """§2, §7: atomisation (hunger, unemployment, barter) undoes the consciousness of 1917."""
    quiet = {"grievance": {"1917-03-01": 0.0}}
    means = {}
    for case, food, employed in (("fed", 1.0, True), ("hungry", 0.3, True), ("idle", 1.0, False)):
        cal, w, p = world(inputs=quiet)
        w.food.supply = food
        w.workers["employed"] = employed
        for step in range(26):
            update_consciousness(w, p, context(cal, step))
        means[case] = w.workers.mean("consciousness")
    assert means["hungry"] < means["fed"] - 0.02
    assert means["idle"] < means["fed"] - 0.02
