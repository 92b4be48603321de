"""Threaded kernels: same seed, same bytes on one numba thread and on several.

A threaded kernel (``kernels.threaded``) works in fixed blocks of ``kernels.CHUNK`` agents and
adds its float sums block by block in order, and a draw's block starts at the number of agents at
risk before it, so its result must not depend on the number of threads. These tests lower
``PARALLEL_MIN`` so that populations of a few blocks take the threaded path, and compare it, run
on one thread (the one-thread compilation) and on two; the reductions also against numpy's.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numba
import numpy as np
import pytest

from thermidor.engine import NumpyOps, Population, using
from thermidor.engine.accel import draws, kernels

N = 3 * kernels.CHUNK + 123  # four blocks, the last one short
THREADS = 2  # numba's pool may be smaller than the machine; set_num_threads caps at its size
NUMPY = NumpyOps()

pytestmark = pytest.mark.skipif(
    numba.config.NUMBA_NUM_THREADS < 2, reason="numba has one thread here (NUMBA_NUM_THREADS)"
)


@pytest.fixture
def threaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The threaded path for populations of N agents (restores the thread count after)."""
    before = numba.get_num_threads()
    monkeypatch.setattr(kernels, "PARALLEL_MIN", 0)
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
        "f": [(rng.random(N) * 3).astype(np.float32) for _ in range(2)],
        "weight": rng.integers(0, 4, N).astype(np.int64),
        "rng": rng,
    }


@pytest.mark.parametrize("case", ["scalar", "array", "mask", "by group"])
def test_thinning_gives_each_agent_its_draw_on_any_number_of_threads(threaded, case):
    """A block's first draw counts the agents at risk before it: agent ``i`` takes the draw it
    takes on one thread."""
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
    assert got[1] == got[THREADS]
    lost, w = thin()
    assert lost.sum() > 0 and np.array_equal(w, c["weight"] * 7 - lost)


@pytest.mark.parametrize(
    "case",
    ["scalar", "array", "mask", "by group", "scalar and mask", "zero and mask", "by group alone"],
)
def test_bernoulli_gives_each_agent_its_uniform_on_any_number_of_threads(threaded, case):
    """Each way of giving the probabilities (one for all, per agent, by group; with a mask or
    without) has a loop of its own in the kernel: each gives the one-thread draws on two."""
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
    assert got[1] == got[THREADS]
    assert (events().any()) == (case != "zero and mask")


def test_normals_are_the_same_on_any_number_of_threads(threaded):
    got = on_threads(lambda: draws.normal(np.random.default_rng(3), N))
    assert got[1] == got[THREADS]


@pytest.mark.parametrize("case", ["all", "mask", "bool values", "bool values and mask"])
def test_reductions_over_blocks_are_numpys(threaded, case):
    c = columns(5)
    mask = c["weight"] > 1 if "mask" in case else None
    values = c["rng"].random(N) < 0.4 if "bool" in case else None
    region, w = c["region"], c["weight"]
    sums = on_threads(lambda: kernels.sum_by(region, w, values, mask, 5))
    totals = on_threads(lambda: np.int64(kernels.total(w, mask)))
    assert sums[1] == sums[THREADS] == NUMPY.sum_by(region, w, values, mask, 5).tobytes()
    assert totals[1] == totals[THREADS] == np.int64(NUMPY.total(w, mask)).tobytes()


def test_a_blocked_masked_sum_that_selects_nobody_is_numpys(threaded):
    c = columns(5)
    nobody = np.zeros(N, dtype=bool)
    got = on_threads(lambda: kernels.sum_by(c["region"], c["weight"], None, nobody, 5))
    assert got[1] == got[THREADS] == np.zeros(5).tobytes()
    bad = c["region"].astype(np.int64)
    bad[N - 7] = 9  # a key past the end in the last block: numpy's rule (dropped) decides
    some = c["weight"] > 0
    got = on_threads(lambda: kernels.sum_by(bad, c["weight"], None, some, 5))
    assert got[1] == got[THREADS] == NUMPY.sum_by(bad, c["weight"], None, some, 5).tobytes()


def test_the_threaded_compilation_is_cached_under_a_name_of_its_own():
    """numba's disk cache keys a function by name and signature, not by its options: were the
    two compilations one name, one would load the other's code (the threaded kernel then ran on
    one thread, measured)."""
    for fn in (draws._units_kernel, draws._bernoulli):
        assert fn.threaded.py_func.__qualname__ != fn.serial.py_func.__qualname__  # type: ignore[attr-defined]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_weighted_mean_is_the_same_on_any_number_of_threads(threaded, dtype):
    """``Population.mean`` multiplies on threads into one array and lets numpy sum it: the
    products are numpy's (integer weight times a float column, in float64) on any number of
    threads, and so is the mean."""
    c = columns(8)
    pop = Population("people", {"x": dtype})
    pop.append(weight=c["weight"], x=c["f"][0])
    with using("numba"):
        got = on_threads(lambda: (kernels.weighted_values(pop["weight"], pop["x"]),
                                  np.float64(pop.mean("x"))))  # fmt: skip
    want = pop["weight"] * pop["x"]
    assert want.dtype == np.float64
    assert got[1] == got[THREADS] == want.tobytes() + np.float64(pop.mean("x")).tobytes()


@pytest.mark.parametrize("draw", ["thin", "bernoulli"])
def test_a_blocks_first_draw_counts_the_agents_at_risk_before_it(threaded, draw):
    """Agents at risk over several blocks, then the same agents with others that nothing can
    happen to between them (the blocks now cut elsewhere): each agent at risk takes the same
    draw, on one thread and on two."""
    rng = np.random.default_rng(9)
    w = rng.integers(1, 50, N)
    p = rng.random(N) * 0.4 + 0.01
    slots = np.sort(rng.choice(2 * N, N, replace=False))
    big_w, big_p = np.full(2 * N, 9), np.zeros(2 * N)
    big_w[slots], big_p[slots] = w, p

    def one(weight: np.ndarray, prob: np.ndarray) -> np.ndarray:
        if draw == "thin":
            return draws.thin(np.random.default_rng(4), weight.copy(), prob, None)
        return draws.bernoulli(np.random.default_rng(4), prob)

    for t in (1, THREADS):
        numba.set_num_threads(t)
        few, many = one(w, p), one(big_w, big_p)
        assert np.array_equal(many[slots], few), t
        assert not np.delete(many, slots).any(), t
