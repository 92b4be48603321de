"""``thermidor.simulate(**params) -> dict``: the model as a function of its parameters, for
SALib, EMA workbench or any optimiser.

    >>> import thermidor
    >>> thermidor.simulate(**{"parties.ban_readiness": 0.5}, seed=3)
    {'consolidated': 0.0, 'consolidation_year': nan, ...}
    >>> thermidor.simulate(parties__ban_readiness=0.5, outcomes=("date", "workers_democracy"))
    {'date': array(['1917-03-01', ...], dtype='datetime64[D]'), 'workers_democracy': array([...])}

Parameter names are the schema's (``thermidor params``); a keyword may spell the dot as a double
underscore (``parties__ban_readiness=0.5``), as EMA workbench and most optimisers need names that
are Python identifiers. Unknown names and values outside a parameter's range raise
``ScenarioError`` naming the parameter and its range. An outcome named after an indicator
(``workers_democracy``) is its weekly time series, and ``date`` the dates of its steps.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np

from thermidor.lab.horizon import with_horizon
from thermidor.lab.outcomes import (
    CONSOLIDATION,
    OUTCOMES,
    check_outcome,
    is_series,
    outcome,
    series,
)
from thermidor.model.params import validate_value
from thermidor.model.run import ScaleArg, run
from thermidor.model.scenario import Scenario


def with_params(scenario: Scenario, params: Mapping[str, Any]) -> Scenario:
    """The scenario with these parameter values (validated against the schema)."""
    values = dict(scenario.params)
    for name, value in params.items():
        name = name.replace("__", ".")
        values[name] = validate_value(name, value, hard=scenario.ranges == "hard")
    return dataclasses.replace(scenario, params=values)


def simulate(
    *,
    seed: int = 0,
    until: str | dt.date | None = None,
    scale: ScaleArg = None,
    scenario: str | Path | dict[str, Any] | Scenario = "baseline",
    outcomes: tuple[str, ...] | None = None,
    event: str = CONSOLIDATION,
    **params: Any,
) -> dict[str, Any]:
    """Run ``scenario`` (the baseline) with these parameter values; return its outcomes, by
    default the scalars in ``thermidor.lab.outcomes.OUTCOMES`` (floats): ``consolidated`` (0/1
    by the end of 1929), ``consolidation_year`` (NaN if never), ``workers_democracy_1927``,
    ``party_democracy_1927``, ``working_class_1920``, ``industrial_output_1920``...

    ``outcomes`` names those wanted: any of these, ``INDICATOR_YYYY`` (an indicator's mean over
    a year, a float), an indicator's name (its value at every step, a float64 array) or
    ``date`` (the steps' first days, a ``datetime64[D]`` array)."""
    names = [check_outcome(n) for n in (outcomes or tuple(OUTCOMES))]
    sc = with_params(with_horizon(scenario, until), params)
    result = run(sc, seed, scale)
    out: dict[str, float | np.ndarray] = {}
    for name in names:
        out[name] = series(result, name) if is_series(name) else outcome(result, name, event)
    return out
