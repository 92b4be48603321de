"""Merging agents (model/merge.py): fewer rows, the same persons."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from thermidor.engine import Hook, Population
from thermidor.model.merge import MERGED, ROOM, SLACK, crowded, merge
from thermidor.model.run import run
from thermidor.model.state import ColumnCache, TrackedPopulation
from thermidor.model.world import official_population, worker_population


def _workers(rng: np.random.Generator, n: int) -> Population:
    wk = worker_population()
    wk.append(
        weight=rng.integers(0, 50, n),
        sector=rng.integers(0, 5, n),
        city=rng.integers(0, 3, n),
        employed=rng.random(n) < 0.8,
        hereditary=rng.random(n) < 0.5,
        ties=rng.random(n) < 0.3,
        consciousness=rng.random(n),
        region=rng.integers(0, 10, n),
    )
    return wk


def _totals(pop: Population) -> dict[str, Any]:
    out: dict[str, Any] = {"total": pop.total()}
    for c, d in pop.dtypes.items():
        if c != "weight" and d.kind in "biu":
            x = pop[c].astype(np.int64)
            out[c] = pop.sum_by(c, int(x.max()) + 1) if x.size else np.zeros(0)
    return out


def test_binned_merge_keeps_every_integer_total_and_the_binned_columns_mass() -> None:
    wk = _workers(np.random.default_rng(1), 20_000)
    before = _totals(wk)
    mass = float((wk["consciousness"].astype(np.float64) * wk["weight"]).sum())
    n0 = wk.n
    gone = merge(wk, {"consciousness": 0.2})
    assert gone >= n0 - 5 * 1200  # 5 bins x 1,200 exact combinations are left at most
    assert wk.n == n0 - gone
    after = _totals(wk)
    assert after.keys() == before.keys()
    for k, v in before.items():
        np.testing.assert_array_equal(after[k], v, err_msg=k)
    assert (wk["weight"] > 0).all()
    mass_after = float((wk["consciousness"].astype(np.float64) * wk["weight"]).sum())
    assert mass_after == pytest.approx(mass, rel=1e-6)
    # what is left is one agent per combination: merging again changes nothing
    assert merge(wk, {"consciousness": 0.2}) == 0


def test_floats_merge_only_when_equal_unless_binned() -> None:
    wk = worker_population()
    wk.append(weight=[3, 4, 5], consciousness=[0.5, 0.5, 0.5001], sector=[1, 1, 1])
    assert merge(wk) == 1
    np.testing.assert_array_equal(wk["weight"], [7, 5])
    np.testing.assert_array_equal(wk["consciousness"], np.float32([0.5, 0.5001]))
    assert merge(wk, {"consciousness": 0.01}) == 1
    assert wk["weight"].tolist() == [12]
    assert float(wk["consciousness"][0]) == pytest.approx((7 * 0.5 + 5 * 0.5001) / 12, abs=1e-6)


def test_no_merge_leaves_the_rows_as_they_were_and_zero_weights_go() -> None:
    off = official_population()
    off.append(weight=[5, 6, 7], city=[0, 1, 2], ex_tsarist=[True, False, True])
    snap = off.snapshot()
    assert merge(off) == 0
    for k, v in snap.items():
        np.testing.assert_array_equal(off[k], v)
    off["weight"] = np.array([5, 0, 7])
    assert merge(off) == 1
    assert off["city"].tolist() == [0, 2]  # the first agent's row, order kept


def test_merge_refuses_a_column_it_does_not_have() -> None:
    with pytest.raises(KeyError, match=r"workers: cannot bin"):
        merge(worker_population(), {"wealth": 0.1})


def test_a_merge_makes_the_caches_of_a_tracked_population_stale() -> None:
    pop = TrackedPopulation("h", {"region": np.int8})
    pop.append(weight=[1, 2, 3], region=[0, 0, 1])
    cache: ColumnCache[float] = ColumnCache("region")
    cache.get(pop, lambda: 1.0)
    assert not cache.stale(pop)
    merge(pop)
    assert cache.stale(pop)


class _Count(Hook):
    """The agents and persons of the merged populations just after each monthly merge."""

    def __init__(self) -> None:
        self.seen: list[dict[str, tuple[int, int]]] = []

    def on_step(self, step: int, n_steps: int, row: dict[str, float], state: Any) -> None:
        if step % 4 == 0:
            self.seen.append(
                {k: (state.population(k).n, state.population(k).total()) for k in MERGED}
            )


def _over(hook: _Count, scales: dict[str, int]) -> list[tuple[str, int, int]]:
    """Months at which a merged population held more rows than the slack allows."""
    return [
        (name, rows, persons)
        for seen in hook.seen
        for name, (rows, persons) in seen.items()
        if rows > SLACK * persons / scales[name] + ROOM
    ]


def test_a_run_keeps_the_rows_near_its_persons_and_the_ledger_records_no_flow_for_it() -> None:
    hook = _Count()
    r = run("baseline", 0, 10, until="1921-06-01", backend="numpy", hooks=[hook])
    assert r.ledger["expected"] == r.ledger["actual"]
    assert not any("merge" in cause for cause in r.ledger["by_cause"])
    assert _over(hook, r.manifest["scales"]) == []


def test_only_a_crowded_population_is_merged_and_then_it_cannot_be_merged_further() -> None:
    wk = worker_population()
    wk.append(weight=np.full(200, 5), sector=np.zeros(200, dtype=np.int8))  # 1,000 in 200 rows
    assert not crowded(wk, 1)  # 200 rows for 1,000 agents' worth of persons
    assert crowded(wk, 50)  # 20 agents' worth in 200 rows
    assert merge(wk, cap=50) == 180
    assert not crowded(wk, 50)
    twin = worker_population()
    twin.append(**wk.snapshot())
    assert merge(twin, cap=50) == 0


def test_a_cap_cuts_merged_groups_into_agents_of_the_scale() -> None:
    wk = worker_population()
    wk.append(weight=[60, 70, 5, 0], sector=[1, 1, 2, 2])
    assert merge(wk, cap=50) == 0  # 4 rows -> 50, 50, 30 (sector 1) and 5 (sector 2)
    assert wk["weight"].tolist() == [50, 50, 30, 5]
    assert wk["sector"].tolist() == [1, 1, 1, 2]
    assert merge(wk, cap=50) == 0
