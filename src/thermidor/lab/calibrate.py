"""Calibration: fit named free parameters to the essay's targets with ABC-SMC (pyabc).

Only *calibrated* targets are ever fitted: by default those whose ``calibrated_with`` (the
parameters declared as set with them in view) names one of the fitted parameters, or with
``all_calibrated`` every non-emergent target. An ``emergent`` target (one no parameter was set
for) is never used: it is what the model must produce on its own.

Each simulation draws a fresh seed, so the posterior carries the model's own randomness. The
distance is the root mean square of each target's miss in units of its tolerance (an event that
never happens, or a value the run cannot give, misses by ``MISS``). Prior: uniform over each
parameter's documented range. The posterior (particles and weights), the targets before and after
and a posterior predictive check are saved in the store (tables ``fits``, ``posterior``,
``fit_checks``; files under ``analyses/``), and pyabc's own history under ``analyses/pyabc/``.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thermidor.lab.ensemble import ScenarioArg, seeds_for, with_horizon
from thermidor.lab.errors import LabError, portable
from thermidor.lab.executors import Executor, Serial
from thermidor.lab.simulate import with_params
from thermidor.lab.store import ANALYSES, Store, digest
from thermidor.model.errors import ScenarioError
from thermidor.model.params import BY_NAME, suggest
from thermidor.model.result import Result
from thermidor.model.run import ScaleArg, resolve_scales, run, source_hash
from thermidor.model.scenario import Scenario
from thermidor.model.targets import (
    Target,
    calibrated_by,
    event_month,
    load_targets,
    modelled,
    months_off,
    score,
    value_of,
)

MISS = 10.0  # distance of a target the run misses altogether, in tolerances
CHECK_SEEDS = 8


# -- targets --------------------------------------------------------------------------------
def check_params(names: Sequence[str]) -> list[str]:
    if not names:
        raise LabError("params", [], "at least one parameter name (see `thermidor params`)")
    out = []
    for n in names:
        if n not in BY_NAME:
            raise LabError("params", n, "a declared parameter", suggest(n, list(BY_NAME)))
        if n not in out:
            out.append(n)
    return out


def candidate_targets(
    params: Sequence[str], *, all_calibrated: bool = False, only: Sequence[str] | None = None
) -> list[Target]:
    """The calibrated targets a fit of ``params`` may use (checked before any run)."""
    targets = {t.id: t for t in load_targets()}
    if not only:
        return [
            t
            for t in targets.values()
            if calibrated_by(t.id) and (all_calibrated or set(calibrated_by(t.id)) & set(params))
        ]
    chosen = []
    for tid in only:
        if tid not in targets:
            raise LabError("target", tid, "a target id", suggest(tid, list(targets)))
        if not calibrated_by(tid):
            raise LabError("target", tid, "a calibrated target: emergent targets are never fitted")
        chosen.append(targets[tid])
    return chosen


def choose_targets(
    params: Sequence[str],
    probe: Result,
    *,
    all_calibrated: bool = False,
    only: Sequence[str] | None = None,
) -> tuple[list[Target], list[str]]:
    """The targets to fit (never an emergent one) that the probe run can give, and notes on
    those left out."""
    notes: list[str] = []
    usable = []
    for t in candidate_targets(params, all_calibrated=all_calibrated, only=only):
        if modelled([probe], t):
            usable.append(t)
        else:
            notes.append(f"{t.id} ({t.quantity}, {t.when}) left out: not modelled in these runs")
    if not usable:
        linked = sorted({p for t in load_targets() for p in calibrated_by(t.id)})
        raise LabError(
            "params",
            list(params),
            "parameters that a calibrated target inside the runs' horizon names in its "
            f"calibrated_with ({', '.join(linked)}), or --all-calibrated",
        )
    return usable, notes


def statistic(result: Result, t: Target) -> float:
    """A run's summary for one target: the value, or an event's months from its target month
    (NaN when the event never happens or the value is not produced)."""
    if t.kind == "event":
        when = event_month(result, t)
        if when is None:
            return float("nan")
        return months_off(t, when)
    return value_of(result, t)


def observed(t: Target) -> float:
    return 0.0 if t.kind == "event" else float(t.value or 0.0)


def miss(t: Target, x: float) -> float:
    """How far a run's statistic lies from the target, in tolerances."""
    if x is None or math.isnan(x):
        return MISS
    tol = t.tolerance or (1.0 if t.kind == "event" else max(abs(observed(t)) * 0.1, 1e-9))
    if t.compare == "at_least":
        return max(0.0, observed(t) - x) / tol
    return abs(x - observed(t)) / tol


@dataclass(frozen=True)
class Model:
    """The model as pyabc sees it (picklable, for pyabc's multicore and Dask samplers)."""

    scenario: Scenario
    scales: dict[str, int]
    targets: tuple[Target, ...]

    def __call__(self, pars: dict[str, float]) -> dict[str, float]:
        seed = int(np.random.randint(0, 2**31 - 1))  # pyabc's generator: seeded by the fit
        try:
            sc = with_params(self.scenario, {k: float(v) for k, v in dict(pars).items()})
            result = run(sc, seed, self.scales)
        except ScenarioError as e:
            raise portable(e) from None
        return {t.id: statistic(result, t) for t in self.targets}


@dataclass(frozen=True)
class Distance:
    targets: tuple[Target, ...]

    def __call__(self, x: dict[str, float], x0: dict[str, float]) -> float:
        d = [miss(t, float(x[t.id])) for t in self.targets]
        return float(np.sqrt(np.mean(np.square(d))))


# -- checks -------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CheckRun:
    scenario: Scenario
    scales: dict[str, int]
    values: dict[str, float]
    seed: int


def check_run(c: CheckRun) -> Result:
    try:
        return run(with_params(c.scenario, c.values), c.seed, c.scales)
    except ScenarioError as e:
        raise portable(e) from None


def _runs(ex: Executor, checks: list[CheckRun]) -> list[Result]:
    out: list[Result | None] = [None] * len(checks)
    for i, r in ex.map_unordered(check_run, checks):
        out[i] = r
    return [r for r in out if r is not None]


def score_stage(
    results: list[Result], targets: Sequence[Target], stage: str
) -> list[dict[str, Any]]:
    ids = {t.id for t in targets}
    keep = (
        "id",
        "quantity",
        "when",
        "target",
        "tolerance",
        "simulated_median",
        "p10",
        "p90",
        "hit_rate",
        "occurred_share",
        "passed",
    )
    return [
        {"stage": stage, **{k: _plain(r[k]) for k in keep}}
        for r in score(results)
        if r["id"] in ids
    ]


def weighted_quantile(x: np.ndarray, w: np.ndarray, q: float) -> float:
    order = np.argsort(x)
    cw = np.cumsum(w[order]) / np.sum(w)
    i = min(int(np.searchsorted(cw, q)), x.size - 1)
    return float(x[order][i])


# -- the fit ------------------------------------------------------------------------------------
@dataclass
class Fit:
    analysis: str
    params: list[str]
    targets: list[str]
    posterior: pd.DataFrame  # particle, weight, one column per parameter
    summary: list[dict[str, Any]]  # per parameter: default, range, mean, q05, median, q95
    checks: list[dict[str, Any]]  # per target and stage (before, after, predictive)
    epsilon: float
    simulations: int
    sampler: str
    notes: list[str] = field(default_factory=list)


def calibrate(
    params: Sequence[str],
    *,
    population: int = 100,
    generations: int = 5,
    scenario: ScenarioArg = "baseline",
    until: str | dt.date | None = None,
    scale: ScaleArg = None,
    root: int = 0,
    workers: int = 1,
    scheduler: str | None = None,
    all_calibrated: bool = False,
    targets: Sequence[str] | None = None,
    check_seeds: int = CHECK_SEEDS,
    store: Store | None = None,
    executor: Executor | None = None,
    on_generation: Callable[[int, float], None] | None = None,
) -> Fit:
    """Fit ``params`` by ABC-SMC and save the posterior in the store."""
    import pyabc

    names = check_params(params)
    for opt, v, least in (
        ("population", population, 2),
        ("generations", generations, 1),
        ("check_seeds", check_seeds, 1),
        ("workers", workers, 1),
    ):
        if isinstance(v, bool) or not isinstance(v, int) or v < least:
            raise LabError(opt, v, f"a whole number >= {least}")
    candidate_targets(names, all_calibrated=all_calibrated, only=targets)  # before any run
    store = store or Store()
    sc = with_horizon(scenario, until)
    scales = resolve_scales(scale)
    members = seeds_for(check_seeds, root)
    ex = executor or Serial()
    before = _runs(ex, [CheckRun(sc, scales, {}, s) for s in members])
    used, notes = choose_targets(names, before[0], all_calibrated=all_calibrated, only=targets)
    config = {
        "params": names,
        "targets": [t.id for t in used],
        "population": population,
        "generations": generations,
        "scenario": sc.to_dict(),
        "scales": scales,
        "root": root,
        "source_hash": source_hash(),
    }
    analysis = "fit-" + digest(config, 16)

    for name in ("ABC", "pyabc", "Sampler", "Epsilon", "Distance", "Acceptor", "History"):
        logging.getLogger(name).setLevel(logging.WARNING)
    prior = pyabc.Distribution(
        **{n: pyabc.RV("uniform", BY_NAME[n].lo, BY_NAME[n].hi - BY_NAME[n].lo) for n in names}
    )
    client = None
    if scheduler:
        from thermidor.lab.executors import connect

        client = connect(scheduler)
        sampler: Any = pyabc.sampler.DaskDistributedSampler(dask_client=client)
        sampler_name = f"dask ({scheduler})"
    elif workers > 1:
        sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=workers)
        sampler_name = f"multicore ({workers} processes)"
    else:
        sampler = pyabc.sampler.SingleCoreSampler()
        sampler_name = "single core"
    model = Model(sc, scales, tuple(used))
    abc = pyabc.ABCSMC(
        model, prior, Distance(tuple(used)), population_size=population, sampler=sampler
    )
    folder = store.root / ANALYSES / "pyabc"
    folder.mkdir(parents=True, exist_ok=True)
    db = folder / f"{analysis}.sqlite"
    db.unlink(missing_ok=True)
    np.random.seed(root % 2**32)  # pyabc draws from numpy's global generator
    try:
        abc.new("sqlite:///" + str(db.resolve()), {t.id: observed(t) for t in used})
        history = abc.run(max_nr_populations=generations, minimum_epsilon=0.0)
    finally:
        if client is not None:
            client.close()
    frame, weights = history.get_distribution(m=0, t=history.max_t)
    pops = history.get_all_populations()
    epsilon = float(pops["epsilon"].iloc[-1])
    simulations = int(history.total_nr_simulations)
    posterior = pd.DataFrame({"particle": np.arange(len(frame)), "weight": np.asarray(weights)})
    for n in names:
        posterior[n] = frame[n].to_numpy(dtype=float)
    summary = _summary(posterior, names)

    best = {s["param"]: s["median"] for s in summary}
    after = _runs(ex, [CheckRun(sc, scales, best, s) for s in members])
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([root, 1])))
    w = posterior["weight"].to_numpy()
    picks = rng.choice(len(posterior), size=check_seeds, p=w / w.sum())
    draws = [{n: float(posterior[n].iloc[i]) for n in names} for i in picks]
    predictive = _runs(
        ex,
        [
            CheckRun(sc, scales, d, s)
            for d, s in zip(draws, seeds_for(check_seeds, root + 1), strict=True)
        ],
    )
    checks = (
        score_stage(before, used, "before")
        + score_stage(after, used, "after")
        + score_stage(predictive, used, "predictive")
    )
    fit = Fit(
        analysis,
        names,
        [t.id for t in used],
        posterior,
        summary,
        checks,
        epsilon,
        simulations,
        sampler_name,
        notes,
    )
    _save(store, fit, config, db)
    return fit


def _summary(posterior: pd.DataFrame, names: list[str]) -> list[dict[str, Any]]:
    w = posterior["weight"].to_numpy()
    out = []
    for n in names:
        x = posterior[n].to_numpy()
        p = BY_NAME[n]
        out.append(
            {
                "param": n,
                "default": p.default,
                "lo": p.lo,
                "hi": p.hi,
                "mean": float(np.sum(w * x) / np.sum(w)),
                "q05": weighted_quantile(x, w, 0.05),
                "median": weighted_quantile(x, w, 0.5),
                "q95": weighted_quantile(x, w, 0.95),
            }
        )
    return out


def _save(store: Store, fit: Fit, config: dict[str, Any], db: Path) -> None:
    long = fit.posterior.melt(id_vars=["particle", "weight"], var_name="param", value_name="value")
    store.save_analysis("posterior", fit.analysis, long)
    checks = pd.DataFrame(fit.checks)
    for col in ("target", "simulated_median", "p10", "p90"):
        checks[col] = checks[col].map(lambda v: None if v is None else str(v))
    store.save_analysis("fit_checks", fit.analysis, checks)
    meta = pd.DataFrame(
        [
            {
                "params": json.dumps(fit.params),
                "targets": json.dumps(fit.targets),
                "population": config["population"],
                "generations": config["generations"],
                "epsilon": fit.epsilon,
                "simulations": fit.simulations,
                "sampler": fit.sampler,
                "until": config["scenario"]["run"]["end"],
                "scales": json.dumps(config["scales"]),
                "root": config["root"],
                "source_hash": config["source_hash"],
                "summary": json.dumps(fit.summary),
                "pyabc_db": str(db),
            }
        ]
    )
    store.save_analysis("fits", fit.analysis, meta)


def _plain(v: Any) -> Any:
    if isinstance(v, (np.floating, np.integer)):
        return v.item()
    if isinstance(v, float) and math.isnan(v):
        return None
    return v


__all__ = ["Fit", "calibrate", "choose_targets", "score_stage"]
