"""Scoring runs against the essay's figures, dates and orderings (``data/targets.csv``, a copy of
TARGETS.csv version 2).

Rules (MODEL.md): a year is the mean of its steps for levels and shares, the sum for flows; a
month is the step containing its 15th; a range is the mean over the range. A seed hits a value
target when it lies within the tolerance (``at_least``: at or above the bound; ``below``: under
it); an event target when the first such event falls within the window: months either side of
the target month (``1928-01``) or, for a day (``1921-03-01``), that many months of 365.25/12 days
either side of it; an event that never happens is a miss. An ``order`` target (``a<b<c``) hits
when the first event of each name happens, each in an earlier week than the next. A name
``kind:key`` is the first event of that kind whose city is ``key`` or whose congress is the
``key``-th (``congress:10``). A target passes when at least 80% of seeds hit.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from thermidor.model.params import PARAMS
from thermidor.model.result import Result

PASS_RATE = 0.8
NOT_MODELLED = "not modelled yet"
AFTER_HORIZON = "after the horizon"  # the runs end before the target's window opens
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


def load_targets(path: str | Path | None = None) -> list[Target]:
    """The targets of ``data/targets.csv`` (or of the CSV at ``path``, in the same columns)."""
    out = []
    source = (
        resources.files("thermidor.model.data").joinpath("targets.csv")
        if path is None
        else Path(path)
    )
    with source.open() as f:
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
    """(first day, day after last, how) for '1920', '1919-03', '1923-10..1924-09' or
    '1923..1929' (whole years)."""
    if ".." in when:
        a, b = when.split("..")
        start = dt.date.fromisoformat(a + ("-01-01" if len(a) == 4 else "-01"))
        y, m = (int(b), 12) if len(b) == 4 else map(int, b.split("-"))
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


MONTH_DAYS = 365.25 / 12


def _names(t: Target) -> list[str]:
    """The events a target names: one, or a chain ``a<b<c`` for an order."""
    return t.quantity.split("<") if t.kind == "order" else [t.quantity]


def _matches(data: dict[str, Any], key: str) -> bool:
    if data.get("city") == key:
        return True
    name = str(data.get("name", ""))
    return name.split(" ", 1)[0].rstrip("stndrh") == key  # "10th Congress" is congress:10


def first_date(result: Result, name: str) -> dt.date | None:
    """The date of the first event ``kind`` or ``kind:key`` (None if it never happens)."""
    kind, _, key = name.partition(":")
    for e in result.events:
        if e.kind == kind and (not key or _matches(e.data, key)):
            return result.date_of(e)
    return None


def event_month(result: Result, t: Target) -> dt.date | None:
    return first_date(result, t.quantity)


def order_of(result: Result, t: Target) -> list[dt.date | None]:
    return [first_date(result, name) for name in _names(t)]


def _target_day(when: str) -> tuple[dt.date, bool]:
    """The target's date and whether it is a day (else a month, dated by its first day)."""
    parts = when.split("-")
    if len(parts) == 3:
        return dt.date.fromisoformat(when), True
    return dt.date(int(parts[0]), int(parts[1]), 1), False


def months_off(t: Target, when: dt.date) -> float:
    """How many months an event on ``when`` lies from an event target's date: whole months from
    a target month, months of 365.25/12 days from a target day."""
    day, exact = _target_day(t.when)
    if exact:
        return (when - day).days / MONTH_DAYS
    return float((when.year * 12 + when.month) - (day.year * 12 + day.month))


def window_centre(when: str) -> dt.date:
    """The middle of a value target's window (a year's 1 July, a month's 15th)."""
    start, end, how = _window(when)
    return start if how == "month" else start + (end - start) / 2


def _start(t: Target) -> dt.date:
    if t.kind == "event":
        return _target_day(t.when)[0]
    if t.kind == "order":
        return dt.date(int(t.when[:4]), 1, 1)
    return _window(t.when)[0]


def after_horizon(results: Sequence[Result], t: Target) -> bool:
    """Whether the runs end before this target's window (or date) begins."""
    return _start(t) > results[0].dates[-1].astype(dt.date)


def modelled(results: Sequence[Result], t: Target) -> bool:
    """Whether the model produces this target's quantity within the runs' span."""
    r = results[0]
    last = r.dates[-1].astype(dt.date)
    if _start(t) > last:
        return False
    if t.kind in ("event", "order"):
        from thermidor.model.events import EVENTS

        return all(name.partition(":")[0] in EVENTS for name in _names(t))
    return _series(r, t.quantity) is not None


def hit(t: Target, value: Any) -> bool:
    if t.kind == "order":
        dates = list(value or [])
        if not dates or any(d is None for d in dates):
            return False
        return all(a < b for a, b in itertools.pairwise(dates))
    if t.kind == "event":
        if value is None or not isinstance(value, dt.date):
            return False
        return abs(months_off(t, value)) <= (t.tolerance or 0)
    if value is None or not isinstance(value, float) or np.isnan(value):
        return False
    assert t.value is not None
    if t.compare == "at_least":
        return value >= t.value
    if t.compare == "below":
        return value < t.value
    return abs(value - t.value) <= (t.tolerance or 0.0)


def score(
    results: Sequence[Result], targets: Sequence[Target] | None = None
) -> list[dict[str, Any]]:
    """One row per target (``targets``: default ``load_targets()``), over the runs given (an
    ensemble, or one run)."""
    rows = []
    for t in load_targets() if targets is None else targets:
        params = calibrated_by(t.id)
        role = "calibrated" if params else "emergent"
        is_modelled = modelled(results, t)
        median: Any
        p10: Any
        p90: Any
        if t.kind == "order":
            chains = [order_of(r, t) for r in results]
            hits = [hit(t, c) for c in chains]
            median = " < ".join(
                name for _, name in sorted(
                    (d or dt.date.max, name) for d, name in zip(chains[0], _names(t), strict=True)
                )
            )  # fmt: skip
            p10 = p90 = None
            occurred = float(np.mean([all(d is not None for d in c) for c in chains]))
            target: Any = t.quantity.replace("<", " < ")
        elif t.kind == "event":
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
            target = t.when
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
            "role": role if is_modelled
            else AFTER_HORIZON if after_horizon(results, t) else NOT_MODELLED,
            "calibrated_with": params, "section": t.section, "seeds": len(results),
        })  # fmt: skip
    return rows
