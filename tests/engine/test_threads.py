"""Threaded kernels: the same bytes on one thread and on several, and as their numpy references.

A threaded kernel (``kernels.threaded``) adds its float sums in fixed blocks of ``kernels.CHUNK``
agents, so its result must not depend on the number of threads. These tests lower
``PARALLEL_MIN`` so that populations of a few blocks take the threaded path, and compare it, run
on one thread and on two, with the one-thread compilation and with numpy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numba
import numpy as np
import pytest

from thermidor.engine import counter, draws, kernels
from thermidor.model.mechanisms import grain, nep, peasants

N = 3 * kernels.CHUNK + 123  # four blocks, the last one short
THREADS = min(2, numba.config.NUMBA_NUM_THREADS)


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch, backend: None) -> Iterator[None]:
    """The threaded path for populations of N agents (restores the thread count after)."""
    before = numba.get_num_threads()
    monkeypatch.setattr(kernels, "PARALLEL_MIN", 0)
    kernels.use("numba")
    yield
    numba.set_num_threads(before)


def on_threads(fn: Callable[[], Any]) -> dict[int, bytes]:
    """``fn()``'s bytes (its results, flattened) on one thread and on THREADS."""
    out = {}
    for t in (1, THREADS):
        numba.set_num_threads(t)
        res = fn()
        parts = res if isinstance(res, tuple) else (res,)
        out[t] = b"".join(np.asarray(x).tobytes() for x in parts)
    return out


def columns(seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    region = np.repeat(np.arange(5), N // 5 + 1)[:N].astype(np.int8)
    region[::97] = 3  # runs broken here and there
    return {
        "region": region,
        "f": [(rng.random(N) * 3).astype(np.float32) for _ in range(6)],
        "weight": rng.integers(0, 4, N).astype(np.int64),
        "normal": rng.random(N) * 2,
        "rng": rng,
    }


@pytest.mark.parametrize("mode", ["squads", "tax", "market"])
def test_the_grain_week_is_the_blocked_bincount_on_any_number_of_threads(threaded, mode):
    c = columns(1)
    harvest, sown, stock, taken, wealth, _ = c["f"]
    pph, reach = np.linspace(4, 6, 5), np.linspace(0.2, 1.0, 5)
    k = np.array([0.2, 0.1, 1.5, 0.3, 1 / 52, 0.2, 0.1, 0.4, 0.6])

    def week(fn: Callable[..., Any]) -> Any:
        s, t = stock.copy(), taken.copy()
        out = fn(c["region"], harvest, sown, s, t, wealth, c["weight"], c["normal"], pph, reach,
                 np.float32(2.5), k, mode == "squads", mode == "tax")  # fmt: skip
        return (*out, s, t)

    want = b"".join(np.asarray(x).tobytes() for x in week(grain._week_numpy))
    got = on_threads(lambda: week(grain._week))
    assert got[1] == got[THREADS] == want


def test_strata_support_and_scaling_agree_on_any_number_of_threads(threaded):
    c = columns(2)
    harvest, taken, surplus, support, disposition, wealth = c["f"]
    w = c["weight"]
    strata = on_threads(
        lambda: peasants._strata_weights(wealth, w, np.float32(0.7), np.float32(2.5))
    )
    want = np.bincount(peasants.strata(wealth, 1.0), weights=w, minlength=3)
    assert strata[1] == strata[THREADS] == want.tobytes()

    k = np.array([0.1, 0.2, 0.3, 0.4, 0.0, 0.0, 0.05, 0.6])

    def support_(kernel: Callable[..., Any]) -> Any:
        s = support - np.float32(1.0)
        return s, kernel(s, disposition, harvest, taken, surplus, c["normal"], k, False, w)

    sup = on_threads(lambda: support_(peasants._support))
    one = support_(peasants._support.serial)  # type: ignore[attr-defined]
    assert sup[1] == sup[THREADS] == b"".join(np.asarray(x).tobytes() for x in one)
    against, total = one[1]
    assert total == w.sum() and against == w[one[0] < 0].sum()

    factor = np.linspace(0.9, 1.1, 5)

    def scale() -> Any:
        x = wealth.copy()
        peasants._scale_by_region(x, c["region"], factor)
        return x

    scaled = on_threads(scale)
    assert (
        scaled[1] == scaled[THREADS] == (wealth * factor[c["region"]]).astype(np.float32).tobytes()
    )


def test_differentiation_draws_each_households_luck_on_any_number_of_threads(threaded):
    c = columns(3)
    wealth = c["f"][0]
    logw = np.log(np.maximum(wealth.astype(np.float64), 1e-3))

    def grow() -> Any:
        x = wealth.copy()
        worst = nep._grow(x, logw, 0.3, 4 / 52, np.uint64(9), counter.KI, counter.WI, counter.FI)
        return x, np.float64(worst)

    got = on_threads(grow)
    z = counter.normal(np.uint64(9), N)
    growth = 0.03 + 0.3 * np.minimum(logw, nep.MAX_ADVANTAGE) + 0.05 * z
    want = np.maximum(wealth.astype(np.float64) * (1.0 + 4 / 52 * growth), 0.02)
    assert got[1] == got[THREADS] == want.astype(np.float32).tobytes() + np.float64(0).tobytes()


@pytest.mark.parametrize("case", ["scalar", "array", "mask", "by group"])
def test_thinning_gives_each_agent_its_draw_on_any_number_of_threads(threaded, case):
    """A block's first draw counts the agents at risk before it: agent ``i`` takes the draw it
    takes on one thread, and as the numpy reference gives it."""
    c = columns(4)
    p: Any = 0.2 if case == "scalar" else c["rng"].random(N) * 0.3
    if case != "scalar":
        p[::5] = 0.0
    mask = c["weight"] % 2 == 1 if case == "mask" else None
    by = c["region"] if case == "by group" else None
    if by is not None:
        p = np.array([0.1, 0.0, 0.3, 0.05, 0.2])

    def thin() -> Any:
        w = c["weight"] * 7
        return draws.thin(np.random.default_rng(5), w, p, mask, by), w

    got = on_threads(thin)
    kernels.use("numpy")
    want = thin()
    assert got[1] == got[THREADS] == b"".join(x.tobytes() for x in want)


@pytest.mark.parametrize(
    "case",
    ["scalar", "array", "mask", "by group", "scalar and mask", "zero and mask", "by group alone"],
)
def test_bernoulli_gives_each_agent_its_uniform_on_any_number_of_threads(threaded, case):
    """Each way of giving the probabilities (one for all, per agent, by group; with a mask or
    without) has a loop of its own in the kernel: each gives numpy's draws, on one thread or
    several."""
    c = columns(6)
    p: Any = c["rng"].random(N) * 0.5
    if case in ("scalar", "scalar and mask", "zero and mask"):
        p = 0.0 if case == "zero and mask" else 0.3
    else:
        p[::3] = 0.0
    mask = c["rng"].random(N) < 0.6 if "mask" in case or case == "by group" else None
    by = c["region"] if case.startswith("by group") else None
    if by is not None:
        p = np.array([0.1, 0.0, 0.3, 0.05, 0.2])

    def events() -> Any:
        return draws.bernoulli(np.random.default_rng(8), p, mask, n=N, by=by)

    got = on_threads(events)
    kernels.use("numpy")
    assert got[1] == got[THREADS] == events().tobytes()


@pytest.mark.parametrize("case", ["all", "mask", "bool values", "bool values and mask"])
def test_reductions_over_blocks_are_numpys(threaded, case):
    c = columns(5)
    mask = c["weight"] > 1 if "mask" in case else None
    values = c["rng"].random(N) < 0.4 if "bool" in case else None
    region, w = c["region"], c["weight"]
    sums = on_threads(lambda: kernels.sum_by(region, w, values, mask, 5))
    totals = on_threads(lambda: np.int64(kernels.masked_total(w, mask)))
    kernels.use("numpy")
    assert sums[1] == sums[THREADS] == kernels.sum_by(region, w, values, mask, 5).tobytes()
    assert totals[1] == totals[THREADS] == np.int64(kernels.masked_total(w, mask)).tobytes()


def test_a_blocked_masked_sum_that_selects_nobody_is_numpys(threaded):
    c = columns(5)
    nobody = np.zeros(N, dtype=bool)
    got = on_threads(lambda: kernels.sum_by(c["region"], c["weight"], None, nobody, 5))
    assert got[1] == got[THREADS] == np.zeros(5).tobytes()
    bad = c["region"].astype(np.int64)
    bad[N - 7] = 9  # a key past the end in the last block: numpy's rule (dropped) decides
    some = c["weight"] > 0
    got = on_threads(lambda: kernels.sum_by(bad, c["weight"], None, some, 5))
    kernels.use("numpy")
    assert got[1] == got[THREADS] == kernels.sum_by(bad, c["weight"], None, some, 5).tobytes()


def test_the_threaded_compilation_is_cached_under_a_name_of_its_own():
    """numba's disk cache keys a function by name and signature, not by its options: were the
    two compilations one name, one would load the other's code (the threaded kernel then ran on
    one thread, measured)."""
    fn = grain._week
    assert fn.threaded.py_func.__qualname__ != fn.serial.py_func.__qualname__  # type: ignore[attr-defined]


def test_the_land_seizure_sums_its_subtrees_as_numpys_pairwise_sum(threaded):
    """The seizure's excess is summed in numpy's pairwise order: its tree's 32 subtrees go to
    threads and are added back level by level."""
    c = columns(7)
    land, wealth = c["f"][0], c["f"][1] * 2
    normal = np.empty(N)
    yields = np.linspace(0.5, 1.0, 5)
    args = (np.float64(0.01), np.float32(0.2), np.float64(0.05))
    rest = (np.float32(0.7), np.float32(0.9), c["region"], yields)

    def seize() -> Any:
        x, nh = land.copy(), normal.copy()
        total = peasants._seize_subtrees(x, wealth, c["weight"], *args, nh, True, *rest)
        return x, nh, np.float64(total)

    got = on_threads(seize)
    excess = np.maximum(wealth - np.float32(peasants.KULAK_ABOVE), 0) * args[1] * args[2]
    want_total = (excess * c["weight"]).sum()  # numpy's pairwise sum
    x, nh, total = seize()
    assert got[1] == got[THREADS] and total == want_total
    assert np.array_equal(x, (land + args[0]).astype(np.float32))
    a32, b32, region, _ = rest
    assert np.array_equal(nh, (x * a32 * b32).astype(np.float64) * yields[region])


def test_the_per_agent_passes_agree_on_any_number_of_threads(threaded):
    """The sowing, the harvest, consciousness and the workers by sector (per-agent updates and
    integer sums) give the one-thread compilation's bytes on one thread and on two."""
    from thermidor.model.mechanisms import consciousness, industry

    c = columns(8)
    f, region, w, normal = c["f"], c["region"], c["weight"], c["normal"]
    by_r = np.linspace(0.5, 1.0, 5)
    k = np.array([0.4, 0.2, 0.1])
    flags = c["rng"].random(N) < 0.5

    def passes(pick: Callable[[Any], Any]) -> Any:
        cols = [x.copy() for x in f]
        market, buf = np.empty(N), np.empty(N)
        pick(peasants._sow_pass)(cols[0], cols[1], normal, cols[2], cols[3], cols[4], region,
                                 by_r, by_r, by_r, np.float64(0.9), k, market)  # fmt: skip
        pick(peasants._toward)(cols[5], region, by_r, market**0.7, 0.3)
        area = cols[5].copy()
        pick(peasants._harvest_pass)(cols[4], cols[0], cols[1], cols[2], cols[3], w, region,
                                     by_r, by_r * 5, k, buf)  # fmt: skip
        total = buf.sum()
        pick(peasants._weighted_by_region)(area, region, by_r, w, buf)
        cs = (f[0] / 3).astype(np.float32)
        pick(consciousness._workers_update)(cs, region, flags, by_r, 0.3, np.float64(0.2), False,
                                            0.1, 0.3, True, 1 / 13)  # fmt: skip
        ss = (f[1] / 3).astype(np.float32)
        pick(consciousness._soldiers_update)(ss, np.float64(0.2), 0.05, True, 1 / 13)
        counts, ok = pick(industry._by_sector)(region, w, flags, ~flags, 5)
        return (*cols, market, np.float64(total), buf, cs, ss, counts, np.bool_(ok))

    got = on_threads(lambda: passes(lambda kernel: kernel))
    one = passes(lambda kernel: kernel.serial)
    assert got[1] == got[THREADS] == b"".join(np.asarray(x).tobytes() for x in one)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_weighted_mean_is_numpys_on_any_number_of_threads(threaded, dtype):
    """``Population.mean`` multiplies on threads into one array and lets numpy sum it: the
    products are numpy's (integer weight times a float column, in float64) and so is the sum."""
    from thermidor.engine import Population

    c = columns(8)
    pop = Population("people", {"x": dtype})
    pop.append(weight=c["weight"], x=c["f"][0])
    got = on_threads(lambda: (kernels.weighted_values(pop["weight"], pop["x"]),
                              np.float64(pop.mean("x"))))  # fmt: skip
    kernels.use("numpy")
    want = pop["weight"] * pop["x"]
    assert want.dtype == np.float64
    assert got[1] == got[THREADS] == want.tobytes() + np.float64(pop.mean("x")).tobytes()
