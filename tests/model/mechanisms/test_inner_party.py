"""M11 democracy inside the party (§5, §7): contested elections and the Left's platform."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.support import COARSE, extend, run_coarse
from thermidor.engine import Context, Recorder, Streams
from thermidor.model.mechanisms.inner_party import (
    _elect_central_committee,
    contested,
    platform,
    secretaries,
)
from thermidor.model.run import prepare
from thermidor.model.tree import LENINGRAD, PROVINCE, F

WEEK_1924 = 7 * 52  # a week of 1924: after the NEP, before the Leningrad split


def _world(k: float, control: float = 0.7):
    _, cal, w, p, _ = prepare(extend(), 0, COARSE)
    w.decisions["insurrection"] = 0
    w.working_class.K = k
    w.bureaucracy.control = control
    return cal, w, p


def _appointed_after(w, p, cal, weeks: int = 52) -> float:
    for step in range(WEEK_1924, WEEK_1924 + weeks):
        secretaries(w, p, Context(step, cal, Streams(0), Recorder(cal.n_steps)))
    below = w.organs["level"] >= PROVINCE
    return float(w.organs["appointed"][below].mean())


def test_the_class_and_the_left_contest_elections_leningrads_machine_does_not():
    """§5-§7: the chance a nominee is opposed grows with the class's capacity K and with the
    share of a province's members in the Left; Leningrad's own opposition follows its head."""
    _, w, p = _world(0.2)
    low = contested(w, p)
    w.working_class.K = 0.8
    high = contested(w, p)
    assert (high > low).all()
    w.members["faction"][:] = F["left_opposition"]
    left = contested(w, p)
    assert (left >= high).all() and left.mean() > high.mean() + 0.1  # (provinces with members)
    w.members["faction"][:] = F["leningrad_opposition"]
    assert np.allclose(contested(w, p), high)


def test_a_strong_class_holds_back_appointment():
    """§5: it was the class's weakness that let the apparatus appoint: the same control over a
    year appoints fewer secretaries when the class's capacity is high."""
    cal, w, p = _world(0.0)
    weak = _appointed_after(w, p, cal)
    cal, w, p = _world(1.0)
    strong = _appointed_after(w, p, cal)
    assert strong < weak


def test_the_platform_restores_elections_only_where_they_are_contested():
    """§7: with the platform adopted, appointees stand again; where the class contests (K > 0)
    the appointed share falls, where no one contests (K = 0, no opposition) it does not."""
    results = {}
    for k in (0.0, 0.8):
        cal, w, p = _world(k, control=0.0)  # control 0: no new appointments, only elections
        w.organs["appointed"][w.organs["level"] >= PROVINCE] = True
        w.decisions["left_platform"] = WEEK_1924
        results[k] = _appointed_after(w, p, cal)
        assert platform(w, p) == 1.0
    assert results[0.0] == 1.0
    assert results[0.8] < 0.9


def _leningrad_share(w) -> float:
    org = w.organs
    sub = (org["level"] > PROVINCE) & (org["province"] == LENINGRAD)
    return float(org["appointed"][sub].mean())


def test_leningrads_head_fills_his_sub_tree_until_the_centre_absorbs_it():
    """§5, §9: Zinoviev controlled a section of the bureaucracy independently of the rest: his
    own appointees fill Leningrad's sub-tree faster than the centre's weak control appoints
    elsewhere, and they follow him; once the centre appoints the head himself, Leningrad is
    appointed at the centre's pace like any province."""
    cal, w, p = _world(0.2, control=0.3)
    org = w.organs
    w.factions.leningrad_head = F["leningrad_opposition"]
    _appointed_after(w, p, cal)
    other = (org["level"] > PROVINCE) & (org["province"] == LENINGRAD + 1)
    own = _leningrad_share(w)
    assert own > float(org["appointed"][other].mean()) + 0.2
    sub = (org["level"] > PROVINCE) & (org["province"] == LENINGRAD)
    assert (org["patron"][sub & org["appointed"]] > 0).all()  # appointed inside his sub-tree
    cal, w, p = _world(0.2, control=0.3)
    w.organs["appointed"][1 + LENINGRAD] = True  # absorbed: the centre appointed the head
    w.organs["patron"][1 + LENINGRAD] = 0
    _appointed_after(w, p, cal)
    assert _leningrad_share(w) < own - 0.2


def _central_committee(share: float, d: float, seed: int = 0) -> int:
    """The opposition's seats when the 10th Congress (694 voting delegates) elects a Central
    Committee of 25, with ``share`` of the members in the Workers' Opposition and democracy ``d``."""
    _, cal, w, p, _ = prepare(extend(), 0, COARSE)
    mem = w.members
    faction = np.zeros(mem.n, dtype=np.int8)
    order = np.argsort(np.random.default_rng(seed).random(mem.n))
    cum = np.cumsum(mem["weight"][order]) / mem["weight"].sum()
    faction[order[cum <= share]] = F["workers_opposition"]
    mem["faction"] = faction
    w.inner_party.party_democracy = d
    ctx = Context(209, cal, Streams(seed), Recorder(cal.n_steps))
    _elect_central_committee(w, p, ctx, "10th Congress")
    return w.inner_party.cc_opposition


def test_the_central_committee_seats_come_from_the_delegates_votes():
    """§5: while democracy lives the delegates elect the opposition's candidates (two of the
    Workers' Opposition in 1921); with no opposition there are none; with democracy low the
    majority strikes them; a larger opposition is offered more."""
    assert _central_committee(0.055, 0.6) == 2
    assert _central_committee(0.0, 0.6) == 0
    assert _central_committee(0.055, 0.3) == 0
    assert _central_committee(0.15, 0.6) > _central_committee(0.055, 0.6)


def test_the_workers_opposition_comes_out_and_is_elected_to_the_10th_congress_cc(coarse_baseline):
    """In the run: the Workers' Opposition comes out before the 10th Congress and has members
    elected; without it (a formation share out of reach) the opposition has no seat."""
    base = coarse_baseline(0)
    formed = base.first("workers_opposition_formed")
    cc = [e for e in base.events if e.kind == "central_committee_elected"]
    tenth = next(e for e in cc if e.data["body"] == "10th Congress")
    assert formed is not None and formed.step < tenth.step
    assert tenth.data["opposition_seats"] >= 1
    n = tenth.data["for"] + tenth.data["against"]
    assert sum(2 * v > n for v in tenth.data["candidate_votes"]) == tenth.data["opposition_seats"]
    none = run_coarse(until=dt.date(1921, 4, 1), params={"factions.formation_share": 1.0})
    assert none.first("workers_opposition_formed") is None
    tenth = next(
        e
        for e in none.events
        if e.kind == "central_committee_elected" and e.data["body"] == "10th Congress"
    )
    assert tenth.data["opposition_seats"] == 0
