"""What a client may ask the server for, validated from the parameter schema, and how a request
becomes a scenario for ``thermidor.run``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from thermidor.model.errors import ScenarioError
from thermidor.model.params import PARAMS, validate_value
from thermidor.model.scenario import Scenario, load, shipped

# The web runs at most this fine a scale: finer runs (up to one agent per person) are for the
# command line, where nobody shares the machine.
SCALE_MIN, SCALE_MAX = 50, 100_000
MAX_COMPARE = 8


class RunRequest(BaseModel):
    """A run: a shipped scenario, parameters changed from its values, a seed, a scale, an end."""

    model_config = ConfigDict(extra="forbid")

    scenario: str = Field("baseline", max_length=100, description="a shipped scenario's name")
    params: dict[str, float] = Field(
        default_factory=dict,
        max_length=len(PARAMS),
        description="parameter values by name (see /api/params for ranges)",
    )
    seed: int = Field(0, ge=0, le=2**63 - 1, description="the run's seed")
    scale: int | None = Field(
        None,
        ge=SCALE_MIN,
        le=SCALE_MAX,
        description="persons (or households) per agent for every population; empty: defaults",
    )
    end: dt.date | None = Field(None, description="stop the run at this date (a shorter horizon)")


class CompareRequest(BaseModel):
    """Several shipped scenarios run with the same seed, scale and end, to be compared."""

    model_config = ConfigDict(extra="forbid")

    scenarios: list[str] = Field(min_length=2, max_length=MAX_COMPARE)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    scale: int | None = Field(None, ge=SCALE_MIN, le=SCALE_MAX)
    end: dt.date | None = None


def check_scenario(name: str, path: str = "scenario") -> Scenario:
    """Only shipped scenarios: a client never names a file on the server."""
    names = shipped()
    if name not in names:
        raise ScenarioError(path, name, f"one of {', '.join(names)}")
    return load(name)


def scenario_source(
    name: str, params: dict[str, float], end: dt.date | None, path: str = "scenario"
) -> tuple[str | dict[str, Any], str]:
    """What to pass to ``thermidor.run`` and a label for people. An unedited shipped scenario
    is passed by name, so that it shares its runs (and their keys) with the command line."""
    base = check_scenario(name, path)
    current = base.resolved_params()
    changed: dict[str, float] = {}
    for k, v in params.items():
        value = validate_value(k, v)
        if value != current[k]:
            changed[k] = value
    if end is not None and not base.start < end:
        raise ScenarioError(
            "end", end.isoformat(), f"a date after the scenario's start ({base.start})"
        )
    if end is not None and end >= base.end:
        end = None
    title = base.meta.get("title", name)
    label = name
    if changed:
        shown = ", ".join(f"{k} = {v:g}" for k, v in sorted(changed.items())[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        title = f"{title} (edited: {shown}{more})"
        label = f"{name}: {shown}{more}"
    if end is not None:
        label += f" to {end}"
    if not changed and end is None:
        return name, label
    source: dict[str, Any] = {"extends": name, "meta": {"title": title}, "params": changed}
    if end is not None:
        source["run"] = {"end": end.isoformat()}
    return source, label
