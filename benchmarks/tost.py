"""Two one-sided tests (TOST, Schuirmann 1987) for paired outputs of two implementations.

Equivalence is declared when the mean paired difference is shown to be both above ``-margin`` and
below ``+margin`` at level ``ALPHA``, i.e. when its 90% confidence interval lies inside
``(-margin, +margin)``. A margin is ``("relative", f)`` (f times the mean of both) or
``("absolute", m)``. Used by ``equivalence.py`` (numpy core against Mesa) and ``gpu.py``
(numba against cupy).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

ALPHA = 0.05


@dataclass(frozen=True)
class Tost:
    output: str
    numpy_mean: float
    mesa_mean: float
    difference: float
    ci_low: float  # the (1 - 2 ALPHA) confidence interval of the mean difference
    ci_high: float
    margin: float
    p_value: float  # the larger of the two one-sided p-values

    @property
    def equivalent(self) -> bool:
        return self.p_value < ALPHA


def tost(output: str, a: np.ndarray, b: np.ndarray, margins: dict[str, tuple[str, float]]) -> Tost:
    """Paired TOST of ``mean(a - b)`` against ``margins[output]`` (relative or absolute)."""
    kind, value = margins[output]
    margin = value * abs(0.5 * (a.mean() + b.mean())) if kind == "relative" else value
    d = a - b
    n = d.size
    mean = float(d.mean())
    se = float(d.std(ddof=1)) / math.sqrt(n)
    if se == 0.0:
        p = 0.0 if abs(mean) < margin else 1.0
        lo = hi = mean
    else:
        p_low = stats.t.sf((mean + margin) / se, n - 1)  # H0: mean <= -margin
        p_high = stats.t.cdf((mean - margin) / se, n - 1)  # H0: mean >= +margin
        p = float(max(p_low, p_high))
        half = float(stats.t.ppf(1.0 - ALPHA, n - 1)) * se
        lo, hi = mean - half, mean + half
    return Tost(output, float(a.mean()), float(b.mean()), mean, lo, hi, margin, p)
