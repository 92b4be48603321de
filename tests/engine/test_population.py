"""Populations: structs of arrays whose integer weights are persons, moved and lost exactly."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thermidor.engine import Ledger, Population, chunks, transfer, using


def people(name: str = "people", capacity: int = 16) -> Population:
    return Population(name, {"tag": np.int32, "c": np.float32}, capacity=capacity)


def test_append_keeps_order_and_exact_weights_past_its_capacity():
    pop = people()
    pop.append(weight=[5, 7], tag=[1, 2], c=0.5)
    pop.append(weight=np.arange(1, 41), tag=np.arange(3, 43))

    assert len(pop) == 42
    assert pop["tag"].tolist() == list(range(1, 43))
    assert pop["weight"].tolist() == [5, 7, *range(1, 41)]
    assert pop.total() == 12 + 820
    assert pop["weight"].dtype == np.int64


def test_append_sets_missing_attributes_to_zero():
    pop = people()
    pop.append(weight=[1, 1], tag=[9, 9], c=[0.3, 0.4])
    pop.append(weight=[2], tag=[5])
    assert pop["c"][2] == 0.0
    assert pop["c"][:2].tolist() == pytest.approx([0.3, 0.4])


def test_append_needs_a_weight_and_declared_attributes():
    pop = people()
    with pytest.raises(ValueError, match="weight"):
        pop.append(tag=[1])
    with pytest.raises(KeyError, match="colour"):
        pop.append(weight=[1], colour=[1])
    assert len(pop) == 0


def test_remove_returns_the_removed_rows_and_keeps_the_order_of_the_rest():
    pop = people()
    pop.append(weight=np.arange(1, 11) * 10, tag=np.arange(10))
    rows = pop.remove(pop["tag"] % 3 == 0)

    assert rows["tag"].tolist() == [0, 3, 6, 9]
    assert rows["weight"].tolist() == [10, 40, 70, 100]
    assert pop["tag"].tolist() == [1, 2, 4, 5, 7, 8]
    assert pop["weight"].tolist() == [20, 30, 50, 60, 80, 90]
    assert pop.total() + int(rows["weight"].sum()) == 550


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 200),
    density=st.sampled_from([0.0, 0.01, 0.3, 0.9, 1.0]),
    seed=st.integers(0, 2**32 - 1),
)
def test_remove_squeezes_the_same_columns_on_both_backends(n, density, seed) -> None:  # type: ignore[no-untyped-def]
    """numba's squeeze (runs of kept agents moved down) leaves what numpy's boolean gather
    leaves: removals first, last, in runs, none or all, and columns of every width."""
    import thermidor.engine.accel  # noqa: F401  (registers "numba")

    rng = np.random.default_rng(seed)
    mask = rng.random(n) < density
    out = {}
    for name in ("numpy", "numba"):
        with using(name):
            pop = Population("p", {"a": np.int8, "b": np.float32, "c": np.bool_}, capacity=n)
            pop.append(weight=np.arange(n) + 1, a=np.arange(n) % 100, b=np.arange(n) / 7.0,
                       c=np.arange(n) % 3 == 0)  # fmt: skip
            rows = pop.remove(mask)
            out[name] = {k: (pop[k].tobytes(), rows[k].tobytes()) for k in pop.dtypes}
    assert out["numba"] == out["numpy"]
    assert len(out["numba"]["weight"][0]) == 8 * int((~mask).sum())
    assert out["numpy"]["a"][0] == (np.arange(n) % 100).astype(np.int8)[~mask].tobytes()


def test_removed_rows_are_copies_not_views():
    pop = people()
    pop.append(weight=[1, 2, 3], tag=[1, 2, 3])
    rows = pop.remove(np.array([True, False, False]))
    pop.append(weight=[4], tag=[4])
    assert rows["tag"].tolist() == [1]


def test_compact_drops_only_agents_of_zero_weight():
    pop = people()
    pop.append(weight=[3, 0, 2, 0], tag=[1, 2, 3, 4])
    pop.compact()
    assert pop["tag"].tolist() == [1, 3]
    assert pop.total() == 5


def test_weighted_statistics_count_persons_not_agents():
    pop = people()
    pop.append(weight=[1, 3], tag=[0, 1], c=[0.0, 1.0])

    assert pop.mean("c") == pytest.approx(0.75)
    assert pop.share(pop["tag"] == 1) == pytest.approx(0.75)
    assert pop.sum_by("tag", 3).tolist() == [1.0, 3.0, 0.0]
    assert pop.sum_by("tag", 3, values=pop["c"]).tolist() == [0.0, 3.0, 0.0]
    assert pop.total(pop["tag"] == 0) == 1
    assert np.isnan(pop.mean("c", mask=np.array([False, False])))


@settings(max_examples=80, deadline=None)
@given(
    data=st.data(),
    weights=st.lists(st.integers(0, 10**6), min_size=1, max_size=40),
    seed=st.integers(0, 2**32 - 1),
)
def test_thin_never_makes_weights_negative_and_its_losses_sum_exactly(data, weights, seed):
    pop = people()
    pop.append(weight=weights, tag=np.arange(len(weights)))
    p = data.draw(
        st.one_of(
            st.floats(-1.0, 2.0),
            st.lists(st.floats(-1.0, 2.0), min_size=len(weights), max_size=len(weights)).map(
                np.array
            ),
        )
    )
    before = pop["weight"].copy()

    lost = pop.thin(np.random.default_rng(seed), p)

    assert lost.dtype == np.int64
    assert (pop["weight"] >= 0).all()
    assert (lost >= 0).all()
    assert (lost == before - pop["weight"]).all()
    assert int(lost.sum()) == int(before.sum()) - pop.total()


def test_thin_with_certainty_removes_everyone_and_with_zero_nobody():
    pop = people()
    pop.append(weight=[10, 20, 30], tag=[0, 1, 2])
    lost = pop.thin(np.random.default_rng(0), np.array([0.0, 1.0, 0.0]))
    assert lost.tolist() == [0, 20, 0]
    assert pop["weight"].tolist() == [10, 0, 30]


def test_thin_touches_only_the_masked_agents():
    pop = people()
    pop.append(weight=[1000, 1000, 1000], tag=[0, 1, 2])
    lost = pop.thin(np.random.default_rng(0), 0.5, mask=np.array([False, True, False]))
    assert lost[0] == 0 and lost[2] == 0
    assert 0 < lost[1] < 1000


def test_thin_draws_do_not_depend_on_untouched_agents():
    """Only agents with p > 0 draw, so adding agents that nothing happens to changes nothing."""
    few = people()
    few.append(weight=[100, 200], tag=[0, 1])
    many = people()
    many.append(weight=[100, 999, 200, 5], tag=[0, 9, 1, 9])

    lost_few = few.thin(np.random.default_rng(42), np.array([0.3, 0.5]))
    lost_many = many.thin(np.random.default_rng(42), np.array([0.3, 0.0, 0.5, 0.0]))

    assert lost_many[[0, 2]].tolist() == lost_few.tolist()
    assert lost_many[[1, 3]].tolist() == [0, 0]


def _pair() -> tuple[Ledger, Population, Population]:
    ledger = Ledger()
    workers = Population("workers", {"c": np.float32, "city": np.int8})
    soldiers = Population("soldiers", {"c": np.float32, "garrison": np.int8})
    workers.append(weight=[100, 250, 75, 30], c=[0.1, 0.9, 0.5, 0.8], city=[0, 1, 2, 1])
    soldiers.append(weight=[40], c=[0.2], garrison=[0])
    ledger.open("workers", workers.total())
    ledger.open("soldiers", soldiers.total())
    return ledger, workers, soldiers


def test_transfer_moves_weight_exactly_and_records_the_flow():
    ledger, workers, soldiers = _pair()
    everyone = workers.total() + soldiers.total()

    rows = transfer(ledger, "conscription", workers, soldiers, workers["c"] > 0.6, garrison=3)

    moved = int(rows["weight"].sum())
    assert moved == 280
    assert workers.total() + soldiers.total() == everyone
    assert ledger.flows[("conscription", "workers", "soldiers")] == moved
    assert ledger.expected("workers") == workers.total() == 175
    assert ledger.expected("soldiers") == soldiers.total() == 320


def test_transfer_carries_shared_attributes_and_sets_the_given_ones():
    ledger, workers, soldiers = _pair()
    transfer(ledger, "conscription", workers, soldiers, workers["c"] > 0.6, garrison=3)
    assert soldiers["c"].tolist() == pytest.approx([0.2, 0.9, 0.8])
    assert soldiers["garrison"].tolist() == [0, 3, 3]
    assert soldiers["weight"].tolist() == [40, 250, 30]


def test_transfer_of_nobody_records_no_flow():
    ledger, workers, soldiers = _pair()
    transfer(ledger, "conscription", workers, soldiers, np.zeros(len(workers), dtype=bool))
    assert ledger.flows == {}
    assert workers.total() == 455 and soldiers.total() == 40


@settings(max_examples=80, deadline=None)
@given(
    counts=st.lists(st.integers(0, 10**7), max_size=20),
    scale=st.integers(1, 10**5),
)
def test_chunks_sum_exactly_to_each_count(counts, scale):
    weights, group = chunks(np.array(counts, dtype=np.int64), scale)

    per_group = np.zeros(len(counts), dtype=np.int64)
    np.add.at(per_group, group, weights)
    assert per_group.tolist() == counts
    assert ((weights > 0) & (weights <= scale)).all()
    agents = np.bincount(group, minlength=len(counts)) if len(counts) else np.array([])
    assert agents.tolist() == [-(-c // scale) for c in counts]
    assert (np.diff(group) >= 0).all()


def test_chunks_of_a_single_count():
    weights, group = chunks(10, 3)
    assert weights.tolist() == [3, 3, 3, 1]
    assert group.tolist() == [0, 0, 0, 0]


@pytest.mark.parametrize("value", [1e39, -1e39])
def test_a_value_that_overflows_a_float_column_is_an_error_naming_it(value):
    pop = people()
    pop.append(weight=[1, 1], tag=[0, 1], c=[0.5, 0.5])
    with pytest.raises(OverflowError, match=r"people\.c: .*float32"):
        pop["c"] = np.array([0.5, value])
    with pytest.raises(OverflowError, match=r"people\.c"):
        pop.append(weight=[1], tag=[2], c=[value])
    assert len(pop) == 2  # the failed append added no agent


@pytest.mark.parametrize("value", [np.inf, np.nan])
def test_a_value_an_integer_column_cannot_hold_is_an_error_naming_it(value):
    pop = people()
    pop.append(weight=[1, 1], tag=[0, 1])
    with pytest.raises(OverflowError, match=r"people\.tag"):
        pop["tag"] = np.array([value, 1.0])
