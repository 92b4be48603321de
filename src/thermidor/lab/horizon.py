"""A run's horizon as part of its scenario: ``until`` folded into ``run.end``.

``thermidor.run(..., until=)`` stops early but its manifest names the scenario's full span; the
lab instead ends the scenario itself, so the manifest (and the content key) say where it ends and
a rerun needs nothing else. Light on purpose: ``thermidor.simulate`` imports it.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

from thermidor.model.errors import ScenarioError
from thermidor.model.scenario import Scenario, as_date, load

ScenarioArg = str | Path | dict[str, Any] | Scenario


def parse_until(until: str | dt.date | None) -> dt.date | None:
    return None if until is None else as_date(until)


def with_horizon(scenario: ScenarioArg, until: str | dt.date | None = None) -> Scenario:
    """The scenario, ending at ``until`` if that comes before its end. The horizon becomes part
    of the scenario (and so of its manifest and content key), so a rerun needs nothing else."""
    sc = load(scenario)
    stop = parse_until(until)
    check_until(sc, stop)
    if stop is None or stop >= sc.end:
        return sc
    return dataclasses.replace(sc, end=stop)


def check_until(sc: Scenario, stop: dt.date | None) -> None:
    """Refuse a horizon outside the scenario's span, naming the span (a run cannot go on past
    the end of its inputs, and saying nothing would label later targets as if run)."""
    if stop is None:
        return
    if stop <= sc.start:
        raise ScenarioError("until", stop.isoformat(), f"a date after {sc.start}, up to {sc.end}")
    if stop > sc.end:
        raise ScenarioError(
            "until",
            stop.isoformat(),
            f"a date after {sc.start}, up to {sc.end} (the end of scenario {sc.name})",
        )
