"""The vectorised core and its Mesa reference are the same model (benchmarks/equivalence.py).

Both run the equivalence scenario over 30 seeds; for every key output the paired difference of
means must be shown to lie within the margin stated in ``benchmarks.equivalence.MARGINS`` by two
one-sided tests at the 5% level.
"""

from __future__ import annotations

import mesa
import pytest
from benchmarks.core_spec import BENCH, TEST
from benchmarks.equivalence import ALWAYS_ZERO, MARGINS, Tost, compare, table

SEEDS = range(30)


@pytest.fixture(scope="module")
def results() -> dict[str, Tost]:
    return {r.output: r for r in compare(TEST, SEEDS)}


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


def test_a_banned_faction_stays_empty_in_both(results: dict[str, Tost]) -> None:
    # compare() raises if any run puts a member in a faction no rule lets him join
    assert ALWAYS_ZERO
    assert results
