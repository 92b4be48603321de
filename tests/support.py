"""Helpers shared by the tests: coarse scales, scenario dicts extending the baseline, window means.

The foundation (the 1917-1921 model) is tested on runs that stop at the end of 1921 whatever the
baseline's own end: the simulation is causal, so a run cut at 1921 is the baseline's first five
years step for step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np

import thermidor
from thermidor import Result

FOUNDATION_END = dt.date(1921, 12, 31)
# Coarse agents for tests about direction, not fidelity (persons per agent).
COARSE = {"households": 5000, "workers": 1000, "soldiers": 2000, "members": 100, "officials": 1000}
POPULATIONS = (
    "workers",
    "soldiers",
    "officials",
    "villagers",
    "townsfolk",
    "households",
    "members",
)
# The decision rules of the 1917-1921 model.
FOUNDATION_DECISIONS = (
    "insurrection", "kadets_banned", "right_srs_banned", "left_srs_banned",
    "mensheviks_lose_legality", "requisitioning", "new_economic_policy",
)  # fmt: skip


def extend(
    params: dict[str, Any] | None = None,
    inputs: dict[str, Any] | None = None,
    force: dict[str, Any] | None = None,
    end: dt.date = FOUNDATION_END,
) -> dict[str, Any]:
    """A scenario dict: the baseline to ``end`` with the given changes."""
    scenario: dict[str, Any] = {"extends": "baseline", "run": {"end": end.isoformat()}}
    if params:
        scenario["params"] = params
    if inputs:
        scenario["inputs"] = inputs
    if force:
        scenario["force"] = force
    return scenario


def run_coarse(seed: int = 0, until: dt.date = FOUNDATION_END, **changes: Any) -> Result:
    """The baseline with ``changes`` (params=, inputs=, force=) at the coarse scale.

    Every such run is also checked for the conservation of persons, so each counterfactual the
    suite runs is one more check that nobody is created or lost without a named cause.
    """
    result = thermidor.run(extend(**changes), seed=seed, scale=COARSE, until=until)
    assert_conserved(result)
    return result


def assert_conserved(result: Result) -> None:
    """Each population's total is its start plus its named inflows minus its named outflows."""
    ledger = result.ledger
    assert set(POPULATIONS) <= set(ledger["expected"])
    assert ledger["expected"] == ledger["actual"]
    assert all(total >= 0 for total in ledger["actual"].values())


def window_mean(result: Result, column: str, start: str, end: str) -> float:
    """Mean of a column over the steps whose first day is in ``[start, end)``."""
    dates = result.dates
    sel = (dates >= np.datetime64(start)) & (dates < np.datetime64(end))
    values = np.asarray(result.columns[column], dtype=float)[sel]
    if values.size == 0 or np.all(np.isnan(values)):
        raise AssertionError(f"{column} has no value in [{start}, {end})")
    return float(np.nanmean(values))


def first_date(result: Result, kind: str, **match: Any) -> dt.date | None:
    event = result.first(kind, **match)
    return None if event is None else result.date_of(event)
