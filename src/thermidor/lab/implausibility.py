"""Implausibility (history matching, Andrianakis et al. 2015): how far a point's runs lie from a
target, in units of all the uncertainty there is about it.

What a run gives for a target (``run_statistic``): a value target's value (a run that cannot
give it rules the point out); an event's months from the target date, and for a run in which it
never happens the months from the target date to the run's end (a lower bound on its lateness,
so the cut can only keep too much, never rule out too much); an order's 1 when the run gives the
order and 0 when not, observed 1, tolerance ``ORDER_TOLERANCE``.

``I = |mean - observed| / sqrt(var × (1 + 1/n) + tolerance² × (1 + discrepancy²))`` over a point's
``n`` runs (``at_least``, ``below`` and orders count a miss on one side only); a point's measure is
its largest or second largest I over the targets.
"""

from __future__ import annotations

import datetime as dt
import math

import numpy as np

from thermidor.lab.calibrate import observed
from thermidor.model.result import Result
from thermidor.model.targets import Target, event_month, hit, months_off, order_of, value_of

THRESHOLD = 3.0
MEASURES = ("max", "second")
ORDER_TOLERANCE = 0.3  # an order never given: I = 1 / 0.3 > 3, ruled out


# -- what one run gives for a target ------------------------------------------------------------
def run_statistic(result: Result, t: Target) -> float:
    """The run's value, event lateness in months (censored at the run's end) or order (0/1)."""
    if t.kind == "order":
        return 1.0 if hit(t, order_of(result, t)) else 0.0
    if t.kind == "event":
        when = event_month(result, t)
        if when is None:  # never happened: at least as late as the run's end
            return max(0.0, months_off(t, result.dates[-1].astype(dt.date)))
        return months_off(t, when)
    return value_of(result, t)


def tolerance(t: Target) -> float:
    if t.kind == "order":
        return ORDER_TOLERANCE
    if t.tolerance is not None:
        return float(t.tolerance)
    return 1.0 if t.kind == "event" else max(abs(observed(t)) * 0.1, 1e-9)


def implausibility(t: Target, x: np.ndarray, discrepancy: float = 0.0) -> float:
    """A point's implausibility for one target from its runs' statistics ``x`` (one per seed)."""
    x = np.asarray(x, dtype=float)
    if x.size == 0 or np.isnan(x).any():
        return math.inf
    n = x.size
    var = float(np.var(x, ddof=1)) * (1 + 1 / n) if n > 1 else 0.0
    obs = 1.0 if t.kind == "order" else observed(t)
    d = float(np.mean(x)) - obs
    if t.compare == "at_least" or t.kind == "order":
        d = min(d, 0.0)
    elif t.compare == "below":
        d = max(d, 0.0)
    tol = tolerance(t)
    denom = math.sqrt(var + tol**2 * (1 + discrepancy**2))
    if denom == 0:
        return 0.0 if d == 0 else math.inf
    return abs(d) / denom


def measure_of(imp: np.ndarray, how: str) -> np.ndarray:
    """Each point's largest (``second``: second largest) implausibility over the targets."""
    if imp.shape[1] < 2 or how == "max":
        return np.max(imp, axis=1)
    return np.sort(imp, axis=1)[:, -2]


__all__ = [
    "MEASURES",
    "ORDER_TOLERANCE",
    "THRESHOLD",
    "implausibility",
    "measure_of",
    "run_statistic",
    "tolerance",
]
