"""Global sensitivity: Morris screening of every parameter, then Sobol indices by group.

Factors are every parameter of the schema, over its documented range ``[Param.lo, Param.hi]``,
and ``chance``: a uniform variable mapped to a member seed, so that the share of the variance
due to chance is measured like any other. Sobol indices (SALib, Saltelli's scheme, first and total
order) group the factors as ``structural``, ``political`` and ``chance`` (``Param.cls``);
parameters of class ``definition`` (what an outcome means) are held fixed, never factors.

The ranges are frozen before any run (they are written into the analysis id and the output), and
the grouped indices are repeated with every range narrowed and widened by half around the
default, clipped at the parameter's hard bounds, so a reader sees how much the answer depends on
the ranges. The hard bounds are the values the model accepts (``validate_value``); where widening
is clipped everywhere the widened set is the documented one and is not run twice.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import math
import os
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thermidor.lab.ensemble import ScenarioArg, with_horizon
from thermidor.lab.errors import LabError, portable
from thermidor.lab.executors import Executor, Serial
from thermidor.lab.outcomes import OUTCOMES, check_outcome, outcome
from thermidor.lab.seeds import member_seed
from thermidor.lab.simulate import with_params
from thermidor.lab.store import Store, digest
from thermidor.model.errors import RunError, ScenarioError
from thermidor.model.params import PARAMS, Param
from thermidor.model.run import ScaleArg, resolve_scales, run, source_hash
from thermidor.model.scenario import Scenario

GROUPS = ("structural", "political", "chance")
RANGE_SETS = ("documented", "narrowed", "widened")
THRESHOLD_SETS = ("thresholds_low", "thresholds_high")
"""The documented ranges with every ``definition`` parameter at its first (``_low``) or last
(``_high``) declared alternative (``Param.alternatives``) instead of its value."""
SETS = RANGE_SETS + THRESHOLD_SETS
DEFAULT_OUTCOMES = ("consolidated", "consolidation_year_censored", "workers_democracy_1927")
SEED_POOL = 4096  # chance in [0, 1) picks one of this many member seeds
CHANCE = "chance"
MORRIS_LEVELS = 4


@dataclass(frozen=True)
class Factor:
    name: str
    lo: float
    hi: float
    group: str
    clipped: bool = False


def hard_bounds(p: Param) -> tuple[float, float]:
    """The widest values the model accepts for a parameter."""
    return (float(getattr(p, "hard_lo", p.lo)), float(getattr(p, "hard_hi", p.hi)))


def factors(ranges: str = "documented") -> list[Factor]:
    """Every parameter as a factor over the documented, narrowed or widened range, and chance.

    Narrowed and widened ranges keep the default where it is and scale each side of it by a
    half and by one and a half; a widened side stops at the hard bound (``clipped``).
    """
    if ranges not in SETS:
        raise LabError("ranges", ranges, f"one of {', '.join(SETS)}")
    if ranges in THRESHOLD_SETS:
        return factors("documented")
    scale = {"documented": 1.0, "narrowed": 0.5, "widened": 1.5}[ranges]
    out = []
    for p in PARAMS:
        if p.cls == "definition":  # what an outcome means: held fixed, never a factor
            continue
        if ranges == "documented":
            out.append(Factor(p.name, float(p.lo), float(p.hi), p.cls))
            continue
        d = min(max(float(p.default), p.lo), p.hi)
        lo, hi = d - scale * (d - p.lo), d + scale * (p.hi - d)
        hard_lo, hard_hi = hard_bounds(p)
        clipped = lo < hard_lo or hi > hard_hi
        lo, hi = max(lo, hard_lo), min(hi, hard_hi)
        if hi <= lo:  # a point range (default at both bounds): SALib needs a width
            hi = min(lo + 1e-9, hard_hi)
        out.append(Factor(p.name, lo, hi, p.cls, clipped))
    out.append(Factor(CHANCE, 0.0, 1.0, CHANCE))
    return out


def definitions(ranges: str) -> dict[str, float]:
    """The values a set gives the ``definition`` parameters: none (their declared values) but
    in a thresholds set, where each one that declares alternatives takes its first or last."""
    if ranges not in THRESHOLD_SETS:
        return {}
    pick = 0 if ranges == "thresholds_low" else -1
    return {p.name: float(p.alternatives[pick]) for p in PARAMS
            if p.cls == "definition" and p.alternatives}  # fmt: skip


def seed_of(u: float, root: int = 0) -> int:
    """Chance ``u`` in [0, 1] as a member seed: member ``floor(u * SEED_POOL)`` of ``root``
    (``lab/seeds.py``)."""
    k = min(math.floor(u * SEED_POOL), SEED_POOL - 1)
    return member_seed(root, k)


@dataclass(frozen=True)
class Point:
    """One model evaluation: parameter values and a seed."""

    scenario: Scenario
    scales: dict[str, int]
    values: dict[str, float]
    seed: int
    outcomes: tuple[str, ...]


def evaluate(point: Point) -> tuple[float, ...]:
    """The outcomes of one point; a run that cannot go on names the point (seed and values), so
    that it can be made again alone (``thermidor run`` with those parameters)."""
    try:
        sc = with_params(point.scenario, point.values)
        result = run(sc, point.seed, point.scales)
    except ScenarioError as e:
        raise portable(e) from None
    except RunError as e:
        values = ", ".join(f"{k}={v:.6g}" for k, v in point.values.items())
        where = f"at the point of seed {point.seed}: {values}"
        raise RunError(e.path, e.value, e.allowed, f"{e.hint}; {where}" if e.hint else where) from e
    return tuple(outcome(result, name) for name in point.outcomes)


def read_checkpoint(log: Path, n_outcomes: int) -> dict[int, tuple[float, ...]]:
    """The evaluations an interrupted analysis already made (one JSON line per point).

    A line cut short by the interruption (the last one, at most) is ignored: that point runs again.
    """
    done: dict[int, tuple[float, ...]] = {}
    if not log.exists():
        return done
    for line in log.read_text().splitlines():
        try:
            rec = json.loads(line)
            i, values = int(rec["i"]), tuple(float(v) for v in rec["y"])
        except (ValueError, KeyError, TypeError):
            continue
        if len(values) == n_outcomes:
            done[i] = values
    return done


@contextmanager
def _appending(log: Path | None) -> Iterator[Callable[[int, tuple[float, ...]], None]]:
    """Append each evaluation to the checkpoint as it arrives, flushed to disk line by line."""
    if log is None:
        yield lambda i, values: None
        return
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("a+b") as probe:  # a line cut short by a kill: the next starts on its own
        if probe.tell() and (probe.seek(-1, os.SEEK_END), probe.read(1))[1] != b"\n":
            probe.write(b"\n")
    with log.open("a") as handle:

        def write(i: int, values: tuple[float, ...]) -> None:
            handle.write(json.dumps({"i": i, "y": [float(v) for v in values]}) + "\n")
            handle.flush()
            os.fsync(handle.fileno())

        yield write


def _problem(fs: Sequence[Factor], grouped: bool) -> dict[str, Any]:
    problem: dict[str, Any] = {
        "num_vars": len(fs),
        "names": [f.name for f in fs],
        "bounds": [[f.lo, f.hi] for f in fs],
    }
    if grouped:
        problem["groups"] = [f.group for f in fs]
    return problem


def _points(
    x: np.ndarray,
    fs: Sequence[Factor],
    scenario: Scenario,
    scales: dict[str, int],
    root: int,
    outs: tuple[str, ...],
    fixed: dict[str, float] | None = None,
) -> list[Point]:
    """The sample's rows as evaluations; ``fixed`` values (a thresholds set's definitions) are
    added to every row."""
    names = [f.name for f in fs]
    c = names.index(CHANCE)
    # samplers compute lo + u * (hi - lo), which may overshoot hi by a rounding error
    x = np.clip(x, [f.lo for f in fs], [f.hi for f in fs])
    out = []
    for row in x:
        values = {n: float(v) for n, v in zip(names, row, strict=True) if n != CHANCE}
        values.update(fixed or {})
        out.append(Point(scenario, scales, values, seed_of(float(row[c]), root), outs))
    return out


@dataclass
class Sensitivity:
    analysis: str
    config: dict[str, Any]
    frame: pd.DataFrame
    runs: dict[str, int]
    notes: list[str] = field(default_factory=list)
    clipped: dict[str, int] = field(default_factory=dict)
    made: int | None = None
    """In a ``partial`` analysis, the evaluations made so far (None: the analysis is whole)."""


def sensitivity(
    budget: int = 64,
    trajectories: int = 10,
    outcomes: Sequence[str] = DEFAULT_OUTCOMES,
    *,
    scenario: ScenarioArg = "baseline",
    until: str | dt.date | None = None,
    scale: ScaleArg = None,
    root: int = 0,
    executor: Executor | None = None,
    store: Store | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    robust_budget: int | None = None,
    evaluations: Path | None = None,
    force: bool = False,
    partial: bool = False,
) -> Sensitivity:
    """Morris (``trajectories`` × (factors + 1) runs; 0: none), then grouped Sobol (``budget``
    × 5 runs over the documented ranges, ``robust_budget`` × 5 over the narrowed and widened
    ones, default ``budget``); saves the indices in the store's ``sensitivity`` table.

    The documented set's indices are also computed on every power-of-two prefix of its sample
    (a Sobol' sample of base ``n`` is the first ``n`` points of a larger one), from 8 up: the
    convergence rows (``method = "convergence"``, ``base`` the prefix).

    ``evaluations``: a journal of the evaluations kept beside the project (committed, so that an
    analysis larger than one sitting resumes on another machine or in another session): its
    lines are reused, and every new evaluation is appended as it is made. Made under other code,
    it is reused only after its first evaluations re-run give the same outcomes exactly
    (:data:`VERIFY`); a journal of another design is refused unless ``force``.

    ``partial``: run nothing; give the indices that the evaluations made so far allow (an
    analysis larger than one sitting, between sittings): for each set, those of the longest
    power-of-two prefix of its sample that is complete (its ``base``); a set with fewer than two
    base points complete is left out. Not saved in the store (the analysis is not done)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import morris as morris_sample
    from SALib.sample import sobol as sobol_sample

    if isinstance(budget, bool) or not isinstance(budget, int) or budget < 2:
        raise LabError("budget", budget, "a whole number >= 2 (a power of two: 2, 4, 8, …)")
    if budget & (budget - 1):
        raise LabError("budget", budget, "a power of two (Sobol' sequences): 2, 4, 8, 16, …")
    robust = budget if robust_budget is None else robust_budget
    if (
        isinstance(robust, bool)
        or not isinstance(robust, int)
        or robust < 2
        or robust & (robust - 1)
    ):
        raise LabError(
            "robust_budget", robust, "a power of two >= 2 (Sobol' sequences): 2, 4, 8, …"
        )
    if (
        isinstance(trajectories, bool)
        or not isinstance(trajectories, int)
        or trajectories < 0
        or trajectories == 1
    ):
        raise LabError(
            "trajectories", trajectories, "0 (no Morris screening) or a whole number >= 2"
        )
    outs = tuple(check_outcome(o) for o in outcomes)
    if not outs:
        raise LabError("outcomes", list(outcomes), f"at least one of {', '.join(OUTCOMES)}")
    sc = with_horizon(scenario, until)
    scales = resolve_scales(scale)
    sets = {r: factors(r) for r in SETS}
    clipped = {r: sum(f.clipped for f in fs) for r, fs in sets.items()}
    widened_same = all(
        (a.lo, a.hi) == (b.lo, b.hi)
        for a, b in zip(sets["widened"], sets["documented"], strict=True)
    )
    run_sets = [
        r
        for r in SETS
        if not (r == "widened" and widened_same) and (r in RANGE_SETS or definitions(r))
    ]
    config = {
        "scenario": sc.to_dict(),
        "scales": scales,
        "budget": budget,
        "robust_budget": robust,
        "trajectories": trajectories,
        "outcomes": list(outs),
        "root": root,
        "source_hash": source_hash(),
        "ranges": {
            r: [[f.name, f.lo, f.hi] for f in fs] for r, fs in sets.items() if r in RANGE_SETS
        },
        "thresholds": {r: definitions(r) for r in THRESHOLD_SETS if r in run_sets},
    }
    if robust_budget is None or robust_budget == budget:
        del config["robust_budget"]  # the id of an analysis made before the option is kept
    analysis = "sens-" + digest(config, 16)
    design = "design-" + digest({k: v for k, v in config.items() if k != "source_hash"}, 16)

    doc = sets["documented"]
    x_morris = (
        morris_sample.sample(
            _problem(doc, grouped=False), trajectories, num_levels=MORRIS_LEVELS, seed=root
        )
        if trajectories
        else np.zeros((0, len(doc)))
    )
    x_sobol = {
        r: sobol_sample.sample(
            _problem(sets[r], grouped=True),
            budget if r == "documented" else robust,
            calc_second_order=False,
            seed=root,
        )
        for r in run_sets
    }
    batches = [("morris", "documented", x_morris, doc)] * bool(trajectories) + [
        ("sobol", r, x_sobol[r], sets[r]) for r in run_sets
    ]
    # the widened set may go beyond the documented ranges (up to the hard bounds): say so
    hard = dataclasses.replace(sc, ranges="hard")
    points = [
        p
        for _, r, x, fs in batches
        for p in _points(x, fs, hard if r == "widened" else sc, scales, root, outs, definitions(r))
    ]
    y = np.full((len(points), len(outs)), np.nan)
    ex = executor or Serial()
    notes: list[str] = []
    log: Path | None
    if evaluations is not None:
        log = Path(evaluations)
        done = journal_for(log, design, config, len(outs), points, ex, force, notes)
    else:
        log = None if store is None else store.root / "checkpoints" / f"{analysis}.jsonl"
        done = read_checkpoint(log, len(outs)) if log is not None else {}
    for i, values in done.items():
        y[i] = values
    todo = [] if partial else [i for i in range(len(points)) if i not in done]
    if on_progress:
        on_progress(len(done), len(points), 0)
    with _appending(log) as write:
        for k, (j, values) in enumerate(ex.map_unordered(evaluate, [points[i] for i in todo])):
            y[todo[j]] = values
            write(todo[j], values)
            if on_progress:
                on_progress(len(done) + k + 1, len(points), 0)

    rows: list[dict[str, Any]] = []
    start = 0
    for method, ranges, x, fs in batches:
        ys = y[start : start + len(x)]
        start += len(x)
        base = budget if ranges == "documented" else robust
        if partial:
            whole = (
                complete_base(ys, base)
                if method == "sobol"
                else base * bool(len(ys) and not np.isnan(ys).any())
            )
            made_here = f"{int((~np.isnan(ys).any(axis=1)).sum())} of {len(ys)} evaluations made"
            if whole < (2 if method == "sobol" else base):
                notes.append(f"partial: {method} {ranges}: {made_here}; left out")
                continue
            if whole < base:
                notes.append(
                    f"partial: {method} {ranges}: indices at base sample {whole} of {base} (the "
                    f"complete prefix; {made_here})"
                )
            ys = ys[: len(ys) * whole // base]
            base = whole
        if method == "sobol" and ranges == "documented":
            rows += _convergence_rows(sobol_analyze, fs, ys, root, outs, base)
        for j, name in enumerate(outs):
            yj = ys[:, j]
            if np.isnan(yj).any():
                bad = int(np.isnan(yj).sum())
                note = f"{name}: undefined in {bad} of {yj.size} runs ({method}, {ranges})"
                if note not in notes:
                    notes.append(note)
                continue
            if np.all(yj == yj[0]):
                note = f"{name}: the same in every run ({method}, {ranges}): nothing to apportion"
                if note not in notes:
                    notes.append(note)
                continue
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                if method == "morris":
                    rows += _morris_rows(morris_analyze, fs, x, yj, root, name)
                else:
                    rows += [
                        {**r, "base": base}
                        for r in _sobol_rows(sobol_analyze, fs, yj, root, name, ranges)
                    ]
    if widened_same:
        notes.append(
            "widened ranges: every side that widening would move lies at a hard bound (the model "
            "accepts no value outside a parameter's documented range), so the widened set is the "
            "documented one"
        )
        rows += [
            {**r, "ranges": "widened"}
            for r in rows
            if r["method"] == "sobol" and r["ranges"] == "documented"
        ]
    frame = pd.DataFrame(rows, columns=COLUMNS)
    runs = {"morris": len(x_morris), **{f"sobol_{r}": len(x_sobol[r]) for r in run_sets}}
    made = int((~np.isnan(y).any(axis=1)).sum()) if partial else None
    result = Sensitivity(analysis, config, frame, runs, notes, clipped, made)
    if store is not None and not partial:
        saved = frame.assign(
            budget=budget,
            trajectories=trajectories,
            runs=sum(runs.values()),
            until=sc.end.isoformat(),
            source_hash=config["source_hash"],
        )
        store.save_analysis("sensitivity", analysis, saved)
        if log is not None and evaluations is None:
            log.unlink(missing_ok=True)  # the analysis is saved: the checkpoint has done its work
    return result


def complete_base(ys: np.ndarray, base: int) -> int:
    """The longest power-of-two prefix of a Sobol' sample of ``base`` points (its rows ``ys``,
    undone ones NaN) whose evaluations are all made: 0 when its first point is not."""
    per = len(ys) // base  # rows per base point
    made = ~np.isnan(ys).any(axis=1)
    n = base
    while n and not made[: n * per].all():
        n //= 2
    return n


COLUMNS = [
    "method",
    "ranges",
    "outcome",
    "factor",
    "group",
    "mu_star",
    "mu_star_conf",
    "sigma",
    "s1",
    "s1_conf",
    "st",
    "st_conf",
    "base",
]

VERIFY = 2
"""Evaluations of a journal made under other code that are run again, and must give the same
outcomes exactly, before the rest of it is reused."""
CONVERGENCE_FROM = 8  # the smallest prefix of the documented sample whose indices are reported


def journal_for(
    log: Path,
    design: str,
    config: dict[str, Any],
    n_outcomes: int,
    points: Sequence[Point],
    ex: Executor,
    force: bool,
    notes: list[str],
) -> dict[int, tuple[float, ...]]:
    """The evaluations of ``log`` (a committed journal: a header line naming its design and the
    code it was made under, then one line per evaluation), checked, or a new journal."""
    header = {"design": design, "source_hash": config["source_hash"], "points": len(points),
              "outcomes": config["outcomes"], "budget": config["budget"],
              "robust_budget": config.get("robust_budget", config["budget"]),
              "trajectories": config["trajectories"], "root": config["root"],
              "scales": config["scales"], "end": config["scenario"]["run"]["end"]}  # fmt: skip
    first: dict[str, Any] | None = None
    if log.is_file() and log.stat().st_size:
        try:
            first = json.loads(log.read_text().splitlines()[0])
        except (ValueError, IndexError):
            first = None
        if not isinstance(first, dict) or "design" not in first:
            first = None
    if first is not None and first["design"] != design and not force:
        differs = [k for k in header if k != "source_hash" and first.get(k) != header[k]]
        raise LabError(
            "evaluations", str(log),
            f"a journal of this analysis's design; it holds {first['design']} (differs in "
            f"{', '.join(differs) or 'the ranges or scenario'}), this analysis is {design}: "
            "name another file, or --force to start it again",
        )  # fmt: skip
    if first is None or first["design"] != design:
        if log.exists() and log.stat().st_size and first is None and not force:
            raise LabError("evaluations", str(log), "a journal written by thermidor sensitivity "
                           "(its first line names the design); --force replaces it")  # fmt: skip
        log.parent.mkdir(parents=True, exist_ok=True)
        tmp = log.with_name(log.name + ".tmp")
        tmp.write_text(json.dumps(header) + "\n")
        os.replace(tmp, log)
        return {}
    done = read_checkpoint(log, n_outcomes)
    if first["source_hash"] != config["source_hash"] and done:
        check = sorted(done)[:VERIFY]
        again = dict(ex.map_unordered(evaluate, [points[i] for i in check]))
        for j, i in enumerate(check):
            a, b = np.array(done[i]), np.array(again[j])
            if not np.array_equal(a, b, equal_nan=True):
                raise LabError(
                    "evaluations", str(log),
                    f"evaluations of this code: made under source {first['source_hash']}, its "
                    f"point {i} gave {list(a)}, and gives {list(b)} now (the model's behaviour "
                    "changed); --force starts the journal again",
                )  # fmt: skip
        notes.append(
            f"{len(done)} evaluations made under source {first['source_hash']} reused after "
            f"{len(check)} of them ran again under {config['source_hash']} and gave the same "
            "outcomes"
        )
    return done


def _convergence_rows(
    analyze: Any,
    fs: Sequence[Factor],
    y: np.ndarray,
    root: int,
    outs: Sequence[str],
    budget: int,
) -> list[dict[str, Any]]:
    """The grouped indices of every power-of-two prefix of the documented sample (8, 16, …,
    ``budget``): how they settle as the base sample grows."""
    rows: list[dict[str, Any]] = []
    per = len(y) // budget  # rows of the sample per base point (groups + 2)
    n = CONVERGENCE_FROM
    while n <= budget:
        for j, name in enumerate(outs):
            yj = y[: n * per, j]
            if np.isnan(yj).any() or np.all(yj == yj[0]):
                continue
            with warnings.catch_warnings(), np.errstate(all="ignore"):
                warnings.simplefilter("ignore")
                got = _sobol_rows(analyze, fs, yj, root, name, "documented")
            rows += [{**r, "method": "convergence", "base": n} for r in got]
        n *= 2
    return rows


def _morris_rows(
    analyze: Any, fs: Sequence[Factor], x: np.ndarray, y: np.ndarray, root: int, outcome: str
) -> list[dict[str, Any]]:
    si = analyze.analyze(_problem(fs, False), x, y, num_levels=MORRIS_LEVELS, seed=root)
    return [
        {
            "method": "morris",
            "ranges": "documented",
            "outcome": outcome,
            "factor": f.name,
            "group": f.group,
            "mu_star": float(si["mu_star"][i]),
            "mu_star_conf": float(si["mu_star_conf"][i]),
            "sigma": float(si["sigma"][i]),
        }
        for i, f in enumerate(fs)
    ]


def _sobol_rows(
    analyze: Any, fs: Sequence[Factor], y: np.ndarray, root: int, outcome: str, ranges: str
) -> list[dict[str, Any]]:
    from SALib.util import compute_groups_matrix

    problem = _problem(fs, True)
    si = analyze.analyze(problem, y, calc_second_order=False, seed=root)
    _, names = compute_groups_matrix(problem["groups"])
    return [
        {
            "method": "sobol",
            "ranges": ranges,
            "outcome": outcome,
            "factor": str(g),
            "group": str(g),
            "s1": float(si["S1"][i]),
            "s1_conf": float(si["S1_conf"][i]),
            "st": float(si["ST"][i]),
            "st_conf": float(si["ST_conf"][i]),
        }
        for i, g in enumerate(names)
    ]


# -- the written table ----------------------------------------------------------------------
def to_markdown(s: Sensitivity, top: int = 10) -> str:
    """The analysis as the markdown of docs/sensitivity.md."""
    c = s.config
    total = sum(s.runs.values())
    sobol_sets = [k.removeprefix("sobol_") for k in s.runs if k.startswith("sobol_")]
    robust = c.get("robust_budget", c["budget"])
    lines = [
        "# Sensitivity of the outcomes to the parameters",
        "",
        f"Generated by `thermidor sensitivity --budget {c['budget']}"
        + (f" --robust-budget {c['robust_budget']}" if "robust_budget" in c else "")
        + f" --trajectories {c['trajectories']} --outcomes {','.join(c['outcomes'])} --until "
        f"{c['scenario']['run']['end']} --root {c['root']}` (analysis `{s.analysis}`, "
        f"source `{c['source_hash']}`)"
        + (
            f", **partial**: `--partial` on the journal of its evaluations when {s.made} of "
            f"{total} were made; each set's indices are those of the complete prefix of its "
            "sample (the base column), and a set with none is left out (the notes)."
            if s.made is not None
            else "."
        ),
        "",
        "## Sample budget",
        "",
        (
            f"- Morris screening: {c['trajectories']} trajectories × ({len(PARAMS)} parameters + "
            f"chance + 1) = {s.runs['morris']} runs over the documented ranges."
            if c["trajectories"]
            else "- Morris screening: none (`--trajectories 0`)."
        ),
        f"- Sobol indices (Saltelli, first and total order, grouped): base sample "
        f"{c['budget']} × (3 groups + 2) = {c['budget'] * 5} runs over the documented ranges"
        + (
            f"; base sample {robust} × 5 = {robust * 5} runs for each of "
            f"{', '.join(x for x in sobol_sets if x != 'documented')}."
            if len(sobol_sets) > 1
            else "."
        ),
        f"- In all {total} runs of `{c['scenario']['name']}` from {c['scenario']['run']['start']}"
        f" to {c['scenario']['run']['end']}, scales {c['scales']}.",
        "",
        "## Ranges",
        "",
        f"Every parameter ranges over its documented range `[lo, hi]` (`thermidor params`), "
        f"frozen before the analysis; chance is a uniform variable mapped to one of "
        f"{SEED_POOL} member seeds. Narrowed and widened: each side of the default scaled by "
        f"0.5 and 1.5, clipped at the hard bounds ({s.clipped.get('widened', 0)} of "
        f"{len(PARAMS)} parameters clipped when widened). Thresholds low and high: the "
        "documented ranges with every definition of an outcome at its lower or higher declared "
        "alternative ("
        + "; ".join(
            f"`{k}` {v:.3g} / {c.get('thresholds', {}).get('thresholds_high', {}).get(k, v):.3g}"
            for k, v in c.get("thresholds", {}).get("thresholds_low", {}).items()
        )
        + "), on the same sample points as the first points of the documented set.",
        "",
    ]
    for note in s.notes:
        lines.append(f"> Note: {note}")
    if s.notes:
        lines.append("")
    f = s.frame
    for out in c["outcomes"]:
        lines += [f"## {out}", "", f"_{OUTCOMES.get(out, 'mean of an indicator over a year')}_", ""]
        sob = f[(f.method == "sobol") & (f.outcome == out)]
        if sob.empty:
            lines += ["Not available (see the notes).", ""]
            continue
        lines += [
            "Sobol indices by group (first order S1, total ST; ± half the 95% interval), over the "
            "documented ranges and, for robustness, with the ranges narrowed and widened and with "
            "the outcome's thresholds at their declared alternatives:",
            "",
            "| ranges | base | " + " | ".join(f"S1 {g} | ST {g}" for g in GROUPS) + " |",
            "|---|---:|" + "---:|" * (2 * len(GROUPS)),
        ]
        for r in SETS:
            here = sob[sob.ranges == r]
            if here.empty:
                continue
            cells = []
            for g in GROUPS:
                row = here[here.factor == g]
                if row.empty:
                    cells += ["–", "–"]
                    continue
                q = row.iloc[0]
                cells += [plus_minus(q.s1, q.s1_conf), plus_minus(q.st, q.st_conf)]
            base = int(here.iloc[0].base)  # below the budget in a partial analysis
            lines.append(f"| {r.replace('_', ' ')} | {base} | " + " | ".join(cells) + " |")
        conv = f[(f.method == "convergence") & (f.outcome == out)] if "base" in f else f[:0]
        if not conv.empty:
            bases = sorted({int(b) for b in conv.base})
            lines += [
                "",
                "Convergence: the total index ST over the documented ranges on the first n points "
                "of the sample (± half the 95% interval):",
                "",
                "| group | " + " | ".join(f"n = {b}" for b in bases) + " |",
                "|---|" + "---:|" * len(bases),
            ]
            for g in GROUPS:
                cells = []
                for b in bases:
                    row = conv[(conv.base == b) & (conv.factor == g)]
                    cells.append(
                        "–" if row.empty else plus_minus(row.iloc[0].st, row.iloc[0].st_conf)
                    )
                lines.append(f"| {g} | " + " | ".join(cells) + " |")
        mor = f[(f.method == "morris") & (f.outcome == out)].sort_values("mu_star", ascending=False)
        if not mor.empty:
            chance = mor[mor.factor == CHANCE]
            lines += [
                "",
                f"Morris screening, the {top} most influential factors (μ*: mean absolute "
                "elementary effect; σ: its spread, a sign of interaction or non-linearity)"
                + (f"; chance has μ* = {chance.iloc[0].mu_star:.3g}" if not chance.empty else "")
                + ":",
                "",
                "| factor | class | μ* | ± | σ |",
                "|---|---|---:|---:|---:|",
            ]
            for q in mor.head(top).itertuples():
                lines.append(
                    f"| `{q.factor}` | {q.group} | {q.mu_star:.3g} | {q.mu_star_conf:.2g} | "
                    f"{q.sigma:.3g} |"
                )
        lines.append("")
    return "\n".join(lines)


def plus_minus(v: float | None, conf: float | None) -> str:
    """``0.12 ± 0.03``; ``n/a`` where SALib gave no number."""
    if v is None or math.isnan(v):
        return "n/a"
    return f"{v:.2f}" if conf is None or math.isnan(conf) else f"{v:.2f} ± {conf:.2f}"
