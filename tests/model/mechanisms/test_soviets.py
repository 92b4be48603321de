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


def _gap(r) -> float:
    """T10's measure: the longest gap in the Moscow soviet's elections in 1919-1920, months."""
    col = np.asarray(r.columns["soviet_months_since_election:moscow"], dtype=float)
    sel = (r.dates >= np.datetime64("1919-01-01")) & (r.dates < np.datetime64("1921-01-01"))
    return float(np.nanmax(col[sel]))


def test_a_lapsed_soviet_is_re_elected_as_a_front_once_the_white_threat_eases(coarse_baseline):
    """§3: the elections lapse in the civil war's emergency and the party has the soviet
    re-elected once its hold is sure with the White threat eased; with the Whites kept at full
    strength through 1920 the gap runs on, and a party that never risks a front election leaves
    it to the end of 1920."""
    until = dt.date(1921, 1, 1)
    base = run_coarse(until=until)
    threat = {
        "1917-03-01": 0.0, "1917-09-08": 0.4, "1917-09-15": 0.1, "1917-12-10": 0.2,
        "1918-05-25": 0.6, "1919-03-04": 1.0,
    }  # fmt: skip
    whites = run_coarse(until=until, inputs={"white_threat": threat})
    never = run_coarse(until=until, params={"soviets.front_hold": 1.0})
    front = base.first("soviet_front_election", city="moscow")
    assert front is not None and base.date_of(front) > dt.date(1919, 11, 15)
    assert whites.first("soviet_front_election") is None
    assert never.first("soviet_front_election") is None
    assert _gap(base) < _gap(whites) and _gap(base) < _gap(never)


def test_a_front_election_is_not_workers_democracy(coarse_baseline):
    """The soviets re-elected as a front do not make them responsive: W stays at zero."""
    base = run_coarse(until=dt.date(1921, 1, 1))
    assert base.first("soviet_front_election", city="moscow") is not None
    w = np.asarray(base.columns["workers_democracy"], dtype=float)
    in_1920 = (base.dates >= np.datetime64("1920-06-01")) & (
        base.dates < np.datetime64("1921-01-01")
    )
    assert np.nanmax(w[in_1920]) == 0.0
