"""The numba backend's threaded kernels on one thread and on two, at full-scale sizes, bits compared.

    python -m benchmarks.threads [--n 20000000] [--rounds 7]

Each case runs on synthetic columns of ``--n`` agents (grouped by region, as the households
are), under the ``numba`` backend, alternately with numba's thread count at 1 and at 2,
``--rounds`` times each; the table gives the median milliseconds and their ratio, and checks that
both thread counts leave the same bytes (the accelerator's threaded kernels add in fixed blocks
of ``CHUNK`` agents, in order). The cases are the engine's operations (``thermidor.engine.ops()``:
reductions and draws) and the model's compiled twins (``model/fast``), each called through its
reference's name, which dispatches to the twin under the numba backend. A twin registered but
without a case here is named at the end: add its case.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

import thermidor.model.fast  # noqa: F401  (the twins; run(backend="numba") loads them too)
from thermidor.engine import ops, twins, using
from thermidor.model.mechanisms import industry
from thermidor.model.run import load_backend
from thermidor.model.world import worker_population

Case = tuple[Callable[..., Any], Callable[[], tuple[Any, ...]]]


def cases(n: int) -> dict[str, Case]:
    """Each case with a function that makes fresh arguments (the in-place ones copied)."""
    rng = np.random.default_rng(0)
    region = np.repeat(np.arange(11), n // 11 + 1)[:n].astype(np.int8)
    wealth = (rng.random(n) * 3).astype(np.float32)
    weight = np.ones(n, dtype=np.int64)
    mixed = rng.integers(1, 4, n)  # households' weights after years of partitions
    workers = worker_population(n)
    workers.append(weight=weight, sector=rng.integers(0, industry.N_S, n).astype(np.int8),
                   hereditary=wealth > 1.0, employed=wealth > 0.5)  # fmt: skip

    def op(name: str) -> Callable[..., Any]:
        return lambda *args: getattr(ops(), name)(*args)

    return {
        "sum_by (region, values, mask)": (op("sum_by"), lambda: (
            region, weight, wealth, wealth > 1.0, 11)),
        "total (masked)": (op("total"), lambda: (mixed, wealth > 1.0)),
        "weighted": (op("weighted"), lambda: (mixed, wealth)),
        "thin": (op("thin"), lambda: (
            np.random.default_rng(3), mixed.copy(), 0.003, None, None)),
        "thin (by group, masked)": (op("thin"), lambda: (
            np.random.default_rng(3), mixed.copy(), np.linspace(0.001, 0.01, 11), wealth > 1.0,
            region)),
        "bernoulli (masked)": (op("bernoulli"), lambda: (
            np.random.default_rng(4), 0.01, wealth > 1.0, -1, None)),
        "bernoulli (by group, masked)": (op("bernoulli"), lambda: (
            np.random.default_rng(5), np.linspace(0.001, 0.01, 11), wealth > 1.0, -1, region)),
        "gain (weights 1-3)": (op("gain"), lambda: (
            np.random.default_rng(6), mixed.copy(), 0.002)),
        "normal": (op("normal"), lambda: (np.random.default_rng(7), n)),
        "industry.by_sector": (industry.by_sector, lambda: (workers,)),
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
    load_backend("numba")
    print(f"numba {numba.__version__}, threading layer after the first call; {a.n:,} agents")
    ok = True
    table = cases(a.n)
    with using("numba"):
        for name, (fn, make) in table.items():
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
            print(f"{name:30s} 1 thread {m1:8.1f} ms   2 threads {m2:8.1f} ms   "
                  f"ratio {m1 / m2:4.2f}   same bytes: {bits}", flush=True)  # fmt: skip
    print(f"threading layer: {numba.threading_layer()}")
    missing = [t for t, backends in twins().items() if "numba" in backends and t not in table]
    if missing:
        print(f"twins without a case here (not timed): {', '.join(missing)}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
