"""Probabilities with intervals: Wilson's interval for a share of seeds, and bootstrap intervals
for the difference between two scenarios (paired by seed when both ran the same seeds, so that
common random numbers leave only the intervention's effect)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Z95 = 1.959963984540054


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


def wilson(k: int, n: int, z: float = Z95) -> Share:
    """Wilson's score interval for k successes in n trials (sound at 0 and n, unlike Wald's)."""
    if n <= 0:
        return Share(k, n, float("nan"), float("nan"))
    p = k / n
    den = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / den
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    return Share(k, n, max(0.0, centre - half), min(1.0, centre + half))


def share(x: np.ndarray) -> Share:
    x = np.asarray(x, dtype=bool)
    return wilson(int(x.sum()), int(x.size))


def difference(
    base: np.ndarray,
    alt: np.ndarray,
    paired: bool,
    reps: int = 2000,
    seed: int = 0,
) -> Difference:
    """``mean(alt) - mean(base)`` with a 95% percentile bootstrap interval.

    Paired: seed ``i`` of one is seed ``i`` of the other, so pairs are resampled together.
    """
    a = np.asarray(base, dtype=float)
    b = np.asarray(alt, dtype=float)
    diff = float(b.mean() - a.mean())
    rng = np.random.Generator(np.random.PCG64(seed))
    if paired:
        if a.size != b.size:
            raise ValueError(f"paired samples differ in size: {a.size} and {b.size}")
        d = b - a
        idx = rng.integers(0, d.size, size=(reps, d.size))
        boot = d[idx].mean(axis=1)
    else:
        ia = rng.integers(0, a.size, size=(reps, a.size))
        ib = rng.integers(0, b.size, size=(reps, b.size))
        boot = b[ib].mean(axis=1) - a[ia].mean(axis=1)
    lo, hi = np.quantile(boot, [0.025, 0.975])
    return Difference(diff, float(lo), float(hi), paired)
