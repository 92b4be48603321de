"""Per-agent draws on counter-based streams against numpy's generator, in one process.

``python -m benchmarks.thinning`` times, on the same agents (26,000 agents of 200 persons, the
default scale's soldiers, and 150,000 of 10, its party members):

- ``engine.draws.thin`` (binomial losses by inversion, fused in one numba pass) against
  ``Generator.binomial`` agent by agent followed by the weight update numpy needs;
- ``engine.draws.bernoulli`` against ``mask & (Generator.random(n) < p)``;
- ``engine.counter.fill_normal`` (ziggurat on counter words) against ``Generator.standard_normal``;

and prints each time and the ratio. Run it with the numba kernels (the default).
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np

from thermidor.engine import counter, draws, kernels


def _time(fn: object, repeats: int) -> float:
    return min(timeit.repeat(fn, number=repeats, repeat=5)) / repeats * 1e6  # type: ignore[arg-type]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=50)
    args = ap.parse_args()
    print(f"kernels: {kernels.backend}")
    rng = np.random.default_rng(0)
    print("what                                   counter (us)   numpy (us)   numpy/counter")
    for agents, weight in ((26_000, 200), (150_000, 10)):
        n = np.full(agents, weight, dtype=np.int64)
        for per_agent in (0.5, 0.1, 0.01):
            p = np.full(agents, per_agent / weight)

            def ours(p: np.ndarray = p, n: np.ndarray = n) -> None:
                draws.thin(rng, n.copy(), p, None)

            def numpy_(p: np.ndarray = p, n: np.ndarray = n) -> None:
                w = n.copy()
                w -= rng.binomial(w, p)

            a, b = _time(ours, args.repeats), _time(numpy_, args.repeats)
            print(f"thin {agents:7,} x {weight:3}, {per_agent:4} an agent   {a:10.0f}   "
                  f"{b:10.0f}   {b / a:12.2f}")  # fmt: skip
        p = np.full(agents, 0.02)
        mask = np.arange(agents) % 3 > 0
        a = _time(lambda p=p, mask=mask: draws.bernoulli(rng, p, mask), args.repeats)
        b = _time(lambda p=p, mask=mask: mask & (rng.random(mask.size) < p), args.repeats)
        print(f"bernoulli {agents:7,}, two thirds masked   {a:10.0f}   {b:10.0f}   {b / a:12.2f}")
    z = np.empty(64_000)
    k = counter.key(0, "benchmark", 0)
    a = _time(lambda: counter.fill_normal(k, z, counter.KI, counter.WI, counter.FI), args.repeats)
    b = _time(lambda: rng.standard_normal(64_000), args.repeats)
    print(f"64,000 standard normals                {a:10.0f}   {b:10.0f}   {b / a:12.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
