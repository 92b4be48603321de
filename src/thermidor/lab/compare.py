"""Counterfactual comparison: scenarios paired by seed, with intervals.

Every scenario runs with the same member seeds (common random numbers), so run ``k`` of the base
and run ``k`` of an alternative differ by the intervention and not by chance; differences are
estimated over the pairs, with a percentile interval from a paired bootstrap over seeds (seeded:
the same input gives the same output).

The statistics are plain functions on arrays: ``wilson``, ``jeffreys``, ``kaplan_meier``,
``km_median``, ``paired_bootstrap``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats

from thermidor.lab.ensemble import ScenarioArg, check_seeds, plan, run_jobs, seeds_for
from thermidor.lab.errors import LabError
from thermidor.lab.executors import Executor
from thermidor.lab.outcomes import (
    BY,
    CONSOLIDATION,
    TURN_OF_1928,
    date_of_year,
    event_date,
    last_date,
    mean_over_year,
    modelled_event,
    year_of,
)
from thermidor.lab.store import Store
from thermidor.model.events import EVENTS
from thermidor.model.result import Result
from thermidor.model.run import ScaleArg

LEVEL = 0.95
RESAMPLES = 2000


# -- statistics ---------------------------------------------------------------------------
def _z(level: float) -> float:
    return float(stats.norm.ppf(0.5 + level / 2))


def wilson(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Wilson score interval for a proportion ``k / n``."""
    if n <= 0:
        return (float("nan"), float("nan"))
    z = _z(level)
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (max(0.0, centre - half), min(1.0, centre + half))


def jeffreys(k: int, n: int, level: float = LEVEL) -> tuple[float, float]:
    """Jeffreys interval: quantiles of Beta(k + 1/2, n - k + 1/2); 0 or 1 at the edges."""
    if n <= 0:
        return (float("nan"), float("nan"))
    a = (1 - level) / 2
    lo = 0.0 if k == 0 else float(stats.beta.ppf(a, k + 0.5, n - k + 0.5))
    hi = 1.0 if k == n else float(stats.beta.ppf(1 - a, k + 0.5, n - k + 0.5))
    return (lo, hi)


def kaplan_meier(times: np.ndarray, observed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The Kaplan–Meier survival curve: the distinct event times and S(t) just after each.

    ``observed[i]`` is False where run ``i`` was censored at ``times[i]`` (the event had not
    happened when the run ended); a run censored at an event time counts as at risk then.
    """
    t = np.asarray(times, dtype=float)
    e = np.asarray(observed, dtype=bool)
    at, deaths = np.unique(t[e], return_counts=True)
    at_risk = t.size - np.searchsorted(np.sort(t), at, side="left")
    return at, np.cumprod(1.0 - deaths / at_risk)


def km_median(times: np.ndarray, observed: np.ndarray) -> float:
    """The first time at which the Kaplan–Meier survival falls to one half or below (NaN if
    it never does: the event happens in fewer than half the runs, allowing for censoring)."""
    at, surv = kaplan_meier(times, observed)
    below = np.nonzero(surv <= 0.5 + 1e-12)[0]
    return float(at[below[0]]) if below.size else float("nan")


@dataclass(frozen=True)
class Interval:
    estimate: float
    lo: float
    hi: float
    resamples: int  # bootstrap resamples in which the statistic was defined

    def as_dict(self) -> dict[str, float | int | None]:
        return {
            "estimate": _clean(self.estimate),
            "lo": _clean(self.lo),
            "hi": _clean(self.hi),
            "resamples": self.resamples,
        }


def paired_bootstrap(
    base: np.ndarray,
    alt: np.ndarray,
    statistic: Callable[[np.ndarray], float],
    resamples: int = RESAMPLES,
    level: float = LEVEL,
    seed: int = 0,
) -> Interval:
    """``statistic(alt) - statistic(base)`` with a percentile interval from resampling the
    pairs (axis 0 is the seed: row ``i`` of both arrays comes from the same seed).

    A resample where the statistic is undefined (NaN) is left out; if more than half are,
    the interval is NaN.
    """
    base, alt = np.asarray(base), np.asarray(alt)
    if base.shape[0] != alt.shape[0]:
        raise ValueError(f"paired samples differ in length: {base.shape[0]} vs {alt.shape[0]}")
    n = base.shape[0]
    estimate = statistic(alt) - statistic(base)
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed)))
    idx = rng.integers(0, n, size=(resamples, n))
    diffs = np.array([statistic(alt[i]) - statistic(base[i]) for i in idx])
    ok = diffs[~np.isnan(diffs)]
    if ok.size <= resamples // 2:
        return Interval(estimate, float("nan"), float("nan"), int(ok.size))
    a = (1 - level) / 2
    lo, hi = np.quantile(ok, [a, 1 - a])
    return Interval(float(estimate), float(lo), float(hi), int(ok.size))


# -- per-run records ------------------------------------------------------------------------
FIELDS = ("event_year", "end_year", "happened", "by_1929", "wd_1927", "pd_1927", "turn_year")


def record(result: Result, event: str = CONSOLIDATION) -> np.ndarray:
    """One run as the numbers the comparison needs (NaN where it cannot say)."""
    when = event_date(result, event)
    turn = event_date(result, TURN_OF_1928)
    return np.array(
        [
            year_of(when) if when else np.nan,
            year_of(last_date(result)),
            1.0 if when else 0.0,
            1.0 if when and when <= BY else 0.0,
            mean_over_year(result, "workers_democracy", 1927),
            mean_over_year(result, "party_democracy", 1927),
            year_of(turn) if turn else np.nan,
        ]
    )


def _col(name: str) -> int:
    return FIELDS.index(name)


def p_by_1929(x: np.ndarray) -> float:
    return float(np.mean(x[:, _col("by_1929")]))


def median_date(x: np.ndarray) -> float:
    y = x[:, _col("event_year")]
    y = y[~np.isnan(y)]
    return float(np.median(y)) if y.size else float("nan")


def km_median_date(x: np.ndarray) -> float:
    happened = x[:, _col("happened")] > 0
    t = np.where(happened, x[:, _col("event_year")], x[:, _col("end_year")])
    return km_median(t, happened)


def mean_of(name: str) -> Callable[[np.ndarray], float]:
    def f(x: np.ndarray) -> float:
        v = x[:, _col(name)]
        v = v[~np.isnan(v)]
        return float(np.mean(v)) if v.size else float("nan")

    return f


def turn_median(x: np.ndarray) -> float:
    y = x[:, _col("turn_year")]
    y = y[~np.isnan(y)]
    return float(np.median(y)) if y.size else float("nan")


# name: (statistic, unit of the difference, scale of the difference)
DIFFERENCES: dict[str, tuple[Callable[[np.ndarray], float], str, float]] = {
    "probability": (p_by_1929, "probability", 1.0),
    "median_date": (median_date, "months", 12.0),
    "km_median_date": (km_median_date, "months", 12.0),
    "workers_democracy_1927": (mean_of("wd_1927"), "index", 1.0),
    "party_democracy_1927": (mean_of("pd_1927"), "index", 1.0),
    "turn_of_1928_date": (turn_median, "months", 12.0),
}


def summarise(x: np.ndarray, level: float = LEVEL) -> dict[str, Any]:
    n = x.shape[0]
    k = int(np.sum(x[:, _col("by_1929")]))
    lo, hi = wilson(k, n, level)
    turn = x[:, _col("turn_year")]
    return {
        "runs": n,
        "probability": k / n,
        "probability_interval": [lo, hi],
        "interval_method": "Wilson",
        "never_share": float(np.mean(x[:, _col("happened")] == 0)),
        "median_date": _date(median_date(x)),
        "km_median_date": _date(km_median_date(x)),
        "workers_democracy_1927": _clean(mean_of("wd_1927")(x)),
        "party_democracy_1927": _clean(mean_of("pd_1927")(x)),
        "turn_of_1928": {
            "share": float(np.mean(~np.isnan(turn))),
            "median_date": _date(turn_median(x)),
        },
    }


def differences(
    base: np.ndarray, alt: np.ndarray, resamples: int, seed: int, level: float = LEVEL
) -> dict[str, dict[str, Any]]:
    out = {}
    for name, (stat, unit, scale) in DIFFERENCES.items():
        iv = paired_bootstrap(base, alt, stat, resamples, level, seed)
        d = Interval(iv.estimate * scale, iv.lo * scale, iv.hi * scale, iv.resamples).as_dict()
        out[name] = {**d, "unit": unit}
    return out


# -- the comparison -------------------------------------------------------------------------
class Comparison(dict[str, Any]):
    """What ``compare`` returns: a JSON-ready dict (``json.dumps`` takes it as it is) that shows
    itself in a line, and in Jupyter as a table of each scenario's probability and interval."""

    def _rows(self) -> list[tuple[str, str, str, str]]:
        out = []
        for s in self.get("scenarios", []):
            lo, hi = s["probability_interval"]
            d = s.get("differences", {}).get("probability")
            diff = "base"
            if d is not None and d["estimate"] is not None:
                span = "" if d["lo"] is None else f" [{d['lo']:+.0%}, {d['hi']:+.0%}]"
                diff = f"{d['estimate']:+.0%}{span}"
            out.append((str(s["scenario"]), f"{s['probability']:.0%}", f"{lo:.0%}–{hi:.0%}", diff))
        return out

    def __repr__(self) -> str:
        n = self.get("seeds", 0)
        parts = "; ".join(f"{name} {p} [{iv}]" for name, p, iv, _ in self._rows())
        return (
            f"<Comparison of {self.get('event')} by {self.get('by')}, "
            f"{'1 run' if n == 1 else f'{n} runs'} each: {parts}>"
        )

    def _repr_html_(self) -> str:
        from html import escape

        n = self.get("seeds", 0)
        head = "".join(
            f"<th>{escape(h)}</th>"
            for h in ("scenario", f"P({self.get('event')} by {self.get('by')})",
                      f"{self.get('level', LEVEL):.0%} interval", "difference from the base")
        )  # fmt: skip
        rows = "".join(
            "<tr>"
            + "".join(f"<td style='white-space:nowrap'>{escape(c)}</td>" for c in r)
            + "</tr>"
            for r in self._rows()
        )
        notes = "".join(f"<li>{escape(str(x))}</li>" for x in self.get("notes", []))
        few = "" if n >= 10 else "<li>fewer than 10 runs each: the intervals are wide</li>"
        return (
            f"<div><strong>thermidor comparison</strong>, {'1 run' if n == 1 else f'{n} runs'} "
            f"per scenario (paired by seed)<table><thead><tr>{head}</tr></thead>"
            f"<tbody>{rows}</tbody></table><ul>{few}{notes}</ul></div>"
        )


def compare(
    base: ScenarioArg,
    alternatives: Sequence[ScenarioArg],
    seeds: int = 20,
    root: int = 0,
    scale: ScaleArg = None,
    until: str | dt.date | None = None,
    *,
    store: Store | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    resamples: int = RESAMPLES,
    bootstrap_seed: int = 0,
    event: str = CONSOLIDATION,
    level: float = LEVEL,
) -> dict[str, Any]:
    """Run (or reuse from the store) every scenario's ensemble with the same member seeds and
    compare each alternative with the base. Returns a JSON-ready dict (a ``Comparison``)."""
    if not modelled_event(event):
        raise LabError("event", event, f"one of {', '.join(sorted(EVENTS))}")
    if (
        isinstance(bootstrap_seed, bool)
        or not isinstance(bootstrap_seed, int)
        or bootstrap_seed < 0
    ):
        raise LabError("bootstrap_seed", bootstrap_seed, "a whole number >= 0")
    store = store or Store()
    members = seeds_for(check_seeds(seeds), root)
    plans = [plan(s, members, scale, until, root) for s in [base, *alternatives]]
    where = str(store.root.resolve())
    run_jobs([j for p in plans for j in p.jobs(where)], store, executor, on_progress)
    data = [np.stack([record(store.load(k), event) for k in p.keys]) for p in plans]
    horizon = min(float(np.min(x[:, _col("end_year")])) for x in data)
    notes = _notes(event, data, horizon)
    scenarios = []
    for i, (p, x) in enumerate(zip(plans, data, strict=True)):
        entry: dict[str, Any] = {
            "scenario": p.scenario.name,
            "title": p.scenario.meta.get("title", ""),
            "class": p.scenario.meta.get("class", ""),
            "interventions": p.scenario.interventions,
            **summarise(x, level),
        }
        if i > 0:
            entry["differences"] = differences(data[0], x, resamples, bootstrap_seed, level)
        scenarios.append(entry)
    return Comparison(
        {
            "base": plans[0].scenario.name,
            "event": event,
            "by": min(BY, date_of_year(horizon) or BY).isoformat(),
            "seeds": seeds,
            "root": root,
            "scales": plans[0].scales,
            "level": level,
            "bootstrap": {"resamples": resamples, "seed": bootstrap_seed, "paired_by": "seed"},
            "notes": notes,
            "scenarios": scenarios,
        }
    )


def _notes(event: str, data: list[np.ndarray], horizon: float) -> list[str]:
    notes = []
    end = date_of_year(horizon)
    if end is not None and end < BY:
        notes.append(f"the runs end on {end}: 'by 1929' means by then")
    for name, col in (("workers_democracy", "wd_1927"), ("party_democracy", "pd_1927")):
        if all(np.all(np.isnan(x[:, _col(col)])) for x in data):
            notes.append(f"{name} in 1927: not recorded (not modelled yet, or outside the runs)")
    if not modelled_event(TURN_OF_1928):
        notes.append(f"the model does not produce {TURN_OF_1928!r} yet")
    return notes


def _clean(x: float) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def _date(year: float) -> str | None:
    d = date_of_year(year)
    return d.isoformat() if d else None
