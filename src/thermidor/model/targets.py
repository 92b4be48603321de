"""Scoring runs against the essay's figures and dates (``data/targets.csv`` = TARGETS.csv).

Rules (MODEL.md): a year is the mean of its steps for levels and shares, the sum for flows; a
month is the step containing its 15th; a range is the mean over the range. A seed hits a value
target when it lies within the tolerance (or beyond the bound for ``at_least``); an event target
when the first such event falls within the window (months either side of the target month); an
event that never happens is a miss. A target passes when at least 80% of seeds hit.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

from thermidor.model.params import PARAMS
from thermidor.model.result import Result

PASS_RATE = 0.8
FLOWS = frozenset({"grain_procurement"})


@dataclass(frozen=True)
class Target:
    id: str
    kind: str
    quantity: str
    when: str
    value: float | None
    compare: str
    tolerance: float | None
    unit: str
    section: str
    note: str


def load_targets() -> list[Target]:
    out = []
    with resources.files("thermidor.model.data").joinpath("targets.csv").open() as f:
        for row in csv.DictReader(f):
            out.append(Target(
                id=row["id"], kind=row["kind"], quantity=row["quantity"], when=row["when"],
                value=float(row["value"]) if row["value"] else None, compare=row["compare"],
                tolerance=float(row["tolerance"]) if row["tolerance"] else None,
                unit=row["unit"], section=row["section"], note=row["note"],
            ))  # fmt: skip
    return out


def calibrated_by(target_id: str) -> list[str]:
    return [p.name for p in PARAMS if target_id in p.calibrated_for]


def _window(when: str) -> tuple[dt.date, dt.date, str]:
    """(first day, day after last, how) for '1920', '1919-03' or '1923-10..1924-09'."""
    if ".." in when:
        a, b = when.split("..")
        start = dt.date.fromisoformat(a + "-01")
        y, m = map(int, b.split("-"))
        end = dt.date(y + (m == 12), m % 12 + 1, 1)
        return start, end, "range"
    if len(when) == 4:
        y = int(when)
        return dt.date(y, 1, 1), dt.date(y + 1, 1, 1), "year"
    y, m = map(int, when.split("-"))
    return dt.date(y, m, 15), dt.date(y, m, 16), "month"


def _series(result: Result, quantity: str) -> np.ndarray | None:
    if quantity in result.columns:
        return np.asarray(result.columns[quantity], dtype=float)
    if quantity.startswith("longest_soviet_election_gap:"):
        col = f"soviet_months_since_election:{quantity.split(':', 1)[1]}"
        return np.asarray(result.columns[col], dtype=float) if col in result.columns else None
    return None


def value_of(result: Result, t: Target) -> float:
    """The run's value for a value target (NaN when the model does not produce it)."""
    series = _series(result, t.quantity)
    if series is None:
        return float("nan")
    start, end, how = _window(t.when)
    dates = result.dates
    days = result.manifest.get("scenario", {}).get("run", {}).get("step_days", 7)
    if how == "month":
        sel = (dates <= np.datetime64(start)) & (
            dates + np.timedelta64(days, "D") > np.datetime64(start)
        )
    else:
        sel = (dates >= np.datetime64(start)) & (dates < np.datetime64(end))
    x = series[sel]
    if x.size == 0 or np.all(np.isnan(x)):
        return float("nan")
    if t.quantity.startswith("longest_"):
        return float(np.nanmax(x))
    if t.quantity in FLOWS and how == "year":
        return float(np.nansum(x))
    return float(np.nanmean(x))


def _event_match(t: Target) -> tuple[str, dict[str, Any]]:
    kind, _, key = t.quantity.partition(":")
    return kind, ({"city": key} if key else {})


def event_month(result: Result, t: Target) -> dt.date | None:
    kind, match = _event_match(t)
    e = result.first(kind, **match)
    return result.date_of(e) if e is not None else None


def modelled(results: Sequence[Result], t: Target) -> bool:
    """Whether the model produces this target's quantity within the runs' span."""
    r = results[0]
    if t.kind == "event":
        y, m = map(int, t.when.split("-"))
        start = dt.date(y, m, 1)
    else:
        start = _window(t.when)[0]
    last = r.dates[-1].astype(dt.date)
    if start > last:
        return False
    if t.kind == "event":
        kind, _ = _event_match(t)
        from thermidor.model.events import EVENTS

        return kind in EVENTS
    return _series(r, t.quantity) is not None


def hit(t: Target, value: float | dt.date | None) -> bool:
    if t.kind == "event":
        if value is None or not isinstance(value, dt.date):
            return False
        y, m = map(int, t.when.split("-"))
        diff = (value.year * 12 + value.month) - (y * 12 + m)
        return abs(diff) <= (t.tolerance or 0)
    if value is None or not isinstance(value, float) or np.isnan(value):
        return False
    assert t.value is not None
    if t.compare == "at_least":
        return value >= t.value
    return abs(value - t.value) <= (t.tolerance or 0.0)


def score(results: Sequence[Result]) -> list[dict[str, Any]]:
    """One row per target, over the runs given (an ensemble, or one run)."""
    rows = []
    for t in load_targets():
        params = calibrated_by(t.id)
        role = "calibrated" if params else "emergent"
        is_modelled = modelled(results, t)
        median: Any
        p10: Any
        p90: Any
        if t.kind == "event":
            dates = [event_month(r, t) for r in results]
            hits = [hit(t, d) for d in dates]
            happened = [d for d in dates if d is not None]
            ordinals = sorted(d.toordinal() for d in happened)

            def q(f: float, ords: list[int] = ordinals) -> str | None:
                if not ords:
                    return None
                return dt.date.fromordinal(int(np.quantile(ords, f, method="nearest"))).isoformat()

            median, p10, p90 = q(0.5), q(0.1), q(0.9)
            occurred = len(happened) / len(results)
            target: Any = t.when
        else:
            values = [value_of(r, t) for r in results]
            hits = [hit(t, v) for v in values]
            arr = np.array(values, dtype=float)
            ok = arr[~np.isnan(arr)]
            median = float(np.median(ok)) if ok.size else None
            p10 = float(np.quantile(ok, 0.1)) if ok.size else None
            p90 = float(np.quantile(ok, 0.9)) if ok.size else None
            occurred = None
            target = t.value
        rate = float(np.mean(hits)) if hits else 0.0
        rows.append({
            "id": t.id, "kind": t.kind, "quantity": t.quantity, "when": t.when, "unit": t.unit,
            "simulated_median": median, "p10": p10, "p90": p90, "target": target,
            "tolerance": t.tolerance, "compare": t.compare, "hit_rate": rate,
            "occurred_share": occurred, "passed": bool(is_modelled and rate >= PASS_RATE),
            "modelled": is_modelled,
            "role": role if is_modelled else "not modelled yet",
            "calibrated_with": params, "section": t.section, "seeds": len(results),
        })  # fmt: skip
    return rows
