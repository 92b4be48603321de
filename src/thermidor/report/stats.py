"""Shares of seeds with intervals, for every event a comparison lists. The statistics are the
lab's (``thermidor.lab.compare``: Wilson's interval, the paired bootstrap); an unpaired bootstrap
is added here for runs of different seeds (run directories compared as they are)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from thermidor.lab import compare


@dataclass(frozen=True)
class Share:
    k: int
    n: int
    lo: float
    hi: float

    @property
    def p(self) -> float:
        return self.k / self.n if self.n else float("nan")


@dataclass(frozen=True)
class Difference:
    diff: float
    lo: float
    hi: float
    paired: bool


def wilson(k: int, n: int) -> Share:
    """Wilson's score interval for k successes in n trials (sound at 0 and n, unlike Wald's)."""
    lo, hi = compare.wilson(k, n)
    return Share(k, n, lo, hi)


def share(x: np.ndarray) -> Share:
    x = np.asarray(x, dtype=bool)
    return wilson(int(x.sum()), int(x.size))


def difference(
    base: np.ndarray,
    alt: np.ndarray,
    paired: bool,
    reps: int = compare.RESAMPLES,
    seed: int = 0,
) -> Difference:
    """``mean(alt) - mean(base)`` with a 95% percentile bootstrap interval.

    Paired: seed ``i`` of one is seed ``i`` of the other, so pairs are resampled together.
    """
    a = np.asarray(base, dtype=float)
    b = np.asarray(alt, dtype=float)
    if paired:
        if a.size != b.size:
            raise ValueError(f"paired samples differ in size: {a.size} and {b.size}")
        iv = compare.paired_bootstrap(a, b, lambda x: float(np.mean(x)), reps, seed=seed)
        return Difference(iv.estimate, iv.lo, iv.hi, True)
    rng = np.random.Generator(np.random.PCG64(seed))
    ia = rng.integers(0, a.size, size=(reps, a.size))
    ib = rng.integers(0, b.size, size=(reps, b.size))
    boot = b[ib].mean(axis=1) - a[ia].mean(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return Difference(float(b.mean() - a.mean()), float(lo), float(hi), False)
