"""A report's material: groups of runs (one run, an ensemble, or one group per scenario compared)
and the summaries drawn from them: medians with 10-90% bands, yearly sums, events by seed."""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from thermidor.engine import Event
from thermidor.model.result import Result

QUIET_KINDS = frozenset({"congress", "soviet_election"})
QUALIFIERS = ("city", "episode")


@dataclass(frozen=True)
class Band:
    """A series over dates: the median of the group's runs with its 10% and 90% quantiles (equal
    to the median for a single run)."""

    dates: np.ndarray
    median: np.ndarray
    p10: np.ndarray
    p90: np.ndarray

    def valid(self) -> np.ndarray:
        return ~np.isnan(self.median)


@dataclass
class Group:
    """Runs of one scenario: one run, or the members of an ensemble. ``uncertainty`` is the line
    naming what varies between them (``uncertainty: prior (4 draws ...)``; "" if not known)."""

    label: str
    results: list[Result]
    uncertainty: str = ""

    def __post_init__(self) -> None:
        if not self.results:
            raise ValueError(f"group {self.label!r} has no runs")

    @property
    def first(self) -> Result:
        return self.results[0]

    @property
    def size(self) -> int:
        return len(self.results)

    @property
    def columns(self) -> list[str]:
        return list(self.first.columns)

    @property
    def seeds(self) -> list[int]:
        return [int(r.manifest.get("seed", -1)) for r in self.results]

    @property
    def scenario(self) -> dict[str, Any]:
        return dict(self.first.manifest.get("scenario", {}))

    @property
    def drawn(self) -> list[str]:
        """The parameters each member drew for itself (its manifest's ``uncertainty.draw``)."""
        names: dict[str, None] = {}
        for r in self.results:
            names.update(dict.fromkeys(r.manifest.get("uncertainty", {}).get("draw", {})))
        return list(names)

    def uncertainty_line(self) -> str:
        """What varies between the runs, as the outputs say it."""
        if self.uncertainty:
            return self.uncertainty
        record = self.first.manifest.get("uncertainty", {})
        source = record.get("source", "seed")
        n = self.size
        if source == "seed":
            return f"uncertainty: seed only ({'1 seed' if n == 1 else f'{n} seeds'})"
        return f"uncertainty: {source} ({'1 draw' if n == 1 else f'{n} draws'})"

    @property
    def interventions(self) -> list[str]:
        return list(self.first.manifest.get("interventions", []))

    def _stack(self, column: str) -> tuple[np.ndarray, np.ndarray] | None:
        have = [r for r in self.results if column in r.columns]
        if not have:
            return None
        n = min(r.dates.size for r in have)
        stack = np.vstack([np.asarray(r.columns[column][:n], dtype=float) for r in have])
        return have[0].dates[:n], stack

    def band(self, column: str) -> Band | None:
        got = self._stack(column)
        if got is None:
            return None
        dates, stack = got
        return _quantiles(dates, stack)

    def annual(self, column: str) -> Band | None:
        """Sums by calendar year (flows such as procurements), dated at mid-year."""
        got = self._stack(column)
        if got is None:
            return None
        dates, stack = got
        years = dates.astype("datetime64[Y]").astype(int) + 1970
        ys = np.unique(years)
        sums = np.column_stack([np.nansum(stack[:, years == y], axis=1) for y in ys])
        mid = np.array([np.datetime64(f"{y}-07-01") for y in ys], dtype="datetime64[D]")
        return _quantiles(mid, sums)

    def forced(self) -> list[tuple[np.datetime64, Event]]:
        """Decisions forced by the scenario (do-interventions), as taken in the first run."""
        r = self.first
        return [(r.dates[e.step], e) for e in r.events if e.data.get("forced")]

    def votes(self) -> list[tuple[np.datetime64, Event]]:
        """Events that carry a vote (counts for and against), from the first run."""
        r = self.first
        return [(r.dates[e.step], e) for e in r.events if _is_vote(e)]

    def event_dates(self) -> dict[str, list[dt.date | None]]:
        """For each event (kind, with its city or episode), the first date in each run."""
        keys: dict[str, list[dt.date | None]] = {}
        for i, r in enumerate(self.results):
            seen: set[str] = set()
            for e in r.events:
                if e.kind in QUIET_KINDS:
                    continue
                k = event_key(e)
                if k in seen:
                    continue
                seen.add(k)
                keys.setdefault(k, [None] * self.size)[i] = r.dates[e.step].astype(dt.date)
        return keys

    def occurred(self, kind: str) -> np.ndarray:
        """Whether an event of this kind happened in each run (by the run's end)."""
        return np.array([any(e.kind == kind for e in r.events) for r in self.results])


def _is_vote(e: Event) -> bool:
    return "for" in e.data and "against" in e.data


def event_key(e: Event) -> str:
    for q in QUALIFIERS:
        if q in e.data:
            return f"{e.kind}:{e.data[q]}"
    return e.kind


def _quantiles(dates: np.ndarray, stack: np.ndarray) -> Band:
    if stack.shape[0] == 1:
        row = stack[0]
        return Band(dates, row, row, row)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN steps between harvests
        q = np.nanquantile(stack, [0.5, 0.1, 0.9], axis=0)
    return Band(dates, q[0], q[1], q[2])


def date_quantiles(dates: Sequence[dt.date | None]) -> tuple[dt.date, dt.date, dt.date] | None:
    """Median, 10% and 90% of the dates an event happened (runs where it did not are left out)."""
    ords = sorted(d.toordinal() for d in dates if d is not None)
    if not ords:
        return None
    q = [int(np.quantile(ords, f, method="nearest")) for f in (0.5, 0.1, 0.9)]
    return dt.date.fromordinal(q[0]), dt.date.fromordinal(q[1]), dt.date.fromordinal(q[2])
