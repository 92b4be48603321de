"""Per-agent draws on the numba backend (counter-based streams) against the numpy backend.

``python -m benchmarks.thinning`` times, on the same agents (26,000 agents of 200 persons, the
default scale's soldiers, and 150,000 of 10, its party members), each of the engine's draws
(``thermidor.engine.thin``, ``bernoulli`` and ``normal``) under the ``numba`` backend
(``engine.accel.draws``: binomial losses by inversion fused in one pass, Bernoulli events and a
ziggurat on counter words) and under the ``numpy`` backend (``engine.backend.NumpyOps``: numpy's
``Generator``, the weight update, the mask), and prints each time and the ratio.
"""

from __future__ import annotations

import argparse
import timeit
from collections.abc import Callable
from functools import partial

import numpy as np

from thermidor.engine import bernoulli, normal, thin, using
from thermidor.model.run import load_backend


def _time(fn: Callable[[], object], repeats: int) -> float:
    return min(timeit.repeat(fn, number=repeats, repeat=5)) / repeats * 1e6


def _thin(rng: np.random.Generator, n: np.ndarray, p: np.ndarray) -> None:
    thin(rng, n.copy(), p)  # a fresh copy of the weights each time


def _both(fn: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Microseconds a call of ``fn`` takes under the numba backend and under numpy."""
    out = []
    for backend in ("numba", "numpy"):
        with using(backend):
            fn()  # numba compiles (or loads its cache) on the first call
            out.append(_time(fn, repeats))
    return out[0], out[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=50)
    args = ap.parse_args()
    load_backend("numba")
    rng = np.random.default_rng(0)
    print("what                                   numba (us)   numpy (us)   numpy/numba")
    for agents, weight in ((26_000, 200), (150_000, 10)):
        n = np.full(agents, weight, dtype=np.int64)
        for per_agent in (0.5, 0.1, 0.01):
            p = np.full(agents, per_agent / weight)
            a, b = _both(partial(_thin, rng, n, p), args.repeats)
            print(f"thin {agents:7,} x {weight:3}, {per_agent:4} an agent   {a:10.0f}   "
                  f"{b:10.0f}   {b / a:12.2f}")  # fmt: skip
        p = np.full(agents, 0.02)
        mask = np.arange(agents) % 3 > 0
        a, b = _both(partial(bernoulli, rng, p, mask), args.repeats)
        print(f"bernoulli {agents:7,}, two thirds masked   {a:10.0f}   {b:10.0f}   {b / a:12.2f}")
    a, b = _both(lambda: normal(rng, 64_000), args.repeats)
    print(f"64,000 standard normals                {a:10.0f}   {b:10.0f}   {b / a:12.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
