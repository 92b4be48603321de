"""Scalar outcomes of one run: what the lab compares, screens and fits.

Dates become years with a fraction (1928.5 is about the first of July 1928). An outcome that the
run cannot give (an indicator the model does not record yet, a year outside the run) is NaN; an
event that never happens (or whose kind the model does not produce yet) has no date.
"""

from __future__ import annotations

import datetime as dt
import math
import re

import numpy as np

from thermidor.lab.errors import LabError
from thermidor.model.events import EVENTS
from thermidor.model.indicators import UNITS
from thermidor.model.result import Result

CONSOLIDATION = "bureaucracy_consolidated"
TURN_OF_1928 = "forced_collectivisation"
BY = dt.date(1929, 12, 31)

OUTCOMES: dict[str, str] = {
    "consolidated": "1 if the bureaucracy consolidated (bureaucracy_consolidated) by 1929-12-31",
    "consolidation_year": "the year of consolidation with a fraction; NaN if it never happens",
    "consolidation_year_censored": "the year of consolidation, or the run's last date if never",
    "workers_democracy_1927": "workers' democracy (workers_democracy) averaged over 1927",
    "party_democracy_1927": "party democracy (party_democracy) averaged over 1927",
    "working_class_1920": "the working class against 1917 (working_class_vs_1917), 1920",
    "industrial_output_1920": "industrial output against 1913 (industrial_output_vs_prewar), 1920",
    "turn_of_1928_year": "the year of the turn against the peasantry (forced_collectivisation)",
    "horizon_year": "the run's last date as a year with a fraction",
}
INDICATOR_YEAR = re.compile(r"^(?P<indicator>.+)_(?P<year>1[89]\d\d)$")
OUTCOME_FORMS = (
    f"one of {', '.join(OUTCOMES)}, INDICATOR_YYYY (an indicator's mean over a year), or, for a "
    "time series, an indicator's name (`thermidor params` lists none: see docs/ODD.md) or 'date'"
)
DATE = "date"  # the time series of each step's first day, to go with the indicators' series
ALIASES = {
    "working_class_1920": ("working_class_vs_1917", 1920),
    "industrial_output_1920": ("industrial_output_vs_prewar", 1920),
}


def year_of(day: dt.date) -> float:
    """A date as a year with a fraction: 1928-01-01 is 1928.0."""
    first = dt.date(day.year, 1, 1)
    length = (dt.date(day.year + 1, 1, 1) - first).days
    return day.year + (day - first).days / length


def date_of_year(year: float) -> dt.date | None:
    """The inverse of ``year_of`` (to the day); None for NaN."""
    if year is None or math.isnan(year):
        return None
    y = math.floor(year)
    length = (dt.date(y + 1, 1, 1) - dt.date(y, 1, 1)).days
    return dt.date(y, 1, 1) + dt.timedelta(days=round((year - y) * length))


def event_date(result: Result, kind: str) -> dt.date | None:
    """The date of the first event of this kind, or None if it never happens."""
    e = result.first(kind)
    return None if e is None else result.date_of(e)


def last_date(result: Result) -> dt.date:
    return result.dates[-1].astype(dt.date)  # type: ignore[no-any-return]


def mean_over_year(result: Result, indicator: str, year: int) -> float:
    """An indicator's mean over a calendar year; NaN if not recorded or outside the run."""
    col = result.columns.get(indicator)
    if col is None:
        return float("nan")
    sel = (result.dates >= np.datetime64(f"{year}-01-01")) & (
        result.dates < np.datetime64(f"{year + 1}-01-01")
    )
    x = np.asarray(col, dtype=float)[sel]
    if x.size == 0 or np.all(np.isnan(x)):
        return float("nan")
    return float(np.nanmean(x))


def modelled_event(kind: str) -> bool:
    return kind in EVENTS


def outcome(result: Result, name: str, event: str = CONSOLIDATION) -> float:
    """One named outcome of a run (see ``OUTCOMES``, or ``INDICATOR_YYYY``)."""
    when = event_date(result, event)
    if name == "consolidated":
        return 1.0 if when is not None and when <= BY else 0.0
    if name == "consolidation_year":
        return float("nan") if when is None else year_of(when)
    if name == "consolidation_year_censored":
        return year_of(when) if when is not None else year_of(last_date(result))
    if name == "turn_of_1928_year":
        turn = event_date(result, TURN_OF_1928)
        return float("nan") if turn is None else year_of(turn)
    if name == "horizon_year":
        return year_of(last_date(result))
    if name in ALIASES:
        return mean_over_year(result, *ALIASES[name])
    m = INDICATOR_YEAR.match(name)
    if m is None:
        raise LabError("outcome", name, OUTCOME_FORMS)
    return mean_over_year(result, m["indicator"], int(m["year"]))


def is_series(name: str) -> bool:
    """Whether an outcome's name asks for a time series (an indicator, or the dates)."""
    return name == DATE or name in UNITS


def series(result: Result, name: str) -> np.ndarray:
    """A time series of one run: an indicator's value at every step (NaN where not recorded),
    or with ``date`` each step's first day (``datetime64[D]``)."""
    if name == DATE:
        return result.dates.copy()
    col = result.columns.get(name)
    if col is None:
        return np.full(result.dates.size, np.nan)
    return np.asarray(col, dtype=np.float64).copy()


def check_outcome(name: str) -> str:
    """Validate an outcome's name (before any run) and return it."""
    if name not in OUTCOMES and INDICATOR_YEAR.match(name) is None and not is_series(name):
        raise LabError("outcome", name, OUTCOME_FORMS)
    return name


def summarise(result: Result, event: str = CONSOLIDATION) -> dict[str, float]:
    """Every outcome in ``OUTCOMES`` for one run, as floats."""
    return {name: outcome(result, name, event) for name in OUTCOMES}
