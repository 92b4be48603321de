"""The threaded kernels on one thread and on two, at full-scale sizes, with the bits compared.

    python -m benchmarks.threads [--n 20000000] [--rounds 7]

Each kernel runs on synthetic household columns of ``--n`` agents (grouped by region, as the
model's are), alternately with numba's thread count at 1 and at 2, ``--rounds`` times each; the
table gives the median milliseconds and their ratio, and checks that both thread counts leave
the same bytes (``kernels.threaded``: blocks of ``kernels.CHUNK`` agents, summed in order).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from thermidor.engine import counter, draws
from thermidor.model.mechanisms import grain, industry, nep, peasants


def cases(n: int) -> dict[str, tuple[Callable[..., Any], Callable[[], tuple[Any, ...]]]]:
    """Each kernel with a function that makes fresh arguments (the in-place ones copied)."""
    rng = np.random.default_rng(0)
    region = np.repeat(np.arange(11), n // 11 + 1)[:n].astype(np.int8)

    def f32(scale: float = 2.0) -> np.ndarray:
        return (rng.random(n) * scale).astype(np.float32)

    harvest, sown, stock, taken, wealth, support, disposition = (
        f32(), f32(), f32(), f32(), f32(3), f32(), f32()
    )  # fmt: skip
    weight = np.ones(n, dtype=np.int64)
    normal = rng.random(n) * 2
    pph, reach = np.full(11, 5.0) + rng.random(11), rng.random(11)
    k = np.array([0.2, 0.1, 1.5, 0.3, 1 / 52, 0.2, 0.1, 0.4, 0.6])
    ks = np.array([0.1, 0.2, 0.3, 0.4, 0.0, 0.0, 0.05, 0.6])
    logw = np.log(np.maximum(wealth.astype(np.float64), 1e-3))
    mixed = rng.integers(1, 4, n)  # households' weights after years of partitions
    sector = rng.integers(0, 10, n).astype(np.int8)
    kw = (np.uint64(7), counter.KI, counter.WI, counter.FI)
    return {
        "grain week": (grain._week, lambda: (
            region, harvest, sown, stock.copy(), taken.copy(), wealth, weight, normal, pph,
            reach, np.float32(2.5), k, True, False)),
        "support": (peasants._support, lambda: (
            support.copy(), disposition, harvest, taken, stock, normal, ks, False, weight)),
        "strata": (peasants._strata_weights, lambda: (
            wealth, weight, np.float32(0.7), np.float32(2.5))),
        "scale by region": (peasants._scale_by_region, lambda: (
            wealth.copy(), region, np.linspace(0.9, 1.1, 11))),
        "differentiation": (nep._grow, lambda: (wealth.copy(), logw, 0.3, 4 / 52, *kw)),
        "thin": (lambda w, p: draws.thin(np.random.default_rng(3), w, p, None),
                 lambda: (weight.copy(), 0.003)),
        "bernoulli (masked)": (lambda m, p: draws.bernoulli(np.random.default_rng(4), p, m),
                               lambda: (wealth > 1.0, 0.01)),
        "bernoulli (by group, masked)": (
            lambda m, p, g: draws.bernoulli(np.random.default_rng(5), p, m, by=g),
            lambda: (wealth > 1.0, np.linspace(0.001, 0.01, 11), region)),
        "gain (weights 1-3)": (lambda w, p: draws.gain(np.random.default_rng(6), w, p),
                               lambda: (mixed.copy(), np.float64(0.002))),
        "workers by sector": (industry._by_sector, lambda: (
            sector, weight, wealth > 1.0, wealth > 0.5, 10)),
    }  # fmt: skip


def run(fn: Callable[..., Any], args: tuple[Any, ...]) -> tuple[float, bytes]:
    """Seconds for one call, and the bytes of what it returned and of the arguments after it."""
    t = time.perf_counter()
    out = fn(*args)
    dt = time.perf_counter() - t
    parts = [out] if not isinstance(out, tuple) else list(out)
    blob = b"".join(np.asarray(x).tobytes() for x in [*parts, *args] if isinstance(x, np.ndarray)
                    or np.isscalar(x))  # fmt: skip
    return dt, blob


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=20_000_000)
    ap.add_argument("--rounds", type=int, default=7)
    a = ap.parse_args()
    print(f"numba {numba.__version__}, threading layer after the first call; {a.n:,} agents")
    ok = True
    for name, (fn, make) in cases(a.n).items():
        times: dict[int, list[float]] = {1: [], 2: []}
        blobs = {}
        for threads in (1, 2):  # compile and warm both, and keep what each leaves
            numba.set_num_threads(threads)
            blobs[threads] = run(fn, make())[1]
        for _ in range(a.rounds):
            for threads in (1, 2):
                numba.set_num_threads(threads)
                times[threads].append(run(fn, make())[0])
        m1, m2 = (statistics.median(times[t]) * 1e3 for t in (1, 2))
        bits = blobs[1] == blobs[2]
        ok &= bits
        print(f"{name:28s} 1 thread {m1:8.1f} ms   2 threads {m2:8.1f} ms   ratio {m1 / m2:4.2f}"
              f"   same bytes: {bits}")  # fmt: skip
    print(f"threading layer: {numba.threading_layer()}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
