"""The Right's split and defeat (§8, §9, mechanisms/right.py) and the capitulations (§9,
mechanisms/capitulation.py): each rule's direction, and that their dates follow the state (the
turn), not an input date.

The runs are the baseline at the coarse scale (tests/support.py) to the end of 1929, with the
turn forced at two dates half a year apart and not at all; they are shared across the session.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import thermidor
from tests.support import COARSE, extend, first_date
from thermidor import Result
from thermidor.model.mechanisms.capitulation import recant_rate
from thermidor.model.mechanisms.right import harm_of, strength_ratio

END = dt.date(1929, 12, 31)


def _run(force: dict[str, Any]) -> Result:
    return thermidor.run(extend(force=force, end=END), seed=0, scale=COARSE)


@pytest.fixture(scope="module")
def runs(shared: Callable[..., Any]) -> Callable[[str], Result]:
    forced = {
        "early": {"forced_collectivisation": "1928-01-05"},
        "late": {"forced_collectivisation": "1928-07-05"},
        "never": {"forced_collectivisation": "never"},
    }
    return lambda key: shared(f"right-{key}", lambda: _run(forced[key]))


def test_the_harm_grows_as_the_peasants_lose_their_wealth() -> None:
    values = np.array([harm_of(w, 2.0) for w in np.linspace(2.5, 0.0, 101)])
    assert (np.diff(values) >= 0).all() and values[0] == 0.0 and values[-1] == 1.0
    assert harm_of(1.0, 0.0) == 0.0, "no height yet: no harm"


def test_recanting_falls_with_conviction_and_rises_with_adoption_and_pressure() -> None:
    conv = np.linspace(0.0, 1.0, 11, dtype=np.float32)
    base = recant_rate(100.0, 0.5, 1.0, conv)
    assert (np.diff(base) < 0).all() and base[-1] == 0.0, "the most convinced never recant"
    assert (recant_rate(100.0, 0.8, 1.0, conv)[:-1] > base[:-1]).all()
    assert (recant_rate(100.0, 0.5, 0.5, conv)[:-1] < base[:-1]).all()
    assert not recant_rate(100.0, 0.0, 1.0, conv).any(), "nothing adopted: nobody recants"


def test_the_strength_ratio_compares_the_right_with_the_left() -> None:
    assert strength_ratio(0.05, 0.2) == pytest.approx(0.25)
    assert strength_ratio(0.3, 0.2) > 1.0
    assert math.isnan(strength_ratio(0.1, 0.0)) and math.isnan(strength_ratio(0.1, float("nan")))


def test_no_turn_no_right_split_and_no_capitulations(runs: Callable[[str], Result]) -> None:
    """§8, §9: the Right splits because the turn hurts its base; the expelled recant when the
    Left's programme is carried out. Without the turn neither happens."""
    never = runs("never")
    assert never.first("forced_collectivisation") is None
    assert never.first("right_opposition_formed") is None
    assert never.first("capitulations") is None
    assert np.nanmax(np.asarray(never.columns["right_grievance"], dtype=float)) < 0.05


def test_the_split_and_the_declaration_follow_the_turn_not_a_date(
    runs: Callable[[str], Result],
) -> None:
    """The same history with the turn half a year later: the split, the Right's defeat and the
    capitulators' declaration all come later, each after the turn."""
    dates = {}
    for key in ("early", "late"):
        r = runs(key)
        turn = first_date(r, "forced_collectivisation")
        split = first_date(r, "right_opposition_formed")
        assert turn is not None and split is not None, key
        assert turn < split, key
        defeat = first_date(r, "right_confrontation")
        if defeat is not None:
            assert split < defeat, key
        dates[key] = (turn, split, first_date(r, "capitulations"))
    assert dates["late"][1] > dates["early"][1], "a later turn, a later split"
    early, late = dates["early"][2], dates["late"][2]
    assert early is not None and (late is None or late > early), "a later turn, later recanting"


def test_the_rights_defeat_records_its_strength_against_the_lefts(
    runs: Callable[[str], Result],
) -> None:
    """§9 (O7): the ratio is computed from the votes recorded at the Right's defeat and at the
    13th Conference, and it is the indicator's value from the defeat on."""
    r = runs("early")
    event = r.first("right_confrontation")
    assert event is not None
    conference = next(
        e for e in r.events if e.kind == "vote" and e.data.get("body") == "13th Conference"
    )
    left = conference.data["against"] / (conference.data["for"] + conference.data["against"])
    right = event.data["against"] / (event.data["for"] + event.data["against"])
    column = np.asarray(r.columns["right_vs_left_strength_at_defeat"], dtype=float)
    assert np.isnan(column[0])
    assert column[-1] == pytest.approx(right / left)
