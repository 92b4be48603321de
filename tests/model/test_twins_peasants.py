"""M3 peasants' compiled twins (model/fast/peasants.py) against their numpy references.

Each twin runs on the same synthetic households as its reference, a few thousand of them and,
once, more than ``PARALLEL_MIN`` (the threaded path). Integer totals and the median agree
exactly; float32 columns to a relative 1e-6 (a few float32 roundings: the twins compute in
float64 where numpy mixes float32 and float64); float64 totals to 1e-9. None of these twins
draws. The threaded path gives the same bytes on one thread and on two.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numba
import numpy as np
import pytest

import thermidor.model.fast  # noqa: F401  (registers the twins)
from thermidor.engine import Population, twins, using
from thermidor.engine.accel.kernels import PARALLEL_MIN
from thermidor.model.mechanisms import peasants
from thermidor.model.world import CROPS, household_population

SMALL = 5_003
BIG = PARALLEL_MIN + 4_321  # the threaded path (on more than one thread)
SIZES = [SMALL, BIG]
F32 = {"rtol": 1e-6, "atol": 1e-7}
NAMES = ("strata_weights", "weighted_median", "normal_yield", "divide", "sow", "reap",
         "relax_support", "scale_wealth")  # fmt: skip


def villages(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Columns of ``n`` households, the model's dtypes, regions in runs broken here and there."""
    rng = np.random.default_rng(seed)
    region = np.repeat(np.arange(peasants.N_R), n // peasants.N_R + 1)[:n]
    region[::97] = 3
    f32 = {c: (rng.lognormal(0.0, 0.8, n)).astype(np.float32) for c in (
        "land", "wealth", "stock", "sown", "harvest", "taken", "surplus",
        *(f"area_{c}" for c in CROPS))}  # fmt: skip
    f32["taken"] *= np.float32(0.5)
    f32["support"] = rng.uniform(-1, 1, n).astype(np.float32)
    f32["disposition"] = rng.normal(0, 0.2, n).astype(np.float32)
    return {"weight": rng.integers(0, 6, n), "region": region.astype(np.int8), **f32}


def population(cols: dict[str, np.ndarray]) -> Population:
    hh = household_population(len(cols["weight"]))
    hh.append(**{k: v.copy() for k, v in cols.items()})
    return hh


def both(fn: Callable[[], Any]) -> tuple[Any, Any]:
    """``fn()`` on the numpy reference, then with the numba twins."""
    with using("numpy"):
        want = fn()
    with using("numba"):
        return want, fn()


@pytest.fixture
def one_then_two_threads() -> Iterator[Callable[[Callable[[], Any]], tuple[bytes, bytes]]]:
    before = numba.get_num_threads()

    def run(fn: Callable[[], Any]) -> tuple[bytes, bytes]:
        out = []
        for t in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(t)
            with using("numba"):
                res = fn()
            parts = res if isinstance(res, tuple) else (res,)
            out.append(b"".join(np.asarray(x).tobytes() for x in parts))
        return out[0], out[1]

    yield run
    numba.set_num_threads(before)


def test_every_twin_of_the_peasants_is_registered_for_numba():
    names = twins()
    assert all(names[f"peasants.{n}"] == ("numba",) for n in NAMES)


@pytest.mark.parametrize("n", SIZES)
def test_strata_weights_twin_counts_each_stratum_exactly(n):
    c = villages(n, 1)
    c["wealth"][::89] = np.float32(0.7 * 1.3)  # on the poor line, as numpy compares it
    want, got = both(lambda: peasants.strata_weights(c["wealth"], c["weight"], 1.3))
    assert got.dtype == np.float64 and got.tobytes() == want.tobytes()
    assert got.sum() == c["weight"].sum()


@pytest.mark.parametrize("n", [1, 2, 7, 400, SMALL, BIG])
@pytest.mark.parametrize("ties", [False, True])
def test_weighted_median_twin_picks_the_reference_household(n, ties):
    rng = np.random.default_rng(n)
    x = (rng.lognormal(0, 1, n) - 1.5).astype(np.float32)  # negative values too
    if ties:
        x = np.round(x * 2).astype(np.float32) / np.float32(2)
    weight = rng.integers(0, 50, n)
    want, got = both(lambda: peasants.weighted_median(x, weight))
    assert got == want
    zero = np.zeros(n, dtype=np.int64)  # nobody weighs anything: the smallest value
    assert both(lambda: peasants.weighted_median(x, zero)) == (float(x.min()),) * 2


@pytest.mark.parametrize("n", SIZES)
def test_normal_yield_twin_is_numpys_product(n):
    c = villages(n, 2)
    yields = np.linspace(0.6, 1.4, peasants.N_R)
    want, got = both(lambda: peasants.normal_yield(c["land"], c["region"], yields, 0.35, 0.7))
    np.testing.assert_allclose(got, want, rtol=1e-12)


@pytest.mark.parametrize("n", SIZES)
def test_divide_twin_gives_the_land_and_levels_the_wealth_as_numpy(n):
    c = villages(n, 3)
    c["wealth"] *= np.float32(2.0)  # kulaks enough
    k = peasants.Division(land=0.05, levelled=0.02, wealth=0.01)

    def run() -> Population:
        hh = population(c)
        peasants.divide(hh, k)
        return hh

    want, got = both(run)
    np.testing.assert_allclose(got["land"], want["land"], **F32)
    np.testing.assert_allclose(got["wealth"], want["wealth"], **F32)
    pooled = (want["wealth"] - c["wealth"]).max()  # a household with no excess gains the pool
    assert pooled > k.wealth


def sowing(c: dict[str, np.ndarray]) -> Callable[[], Population]:
    rng = np.random.default_rng(4)
    normal = rng.lognormal(0, 0.5, c["weight"].size)
    k = peasants.Sowing(burden_cut=0.5, sown_share=0.4, recovery=0.1, goods=0.8, adjust=0.3)
    hands, reach = np.linspace(0.4, 1.0, peasants.N_R), np.linspace(0.2, 0.9, peasants.N_R)
    crops = {c: (np.linspace(0.01, 0.05, peasants.N_R), 0.5 + j) for j, c in enumerate(CROPS)}

    def run() -> Population:
        hh = population(c)
        peasants.sow(hh, normal, k, hands, reach, crops)
        return hh

    return run


@pytest.mark.parametrize("n", SIZES)
def test_sow_twin_sows_and_moves_the_crops_as_numpy(n):
    c = villages(n, 4)
    want, got = both(sowing(c))
    for col in ("sown", *(f"area_{c}" for c in CROPS)):
        np.testing.assert_allclose(got[col], want[col], **F32, err_msg=col)
    assert not np.array_equal(want["sown"], c["sown"])


def reaping(c: dict[str, np.ndarray]) -> Callable[[], tuple[Population, float, np.ndarray]]:
    k = peasants.Reaping(grain_yield=0.7, ration=0.25, seed=0.1)
    yields = np.linspace(0.5, 1.2, peasants.N_R)
    pph = np.linspace(4.0, 6.0, peasants.N_R)
    season_r = np.linspace(0.7, 1.0, peasants.N_R)

    def run() -> tuple[Population, float, np.ndarray]:
        hh = population(c)
        grain, crops = peasants.reap(hh, k, yields, pph, season_r)
        return hh, grain, crops

    return run


@pytest.mark.parametrize("n", SIZES)
def test_reap_twin_harvests_and_totals_as_numpy(n):
    c = villages(n, 5)
    (want, grain0, crops0), (got, grain1, crops1) = both(reaping(c))
    for col in ("harvest", "stock", "surplus", "taken"):
        np.testing.assert_allclose(got[col], want[col], **F32, err_msg=col)
    assert (got["taken"] == 0).all() and (want["stock"] > 0).any()
    np.testing.assert_allclose(grain1, grain0, rtol=1e-9)
    np.testing.assert_allclose(crops1, crops0, rtol=1e-9)


def supporting(c: dict[str, np.ndarray]) -> Callable[[], tuple[Population, float]]:
    normal = np.random.default_rng(6).lognormal(0, 0.5, c["weight"].size)
    k = peasants.Mood(base=0.1, land=0.2, burden=0.6, hunger=0.4, market=0.05, abroad=0.02,
                      rate=0.05)  # fmt: skip

    def run() -> tuple[Population, float]:
        hh = population(c)
        return hh, peasants.relax_support(hh, normal, k)

    return run


@pytest.mark.parametrize("n", SIZES)
def test_relax_support_twin_moves_support_and_counts_the_unrest_as_numpy(n):
    c = villages(n, 6)
    (want, unrest0), (got, unrest1) = both(supporting(c))
    np.testing.assert_allclose(got["support"], want["support"], **F32)
    # a household a rounding away from zero may count on one side only: at most their weight
    near = np.abs(want["support"]) < 1e-6
    bound = c["weight"][near].sum() / c["weight"].sum()
    assert 0.05 < unrest0 < 0.95 and abs(unrest1 - unrest0) <= bound


@pytest.mark.parametrize("n", SIZES)
def test_scale_wealth_twin_is_numpys_product(n):
    c = villages(n, 7)
    factor = np.linspace(0.97, 1.01, peasants.N_R)

    def run() -> np.ndarray:
        hh = population(c)
        peasants.scale_wealth(hh, factor)
        return hh["wealth"].copy()

    want, got = both(run)
    assert got.tobytes() == want.tobytes()


def test_the_threaded_twins_give_the_same_bytes_on_one_thread_and_on_two(one_then_two_threads):
    """Float sums in fixed blocks, integer sums, per-household updates: no order to lose."""
    c = villages(BIG, 8)
    c["wealth"] *= np.float32(2.0)

    def everything() -> tuple[Any, ...]:
        hh = population(c)
        peasants.divide(hh, peasants.Division(land=0.05, levelled=0.02, wealth=0.01))
        strata = peasants.strata_weights(hh["wealth"], hh["weight"], 1.1)
        median = peasants.weighted_median(hh["wealth"], hh["weight"])
        sown = sowing(c)()
        reaped, grain, crops = reaping(c)()
        supported, unrest = supporting(c)()
        return (hh["land"], hh["wealth"], strata, np.float64(median),
                *(sown[x] for x in ("sown", *(f"area_{c}" for c in CROPS))),
                reaped["harvest"], reaped["stock"], np.float64(grain), crops,
                supported["support"], np.float64(unrest))  # fmt: skip

    one, two = one_then_two_threads(everything)
    assert one == two
