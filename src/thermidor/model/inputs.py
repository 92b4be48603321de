"""Time-series inputs (record): the war's fronts, cut-off territory, weather, the congress calendar.

Series are piecewise constant: a value holds from its date until the next date of the same series
and key. The baseline's values, each with its source, are in ``data/inputs.csv``; a scenario may
replace any series (``[inputs.<series>]`` or ``[inputs.<series>.<key>]``).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, replace
from importlib import resources

import numpy as np

from thermidor.engine import Calendar, Streams
from thermidor.model.world import REGIONS

# series -> allowed keys ("-" for a national series), value range
SERIES: dict[str, tuple[tuple[str, ...], float, float, str]] = {
    "world_war": (("-",), 0.0, 1.0, "intensity of the war with the Central Powers"),
    "civil_war": (("-",), 0.0, 1.0, "intensity of the civil war and intervention"),
    "white_threat": (("-",), 0.0, 1.0, "threat of a White restoration of the landlords"),
    "grievance": (("-",), 0.0, 2.0, "urban grievance in 1917: war, prices, lockouts, Kornilov"),
    "cut_off": (REGIONS, 0.0, 1.0, "share of a region cut off from the Soviet centre"),
    "war_zone": (REGIONS, 0.0, 1.0, "fighting over a region: destroys industry and crops"),
    "weather": (("-", *REGIONS), 0.2, 1.5, "harvest weather, 1 = an average prewar year"),
}
CALENDAR_KINDS = ("congress", "conference", "purge", "levy", "discussion", "soviet_congress")


@dataclass(frozen=True)
class Inputs:
    """Per-step arrays: national series ``(n_steps,)``, regional ``(n_steps, n_regions)``."""

    world_war: np.ndarray
    civil_war: np.ndarray
    white_threat: np.ndarray
    grievance: np.ndarray
    cut_off: np.ndarray
    war_zone: np.ndarray
    weather: np.ndarray
    congress: dict[int, str]
    purge: dict[int, str]
    conference: dict[int, str]
    levy: dict[int, int]  # step -> recruits
    discussion: dict[int, str]  # party-wide discussions: every member votes in his cell
    cc_size: dict[int, int]  # congress step -> size of the Central Committee elected
    soviet_congress: dict[int, str]  # All-Russian Congresses of Soviets (record: their dates)
    factions: dict[str, tuple[dt.date, dt.date]]  # declared periods (data/factions.csv)


RawSeries = dict[str, dict[str, dict[str, float]]]  # series -> key -> {date: value}


def load_baseline_series() -> tuple[RawSeries, list[dict[str, str]]]:
    """Read ``data/inputs.csv`` and ``data/calendar.csv`` shipped with the package."""
    raw: RawSeries = {}
    with resources.files("thermidor.model.data").joinpath("inputs.csv").open() as f:
        for row in csv.DictReader(f):
            raw.setdefault(row["series"], {}).setdefault(row["key"], {})[row["date"]] = float(
                row["value"]
            )
    with resources.files("thermidor.model.data").joinpath("calendar.csv").open() as f:
        cal = list(csv.DictReader(f))
    return raw, cal


def load_factions() -> dict[str, tuple[dt.date, dt.date]]:
    with resources.files("thermidor.model.data").joinpath("factions.csv").open() as f:
        return {
            r["faction"]: (dt.date.fromisoformat(r["from"]), dt.date.fromisoformat(r["to"]))
            for r in csv.DictReader(f)
        }


def _piecewise(cal: Calendar, points: dict[str, float], default: float) -> np.ndarray:
    out = np.full(cal.n_steps, default, dtype=np.float64)
    for day, value in sorted(points.items()):
        start = dt.date.fromisoformat(day)
        if start <= cal.start:
            out[:] = value
        elif cal.contains(start):
            out[cal.step_of(start) :] = value
    return out


def build_inputs(cal: Calendar, raw: RawSeries, calendar_rows: list[dict[str, str]]) -> Inputs:
    def national(name: str, default: float = 0.0) -> np.ndarray:
        return _piecewise(cal, raw.get(name, {}).get("-", {}), default)

    def regional(name: str, default: float) -> np.ndarray:
        series = raw.get(name, {})
        base = _piecewise(cal, series.get("-", {}), default)
        cols = [_piecewise(cal, series[r], default) if r in series else base for r in REGIONS]
        return np.stack(cols, axis=1)

    congress: dict[int, str] = {}
    purge: dict[int, str] = {}
    conference: dict[int, str] = {}
    levy: dict[int, int] = {}
    discussion: dict[int, str] = {}
    cc_size: dict[int, int] = {}
    soviet_congress: dict[int, str] = {}
    for row in calendar_rows:
        day = dt.date.fromisoformat(row["date"])
        if not cal.contains(day):
            continue
        k = cal.step_of(day)
        kind = row["kind"]
        if kind == "congress":
            congress[k] = row["name"]
            if row.get("size"):
                cc_size[k] = int(row["size"])
        elif kind == "conference":
            conference[k] = row["name"]
        elif kind == "purge":
            purge[k] = row["name"]
        elif kind == "soviet_congress":
            soviet_congress[k] = row["name"]
        elif kind == "discussion":
            discussion[k] = row["name"]
        elif kind == "levy":
            levy[k] = int(row["size"])
    return Inputs(
        world_war=national("world_war"),
        civil_war=national("civil_war"),
        white_threat=national("white_threat"),
        grievance=national("grievance"),
        cut_off=regional("cut_off", 0.0),
        war_zone=regional("war_zone", 0.0),
        weather=regional("weather", 1.0),
        congress=congress,
        purge=purge,
        conference=conference,
        levy=levy,
        discussion=discussion,
        cc_size=cc_size,
        soviet_congress=soviet_congress,
        factions=load_factions(),
    )


def weather_dispersion() -> float:
    """The record's year-to-year variability of the national harvest weather, as the standard
    deviation of a yearly log-multiplier: ``sd(diff(log w)) / sqrt(2)`` over the years
    ``data/inputs.csv`` gives (1917-1922), so that independent yearly draws change from one
    year to the next as much as the record does (0.12)."""
    raw, _ = load_baseline_series()
    points = [v for _, v in sorted(raw["weather"]["-"].items())]
    steps = np.diff(np.log(points))
    return float(np.std(steps, ddof=1) / np.sqrt(2.0))


def stochastic_weather(inputs: Inputs, cal: Calendar, seed: int) -> Inputs:
    """``[run] world = "stochastic"``: the harvest weather of every region times one multiplier
    per calendar year, ``exp(sigma z - sigma^2 / 2)`` (mean 1, ``sigma`` the record's dispersion,
    :func:`weather_dispersion`), ``z`` drawn from the run's own stream (``world.weather``), the
    result held in the series' range. Same seed, same weather; the record is its mean."""
    years = cal.dates.astype("datetime64[Y]").astype(np.int64) + 1970
    first = int(years.min())
    n = int(years.max()) - first + 1
    sigma = weather_dispersion()
    z = Streams(seed).get("world.weather", 0).standard_normal(n)
    factor = np.exp(sigma * z - 0.5 * sigma * sigma)[years - first]
    _, lo, hi, _ = SERIES["weather"]
    return replace(inputs, weather=np.clip(inputs.weather * factor[:, None], lo, hi))
