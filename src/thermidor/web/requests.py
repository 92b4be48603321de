"""What a client may ask the server for, validated from the parameter schema, and how a request
becomes a scenario for ``thermidor.run``."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from thermidor.lab.ensemble import with_horizon
from thermidor.lab.simulate import with_params
from thermidor.model.decisions import DECISIONS
from thermidor.model.errors import ScenarioError
from thermidor.model.params import PARAMS, validate_value
from thermidor.model.scenario import Scenario, load, shipped

# The web runs at most this fine a scale: finer runs (up to one agent per person) are for the
# command line, where nobody shares the machine.
SCALE_MIN, SCALE_MAX = 50, 100_000
MAX_COMPARE = 8


# numbers as JSON numbers (not true, not "1"), finite (not NaN or Infinity)
Number = Annotated[float, Field(strict=True, allow_inf_nan=False)]
Seed = Annotated[int, Field(strict=True, ge=0, le=2**128 - 1)]
Scale = Annotated[int, Field(strict=True, ge=SCALE_MIN, le=SCALE_MAX)]


class RunRequest(BaseModel):
    """A run: a shipped scenario, parameters changed from its values, a seed, a scale, an end."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    scenario: str = Field("baseline", max_length=100, description="a shipped scenario's name")
    params: dict[str, Number] = Field(
        default_factory=dict,
        max_length=len(PARAMS),
        description="parameter values by name (see /api/params for ranges)",
    )
    seed: Seed = Field(0, description="the run's seed")
    scale: Scale | None = Field(
        None,
        description="persons (or households) per agent for every population; empty: defaults",
    )
    end: dt.date | None = Field(None, description="stop the run at this date (a shorter horizon)")
    force: dict[str, str] = Field(
        default_factory=dict,
        max_length=len(DECISIONS),
        description='forced decisions (see /api/decisions): "never" or a date within the run',
    )
    paused: bool = Field(False, description="start paused, to step week by week (playback)")


class CompareRequest(BaseModel):
    """Several shipped scenarios run with the same seed, scale and end, to be compared."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    scenarios: list[str] = Field(min_length=2, max_length=MAX_COMPARE)
    seed: Seed = 0
    scale: Scale | None = None
    end: dt.date | None = None


class CancelRequest(BaseModel):
    """A cancel: an empty JSON object (a body, so that no form or plain link can send one)."""

    model_config = ConfigDict(extra="forbid")


def check_scenario(name: str, path: str = "scenario") -> Scenario:
    """Only shipped scenarios: a client never names a file on the server."""
    names = shipped()
    if name not in names:
        raise ScenarioError(path, name, f"one of {', '.join(names)}")
    return load(name)


def scenario_source(
    name: str,
    params: dict[str, float],
    end: dt.date | None,
    path: str = "scenario",
    force: dict[str, str] | None = None,
) -> tuple[Scenario, str]:
    """The scenario to run and a label for people. The horizon and the parameters are set as the
    lab sets them (``with_horizon``, ``with_params``), so an unedited scenario shares its runs,
    and their keys, with ``thermidor ensemble`` and ``compare``; an edited one says so in its
    title."""
    base = check_scenario(name, path)
    current = base.resolved_params()
    changed: dict[str, float] = {}
    for k, v in params.items():
        value = validate_value(k, v)
        if value != current[k]:
            changed[k] = value
    if end is not None and not base.start < end <= base.end:
        raise ScenarioError(
            "end",
            end.isoformat(),
            f"a date after the scenario's start ({base.start}), up to its end ({base.end})",
        )
    forced = {k: v for k, v in (force or {}).items() if base.force.get(k) != v}
    if forced:  # validated as a scenario file's [force] table is, and shown in the title
        meta = {**base.meta, "title": f"{base.meta.get('title', name)} (forced: "
                + ", ".join(f"{k} = {v}" for k, v in sorted(forced.items())) + ")"}  # fmt: skip
        base = dataclasses.replace(
            load({"extends": name, "force": forced}), name=base.name, meta=meta
        )
    sc = with_horizon(base, end)
    label = name
    if forced:
        label += ": " + ", ".join(f"{k} {v}" for k, v in sorted(forced.items()))
    if changed:
        shown = ", ".join(f"{k} = {v:g}" for k, v in sorted(changed.items())[:3])
        more = f" and {len(changed) - 3} more" if len(changed) > 3 else ""
        title = f"{base.meta.get('title', name)} (edited: {shown}{more})"
        sc = dataclasses.replace(with_params(sc, changed), meta={**sc.meta, "title": title})
        label += f"{'; ' if forced else ': '}{shown}{more}"
    if sc.end != base.end:
        label += f" to {sc.end}"
    return sc, label
