"""The vectorised core and its Mesa reference are the same model (benchmarks/equivalence.py).

Both run the equivalence scenario over 30 seeds; for every key output the paired difference of
means must be shown to lie within the margin stated in ``benchmarks.equivalence.MARGINS`` by two
one-sided tests at the 5% level. A faction no rule lets anyone join (``ALWAYS_ZERO``) must stay
empty at every step of every seed in both.
"""

from __future__ import annotations

import mesa
import pandas as pd
import pytest
from benchmarks.core_spec import AVAILABLE, BENCH, FACTIONS, TEST
from benchmarks.equivalence import ALWAYS_ZERO, MARGINS, Tost, key_outputs, table, tost

from benchmarks import core_numpy, mesa_reference

SEEDS = range(30)


@pytest.fixture(scope="module")
def tables() -> dict[str, list[pd.DataFrame]]:
    """Each implementation's tables (one row per step), one per seed."""
    return {
        "numpy": [core_numpy.run(TEST, s) for s in SEEDS],
        "mesa": [mesa_reference.run(TEST, s) for s in SEEDS],
    }


@pytest.fixture(scope="module")
def results(tables: dict[str, list[pd.DataFrame]]) -> dict[str, Tost]:
    ours = pd.DataFrame([key_outputs(t) for t in tables["numpy"]])
    theirs = pd.DataFrame([key_outputs(t) for t in tables["mesa"]])
    return {k: tost(k, ours[k].to_numpy(), theirs[k].to_numpy()) for k in MARGINS}


def test_the_reference_is_written_for_mesa_3() -> None:
    assert int(mesa.__version__.split(".")[0]) >= 3


def test_the_timed_scenario_has_at_least_100000_agents() -> None:
    assert BENCH.agents >= 100_000


@pytest.mark.parametrize("output", list(MARGINS))
def test_numpy_core_is_equivalent_to_the_mesa_reference(
    results: dict[str, Tost], output: str
) -> None:
    r = results[output]
    assert r.equivalent, f"{output} not shown equivalent:\n{table([r])}"


def test_a_banned_faction_stays_empty_in_both(tables: dict[str, list[pd.DataFrame]]) -> None:
    banned = [f"share_{f}" for f, ok in zip(FACTIONS, AVAILABLE, strict=True) if not ok]
    assert banned == list(ALWAYS_ZERO) == ["share_workers_opposition"]
    allowed = [f"share_{f}" for f, ok in zip(FACTIONS, AVAILABLE, strict=True) if ok]
    for impl, runs in tables.items():
        assert len(runs) == len(SEEDS)
        for seed, t in zip(SEEDS, runs, strict=True):
            assert len(t) == TEST.steps
            for k in banned:
                assert (t[k] == 0.0).all(), f"{impl}, seed {seed}: {k} is not empty"
            # the shares are read, not missing: the factions allowed hold all the members
            assert (t[allowed].sum(axis=1) - 1.0).abs().max() < 1e-9, (impl, seed)
