"""The second model (examples/union_oligarchy): built on the engine alone, it keeps the engine's
promises (same seed, same numbers; persons conserved) and shows the direction Michels claims."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # examples/ is not an installed package
    sys.path.insert(0, str(ROOT))
union = importlib.import_module("examples.union_oligarchy.model")

SLOW, FAST = 0.05, 0.20  # growth per year
YEARS = 25


@pytest.fixture(scope="module")
def runs():
    """Two growth rates, three seeds each: {(growth, seed): UnionRun}."""
    return {
        (g, s): union.run(union.Params(growth=g), seed=s, years=YEARS)
        for g in (SLOW, FAST)
        for s in (0, 1, 2)
    }


def last_years(run, years: int = 2) -> pd.Series:
    return run.frame.iloc[-12 * years :].mean()


def test_the_example_imports_the_engine_and_nothing_of_the_russian_model():
    source = Path(union.__file__).read_text()
    assert "thermidor.engine" in source
    assert "thermidor.model" not in source


def test_same_seed_same_numbers_and_another_seed_other_numbers():
    a = union.run(union.Params(growth=FAST), seed=7, years=5)
    b = union.run(union.Params(growth=FAST), seed=7, years=5)
    c = union.run(union.Params(growth=FAST), seed=8, years=5)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert [(e.step, e.kind, e.data) for e in a.events] == [
        (e.step, e.kind, e.data) for e in b.events
    ]
    assert not a.frame["members"].equals(c.frame["members"])


def test_every_person_is_accounted_for_by_the_ledger(runs):
    for run in runs.values():
        assert run.ledger["expected"] == run.ledger["actual"]
        assert run.ledger["actual"]["officials"] > 0


def test_the_staff_grows_with_the_membership(runs):
    for run in runs.values():
        ratio = last_years(run)["officials"] / last_years(run)["members"]
        assert ratio == pytest.approx(union.Params().staff_ratio, rel=0.3)
    assert last_years(runs[(FAST, 0)])["officials"] > 10 * last_years(runs[(SLOW, 0)])["officials"]


def test_a_faster_growing_union_appoints_more_officials_and_is_less_democratic(runs):
    for seed in (0, 1, 2):
        small, large = last_years(runs[(SLOW, seed)]), last_years(runs[(FAST, seed)])
        assert large["members"] > 10 * small["members"]
        assert large["appointed_share"] > small["appointed_share"] + 0.3
        assert large["turnout"] < small["turnout"]
        assert large["democracy"] < 0.5 * small["democracy"]


def test_appointment_comes_to_dominate_only_in_the_large_union(runs):
    for seed in (0, 1, 2):
        assert any(e.kind == "appointment_dominates" for e in runs[(FAST, seed)].events)
        assert not any(e.kind == "appointment_dominates" for e in runs[(SLOW, seed)].events)


def test_democracy_falls_as_the_union_grows(runs):
    frame = runs[(FAST, 0)].frame
    early, late = frame.iloc[12:36].mean(), frame.iloc[-24:].mean()
    assert late["members"] > early["members"]
    assert late["democracy"] < early["democracy"]
    assert np.isfinite(frame["democracy"]).all()
