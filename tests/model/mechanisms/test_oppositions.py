"""M12-M14 when the oppositions of 1923-26 come out (§5, §7, §9): draws the state's rules weight."""

from __future__ import annotations

import datetime as dt

from tests.support import COARSE, extend
from thermidor.engine import Context, Recorder, Streams
from thermidor.model.mechanisms.oppositions import (
    discussion,
    discussion_now,
    left_ready,
    leningrad_break,
    united,
)
from thermidor.model.run import prepare
from thermidor.model.tree import F

TRIALS = 200


def _world():
    _, cal, w, p, _ = prepare(extend(end=dt.date(1928, 1, 1)), 0, COARSE)
    w.decisions["insurrection"] = 0
    return cal, w, p


def _ctx(cal, step: int, seed: int = 0) -> Context:
    return Context(step, cal, Streams(seed), Recorder(cal.n_steps))


def _congress(w, name: str) -> int:
    return next(k for k, v in w.inputs.congress.items() if v == name)


def test_the_left_comes_out_only_past_the_trigger_and_likelier_the_deeper_the_crisis():
    """§5, §7: no platform below the scissors' trigger; past it, the deeper the crisis the likelier
    the month's draw brings the platform out."""
    cal, w, p = _world()
    trigger = p["factions.scissors_trigger"]
    counts = []
    for excess in (-0.05, 0.05, 0.3):
        w.nep.scissors = trigger + excess
        counts.append(sum(left_ready(w, p, _ctx(cal, 300, s)) for s in range(TRIALS)))
    assert counts[0] == 0
    assert 0 < counts[1] < counts[2]


def _breaks(w, p, cal, step: int) -> int:
    n = 0
    for s in range(TRIALS):
        w.factions.leningrad_head = F["centre"]
        w.factions.formed.pop("leningrad_opposition", None)
        leningrad_break(w, p, _ctx(cal, step, s))
        n += w.factions.leningrad_head == F["leningrad_opposition"]
    return n


def test_leningrads_head_breaks_after_the_left_and_the_nearer_the_congress():
    """§9: the head turns only once the Left is beaten and the centre's control elsewhere is past
    the split; then the nearer the congress's preparation, the likelier each week."""
    cal, w, p = _world()
    congress = _congress(w, "14th Congress")
    w.bureaucracy.control_elsewhere = p["patronage.split_control"] + 0.05
    near, far = congress - 3, congress - 30
    assert _breaks(w, p, cal, near) == 0  # the Left not yet beaten
    w.factions.defeated.add("left_opposition")
    close, distant = _breaks(w, p, cal, near), _breaks(w, p, cal, far)
    assert close > distant
    assert close > 0
    w.bureaucracy.control_elsewhere = p["patronage.split_control"] - 0.01
    assert _breaks(w, p, cal, near) == 0  # the centre's control short of the split


def _united_within(w, p, cal, control: float, start: int, weeks: int) -> int:
    n = 0
    for s in range(TRIALS // 4):
        w.factions.confronted.pop("united", None)
        w.factions.estrangement = 0.0
        w.bureaucracy.control = control
        for step in range(start, start + weeks):
            united(w, p, _ctx(cal, step, s))
            if "united" in w.factions.confronted:
                n += 1
                break
    return n


def test_the_defeated_leaders_join_the_left_the_likelier_the_stronger_the_apparatus():
    """§9: only after Leningrad's defeat; their estrangement grows with the apparatus's control,
    so within the same half-year they join the Left more often under a strong apparatus, never
    under none; those still with them join the Left's faction."""
    cal, w, p = _world()
    start = _congress(w, "14th Congress") + 1
    assert _united_within(w, p, cal, 0.9, start, 26) == 0  # Leningrad not yet defeated
    w.factions.confronted["leningrad_opposition"] = start - 1
    strong = _united_within(w, p, cal, 0.9, start, 26)
    weak = _united_within(w, p, cal, 0.3, start, 26)
    assert strong > weak
    assert _united_within(w, p, cal, 0.0, start, 26) == 0
    w.factions.confronted.pop("united", None)
    w.members["faction"][:5] = F["leningrad_opposition"]
    w.bureaucracy.control = 1.0
    w.factions.estrangement = 50.0
    united(w, p, _ctx(cal, start))
    assert "united" in w.factions.confronted
    assert (w.members["faction"][:5] == F["left_opposition"]).all()


def _opened(w, p, cal, share: float, step: int) -> int:
    w.members["faction"][:] = F["centre"]
    w.members["faction"][: int(share * w.members.n)] = F["left_opposition"]
    n = 0
    for s in range(TRIALS):
        w.factions.discussed.clear()
        discussion(w, p, _ctx(cal, step, s))
        n += "left_opposition" in w.factions.discussed
    return n


def test_the_politburo_opens_the_discussion_the_sooner_the_stronger_the_platform():
    """§7, §9: no discussion before the platform or after the Left's confrontation; the more of
    the party behind the platform, against what the centre tolerates, the likelier each week;
    the week it opens is a discussion the Left is measured in."""
    cal, w, p = _world()
    step = 345
    w.bureaucracy.control = 0.5
    assert _opened(w, p, cal, 0.3, step) == 0  # no platform yet
    w.factions.formed["left_opposition"] = step - 1
    weak, strong = _opened(w, p, cal, 0.05, step), _opened(w, p, cal, 0.3, step)
    assert 0 < weak < strong
    w.factions.confronted["left_opposition"] = step - 1
    assert _opened(w, p, cal, 0.3, step) == 0  # already confronted
    del w.factions.confronted["left_opposition"]
    w.factions.discussed["left_opposition"] = step
    assert discussion_now(w, _ctx(cal, step)) == f"party-wide discussion of {cal.date(step).year}"
    assert discussion_now(w, _ctx(cal, step + 1)) is None
