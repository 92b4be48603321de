"""Parameter sweeps: a grid or a Latin hypercube over named parameters, × seeds, in the store.

The lab's counterpart of NetLogo's BehaviorSpace and Mesa's ``batch_run``: every point of the
design is the scenario with those parameter values (validated against the schema like any
scenario), run with the ensemble's member seeds (member ``k`` uses child ``k`` of
``SeedSequence(root)``, so the points share their random numbers and differ by their parameters
only). Each run is kept in the store under its content key: a sweep killed at any moment and run
again finishes without running anything twice, and a point already run by ``ensemble``,
``compare`` or another sweep is reused.

``sweep`` returns a DataFrame, one row per run: ``point``, the parameters, ``member``, ``seed``,
``key`` and the outcomes (``thermidor.lab.outcomes``); ``by_point`` averages it over seeds.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from thermidor.lab.ensemble import ScenarioArg, check_seeds, plan, run_jobs, seeds_for
from thermidor.lab.errors import LabError
from thermidor.lab.executors import Executor
from thermidor.lab.horizon import with_horizon
from thermidor.lab.outcomes import CONSOLIDATION, check_outcome, outcome
from thermidor.lab.simulate import with_params
from thermidor.lab.store import Store
from thermidor.model.params import BY_NAME, validate_value
from thermidor.model.run import ScaleArg

Design = Literal["grid", "lhs"]
DESIGNS: tuple[Design, ...] = ("grid", "lhs")
DEFAULT_OUTCOMES = ("consolidated", "consolidation_year", "workers_democracy_1927")
Progress = Callable[[int, int, int], None]


def grid(values: Mapping[str, Sequence[float]]) -> list[dict[str, float]]:
    """Every combination of the values given for each parameter (the first varies slowest)."""
    names = list(values)
    for n in names:
        if not list(values[n]):
            raise LabError(f"sweep.{n}", "(no values)", "one value or more")
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*values.values())]


def latin_hypercube(
    ranges: Mapping[str, tuple[float, float]], samples: int, seed: int = 0
) -> list[dict[str, float]]:
    """``samples`` points, each parameter's range cut into ``samples`` equal strata with one
    point in each (scipy's LatinHypercube, seeded: the same seed gives the same design)."""
    from scipy.stats import qmc

    if isinstance(samples, bool) or not isinstance(samples, int) or samples < 2:
        raise LabError("samples", samples, "a whole number >= 2 (points of the hypercube)")
    names = list(ranges)
    unit = qmc.LatinHypercube(d=len(names), rng=np.random.default_rng(seed)).random(samples)
    lo = np.array([ranges[n][0] for n in names])
    hi = np.array([ranges[n][1] for n in names])
    pts = qmc.scale(unit, lo, hi) if np.all(hi > lo) else lo + unit * (hi - lo)
    return [{n: float(v) for n, v in zip(names, row, strict=True)} for row in pts]


def design_points(
    params: Mapping[str, Any],
    design: Design = "grid",
    samples: int | None = None,
    sample_seed: int = 0,
    hard: bool = False,
) -> list[dict[str, float]]:
    """The points of the design. ``grid``: ``params`` maps each name to its values. ``lhs``: to
    ``(lo, hi)``, or None for the parameter's documented range. Every value is checked against
    the schema (unknown names and values outside the range are refused, naming them)."""
    if design not in DESIGNS:
        raise LabError("design", design, " | ".join(DESIGNS))
    if not params:
        raise LabError("sweep", "(no parameters)", "one parameter or more to vary")
    if design == "grid":
        if samples is not None:
            raise LabError("samples", samples, "only with design lhs (a grid has its values)")
        values = {}
        for name, vs in params.items():
            seq = [vs] if isinstance(vs, int | float) else list(vs)
            values[name] = [validate_value(name, v, "sweep", hard) for v in seq]
        return grid(values)
    ranges = {}
    for name, bounds in params.items():
        if bounds is None:
            if name not in BY_NAME:
                validate_value(name, 0.0, "sweep")  # refused, naming the nearest parameter
            bounds = (BY_NAME[name].lo, BY_NAME[name].hi)
        if isinstance(bounds, str | int | float) or len(bounds) != 2:
            raise LabError(f"sweep.{name}", bounds, "a range (lo, hi), or None for its own")
        lo, hi = (validate_value(name, b, "sweep", hard) for b in bounds)
        if hi < lo:
            raise LabError(f"sweep.{name}", f"{lo:g}:{hi:g}", "a range lo:hi with lo <= hi")
        ranges[name] = (lo, hi)
    return latin_hypercube(ranges, 10 if samples is None else samples, sample_seed)


def sweep(
    params: Mapping[str, Any],
    *,
    design: Design = "grid",
    samples: int | None = None,
    sample_seed: int = 0,
    seeds: int = 1,
    root: int = 0,
    scenario: ScenarioArg = "baseline",
    until: str | dt.date | None = None,
    scale: ScaleArg = None,
    outcomes: Sequence[str] | None = None,
    event: str = CONSOLIDATION,
    store: Store | None = None,
    executor: Executor | None = None,
    on_progress: Progress | None = None,
) -> pd.DataFrame:
    """Run (or complete from the store) every point of the design × ``seeds`` members and return
    one row per run with its outcomes.

    >>> sweep({"factions.ban_readiness": [0.0, 0.5, 1.0]}, seeds=2, until="1922-01-01")
    """
    names = [check_outcome(n) for n in (outcomes or DEFAULT_OUTCOMES)]
    base = with_horizon(scenario, until)
    points = design_points(params, design, samples, sample_seed, hard=base.ranges == "hard")
    members = seeds_for(check_seeds(seeds), root)
    store = store or Store()
    plans = [plan(with_params(base, pt), members, scale) for pt in points]
    where = str(store.root.resolve())
    run_jobs([j for p in plans for j in p.jobs(where)], store, executor, on_progress)
    rows = []
    for i, (pt, p) in enumerate(zip(points, plans, strict=True)):
        for k, (seed, key) in enumerate(zip(p.seeds, p.keys, strict=True)):
            result = store.load(key)
            rows.append({
                "point": i, **pt, "member": k, "seed": seed, "key": key,
                **{n: outcome(result, n, event) for n in names},
            })  # fmt: skip
    frame = pd.DataFrame(rows)
    frame.attrs.update(
        design=design,
        params=list(params),
        outcomes=names,
        seeds=seeds,
        root=root,
        scenario=base.name,
        until=base.end.isoformat(),
    )
    return frame


def by_point(frame: pd.DataFrame) -> pd.DataFrame:
    """The sweep averaged over seeds: one row per point, the outcomes' means and ``runs``."""
    params = list(frame.attrs.get("params", []))
    outcomes = list(frame.attrs.get("outcomes", []))
    g = frame.groupby("point", sort=True)
    out = g[params].first()
    out["runs"] = g.size()
    for n in outcomes:
        out[n] = g[n].mean()
    out = out.reset_index()
    out.attrs.update(frame.attrs)
    return out
