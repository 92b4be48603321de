"""Binomial thinning drawn through the successes against numpy's binomial agent by agent.

``python -m benchmarks.thinning`` times ``population.sparse_binomial`` and
``Generator.binomial`` on the same agents (26,000 agents of 200 persons, the default scale's
soldiers) at several expected successes per agent, in one process, and prints the ratio. The
crossing point sets ``population.SPARSE_SUCCESSES``.
"""

from __future__ import annotations

import argparse
import timeit

import numpy as np

from thermidor.engine.population import SPARSE_SUCCESSES, sparse_binomial


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=26_000)
    ap.add_argument("--weight", type=int, default=200)
    ap.add_argument("--repeats", type=int, default=50)
    args = ap.parse_args()
    n = np.full(args.agents, args.weight, dtype=np.int64)
    total = int(n.sum())
    rng = np.random.default_rng(0)
    print(f"{args.agents:,} agents of {args.weight}; sparse path below "
          f"{SPARSE_SUCCESSES} expected successes an agent")  # fmt: skip
    print("successes/agent   sparse (us)   dense (us)   dense/sparse")
    for per_agent in (0.5, 0.25, 0.1, 0.03, 0.01):
        p = np.full(n.size, per_agent * n.size / total)
        p_max = float(p[0])
        sparse = timeit.timeit(
            lambda p=p, p_max=p_max: sparse_binomial(rng, n, p, p_max, total), number=args.repeats
        )
        dense = timeit.timeit(lambda p=p: rng.binomial(n, p), number=args.repeats)
        print(f"{per_agent:15}   {sparse / args.repeats * 1e6:11.0f}   "
              f"{dense / args.repeats * 1e6:10.0f}   {dense / sparse:12.2f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
