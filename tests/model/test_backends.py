"""The model's runs on the numba kernels and on their numpy reference: the same bytes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thermidor
from thermidor.engine import kernels


def on_both_backends(fn: Callable[[], Any]) -> tuple[Any, Any]:
    """``fn()`` on the numpy reference, then on numba (the backend restored after): for the
    Hypothesis tests, which cannot take the function-scoped ``backend`` fixture."""
    before = kernels.backend
    try:
        kernels.use("numpy")
        want = fn()
        kernels.use("numba")
        return want, fn()
    finally:
        kernels.use(before)


@pytest.mark.parametrize("scenario", ["baseline", "left_platform_1923"])
def test_whole_runs_are_byte_identical_on_both_backends(backend: None, scenario: str) -> None:
    """Every mechanism with a fused kernel (factions, grain) and the reductions, to 1929."""
    scale = {"households": 2000, "workers": 500, "soldiers": 2000, "members": 50,
             "officials": 500}  # fmt: skip
    out = {}
    for name in ("numpy", "numba"):
        kernels.use(name)
        r = thermidor.run(scenario, seed=3, scale=scale, until=dt.date(1929, 6, 30))
        columns = {k: v.tobytes() for k, v in r.columns.items()}
        out[name] = (columns, [(e.step, e.kind, e.data_json()) for e in r.events])
    assert out["numba"][0] == out["numpy"][0]
    assert out["numba"][1] == out["numpy"][1]


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(1, 400),
    ties=st.booleans(),
    zeros=st.booleans(),
    signed=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_weighted_median_by_selection_is_the_sorted_one(n, ties, zeros, signed, seed) -> None:  # type: ignore[no-untyped-def]
    """Radix selection on the float32 bits (numba) gives the argsort median (numpy)."""
    from thermidor.model.mechanisms.peasants import _median

    rng = np.random.default_rng(seed)
    x = rng.lognormal(0, 1, n).astype(np.float32)
    if signed:
        x = (x - np.float32(1.5)).astype(np.float32)
    if ties:
        x = np.round(x * 2).astype(np.float32) / 2
    w = rng.integers(0 if zeros else 1, 50, n).astype(np.int64)
    ref, got = on_both_backends(lambda: _median(x, w))
    assert got == ref


def test_strata_weights_compare_as_numpy_does_at_the_boundaries(backend: None) -> None:
    """The fused count compares float32 wealth with the float32 threshold, as numpy compares a
    float32 column with a Python float (NEP 50): values a float32 rounding either side of 0.7 x
    and 2.5 x the median fall in the same stratum on both backends."""
    from thermidor.model.mechanisms.peasants import KULAK_ABOVE, POOR_BELOW, strata_weights

    med = 0.2 + 0.1  # both thresholds round down to float32: float32(t) < t, so a float64
    # comparison would put the value float32(t) in the stratum below (checked: it does)
    edges = [np.float32(POOR_BELOW * med), np.float32(KULAK_ABOVE * med)]
    assert all(
        float(e) < t for e, t in zip(edges, (POOR_BELOW * med, KULAK_ABOVE * med), strict=True)
    )
    wealth = np.array(
        [np.nextafter(e, d, dtype=np.float32) for e in edges for d in (-np.inf, np.inf)]
        + edges
        + [POOR_BELOW * med, KULAK_ABOVE * med],
        dtype=np.float32,
    )
    weight = np.arange(1, wealth.size + 1, dtype=np.int64) ** 3  # each value its own weight
    kernels.use("numpy")
    want = strata_weights(wealth, weight, med)
    kernels.use("numba")
    got = strata_weights(wealth, weight, med)
    assert got.tobytes() == want.tobytes()


@pytest.mark.parametrize("poor, kulak", [(0.7, 2.5), (2.5, 0.7), (1.0, 1.0)])
def test_strata_weights_count_each_stratum_as_bincount_does(poor, kulak):
    """The fused count adds three sums (wealth at or above the poor line, above the kulak line,
    both) and the total; the strata it derives are bincount's of ``(x >= poor) + (x > kulak)``
    for thresholds in either order, equal ones, NaN (in no stratum above the poor) and the
    infinities."""
    from thermidor.model.mechanisms.peasants import _strata_weights

    rng = np.random.default_rng(3)
    wealth = rng.lognormal(0.0, 1.0, 300_000).astype(np.float32)
    wealth[::97] = np.nan
    wealth[::101] = np.inf
    wealth[::103] = -np.inf
    wealth[::107] = np.float32(poor)
    wealth[::109] = np.float32(kulak)
    weight = rng.integers(0, 5, wealth.size)
    p32, k32 = np.float32(poor), np.float32(kulak)
    want = np.bincount(
        (wealth >= p32).astype(np.int64) + (wealth > k32), weights=weight, minlength=3
    )
    got = _strata_weights(wealth, weight, p32, k32)
    assert got.tobytes() == want.tobytes()


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(1, 300),
    grouped=st.booleans(),
    mode=st.sampled_from(["squads", "tax", "market"]),
    seed=st.integers(0, 2**32 - 1),
)
def test_the_grain_week_kernel_is_its_numpy_reference(n, grouped, mode, seed) -> None:  # type: ignore[no-untyped-def]
    """The fused week (regional totals kept in registers while the region repeats) gives
    ``np.bincount``'s totals and the same columns, households grouped by region or not."""
    from thermidor.model.mechanisms.grain import _week, _week_numpy

    rng = np.random.default_rng(seed)
    region = rng.integers(0, 5, n).astype(np.int8)
    if grouped:
        region.sort()
    # harvest, sown, stock, taken, wealth
    col = [rng.random(n).astype(np.float32) * 3 for _ in range(5)]
    weight = rng.integers(0, 4, n).astype(np.int64)
    normal = rng.random(n) * 2
    pph, reach = rng.random(5) * 6, rng.random(5)
    k = np.array([0.2, 0.1, 1.5, 0.3, 1 / 52, 0.2, 0.1, 0.4, 0.6])
    squads, tax = mode == "squads", mode == "tax"
    out = {}
    for name, fn in (("numpy", _week_numpy), ("numba", _week)):
        stock, taken = col[2].copy(), col[3].copy()
        totals = fn(region, col[0], col[1], stock, taken, col[4], weight, normal, pph, reach,
                    np.float32(2.5), k, squads, tax)  # fmt: skip
        out[name] = [np.asarray(t).tobytes() for t in (*totals, stock, taken)]
    assert out["numba"] == out["numpy"]


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), seed=st.integers(0, 2**16), outside=st.booleans())
def test_the_workers_by_sector_in_one_pass_are_the_three_sums(n, seed, outside) -> None:  # type: ignore[no-untyped-def]
    """``industry.by_sector``'s one pass gives the floats of its three ``sum_by`` on numpy
    (a sector outside the table: numpy's rules, which drop it)."""
    from thermidor.engine import Population
    from thermidor.model.mechanisms import industry

    rng = np.random.default_rng(seed)
    wk = Population("workers", {"sector": np.int8, "hereditary": np.bool_, "employed": np.bool_})
    sector = rng.integers(0, industry.N_S, n)
    if outside and n:
        sector[rng.integers(0, n)] = industry.N_S + 1
    wk.append(weight=rng.integers(0, 50, n), sector=sector, hereditary=rng.random(n) < 0.3,
              employed=rng.random(n) < 0.6)  # fmt: skip
    want, got = on_both_backends(lambda: industry.by_sector(wk))
    assert [a.tobytes() for a in got] == [a.tobytes() for a in want]


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(0, 300), seed=st.integers(0, 2**16), outside=st.booleans(),
    grouped=st.booleans(),
)  # fmt: skip
def test_the_workers_by_city_in_one_pass_are_the_four_sums(n, seed, outside, grouped) -> None:  # type: ignore[no-untyped-def]
    """``consciousness.city_census``'s one pass gives the floats of its four ``sum_by`` on
    numpy: consciousness's float sums in bincount's order, whether the workers lie grouped by
    city (runs that the kernel keeps in a register) or not; a city outside the table goes to
    numpy's rules."""
    from thermidor.engine import Population
    from thermidor.model.mechanisms import consciousness
    from thermidor.model.world import CITIES

    rng = np.random.default_rng(seed)
    wk = Population("workers", {"city": np.int8, "consciousness": np.float32,
                                "hereditary": np.bool_, "employed": np.bool_})  # fmt: skip
    city = rng.integers(0, len(CITIES), n)
    if grouped:
        city.sort()
    if outside and n:
        city[rng.integers(0, n)] = len(CITIES) + 1
    wk.append(weight=rng.integers(0, 5000, n), city=city, consciousness=rng.random(n),
              hereditary=rng.random(n) < 0.3, employed=rng.random(n) < 0.6)  # fmt: skip
    want, got = on_both_backends(lambda: consciousness.city_census(wk))
    assert [a.tobytes() for a in got] == [a.tobytes() for a in want]
