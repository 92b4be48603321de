"""Decisions are rules of the state; a scenario may force one (a date) or prevent it ("never")."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import FOUNDATION_DECISIONS, run_coarse
from thermidor.engine import Calendar

START = dt.date(1917, 3, 1)
# After the insurrection in every seed (October-November 1917), before any 1918 rule fires.
AFTER_OCTOBER = dt.date(1918, 1, 17)
BEFORE_OCTOBER = dt.date(1917, 6, 7)


def step_of(day: dt.date) -> int:
    return Calendar(START, dt.date(1921, 12, 31), 7).step_of(day)


def assert_forced_in_its_week(name: str, day: dt.date) -> None:
    result = run_coarse(seed=0, until=day + dt.timedelta(weeks=2), force={name: day.isoformat()})
    event = result.first(name)
    assert event is not None, f"{name} forced for {day} did not happen"
    assert event.step == step_of(day)
    assert event.data["forced"] is True
    assert "[forced by the scenario]" in event.text
    assert f"force.{name} = '{day.isoformat()}'" in result.manifest["interventions"]


@pytest.mark.parametrize("name", FOUNDATION_DECISIONS)
def test_a_forced_decision_happens_in_its_week_and_says_so(name):
    assert_forced_in_its_week(name, BEFORE_OCTOBER if name == "insurrection" else AFTER_OCTOBER)


@pytest.mark.parametrize("name", FOUNDATION_DECISIONS)
def test_a_forced_decision_happens_whatever_the_state(name):
    """decisions.py: a forced date "takes it in the step containing that date whatever the
    state" - also before the insurrection, when no rule would consider it."""
    assert_forced_in_its_week(name, BEFORE_OCTOBER)


def test_a_forced_date_overrides_the_rule():
    """Forced later than the rule would take it, the decision waits for the forced week."""
    day = dt.date(1918, 9, 12)  # the rule takes it in May 1918
    result = run_coarse(seed=0, until=day + dt.timedelta(weeks=1),
                        force={"mensheviks_lose_legality": day.isoformat()})  # fmt: skip
    assert [e.step for e in result.events if e.kind == "mensheviks_lose_legality"] == [step_of(day)]


@pytest.mark.parametrize(
    ("name", "until", "consequences"),
    [
        ("insurrection", dt.date(1918, 6, 1), ("land_decree", "requisitioning", "kadets_banned")),
        ("mensheviks_lose_legality", dt.date(1919, 6, 1), ()),
        ("new_economic_policy", dt.date(1921, 9, 1), ()),
    ],
)
def test_never_prevents_a_decision_and_what_follows_from_it(name, until, consequences):
    result = run_coarse(seed=0, until=until, force={name: "never"})
    kinds = {e.kind for e in result.events}
    assert name not in kinds
    assert not kinds & set(consequences)
    assert result.manifest["interventions"] == [f"force.{name} = 'never'"]


def test_the_rules_take_every_foundation_decision_unforced(coarse_baseline):
    result = coarse_baseline(0)
    for name in FOUNDATION_DECISIONS:
        event = result.first(name)
        assert event is not None, f"{name} never taken by its rule"
        assert "forced" not in event.data
