"""History matching (Andrianakis et al. 2015): waves of Latin hypercube runs cut by implausibility.

Wave 1 is a Latin hypercube (``scipy.stats.qmc``) of ``points`` over the fitted parameters'
documented ranges (by default every *calibrated* parameter, ``params.CALIBRATED``); each point
runs with ``seeds`` member seeds of the root (the same seeds at every point: common random
numbers). For every calibrated target the runs can give (never an emergent one) a point's
implausibility is

    I = |model mean - observed| / sqrt(model variance + tolerance² + (discrepancy × tolerance)²)

where the model variance is the seeds' sample variance times (1 + 1/seeds) (the spread of one
more run, the history being one run), the tolerance the target's own and the discrepancy a share
of it standing for what the model leaves out. A point is non-implausible when its second largest
I (``measure="max"``: its largest) is at most ``threshold`` (3, Pukelsheim's rule): one target
may miss, as in the early waves of Andrianakis et al. (T29, "exactly two", has no tolerance, so
any other count is infinitely implausible; at the defaults every target is within I 1). The
next wave samples the bounding box of the kept points, widened on each side by one stratum of
the wave's hypercube and kept inside the wave's own box, so the regions are nested.

With ``profile`` > 0 a wave 0 comes first: the defaults (the hand calibration of
``model/params.py``), then each parameter alone at ``profile`` evenly spaced values of its range,
the others at their defaults. Wave 1 then samples the profiles' box instead of the whole ranges:
for each parameter, from the nearest ruled-out grid value below its default to the nearest above
(the range's end where none is), so the box holds every value the profile keeps. A Latin
hypercube of a few hundred points over dozens of whole ranges almost never lands where every
target is met at once (the fit of 2026-12-03 kept no point in three waves of 100, while the
defaults met every target within I 1); the profiles find each parameter's slack around the
defaults for one run per grid value and seed. Their box is a heuristic, not a bound: a joint
region can reach past a profile's interval where parameters compensate each other, and a
parameter no target constrains keeps its whole range.

What a run gives for each kind of target, and the implausibility, are in ``lab/implausibility.py``.

Every evaluation is journalled as it arrives (``STORE/checkpoints/ANALYSIS-wK.jsonl``) and every
finished wave committed to the store (tables ``hm_points``: each point's parameter values, its
measure and whether it was kept; ``hm_outcomes``: each run's statistic per target), so a fit
killed at any moment resumes where it stopped when the same command runs again, and a fit with
more ``waves`` continues one with fewer (the number of waves is not part of the analysis id).
The posterior is ``draws`` draws resampled uniformly from the last wave's kept points (weight
``1/draws`` each); its diagnostics (``Match.diagnostics``) are saved in table ``hm_fits``.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from thermidor.lab.calibrate import check_params, choose_targets, score_stage
from thermidor.lab.ensemble import Job, ScenarioArg, run_jobs, seeds_for, with_horizon
from thermidor.lab.errors import LabError, portable
from thermidor.lab.executors import Executor, Serial
from thermidor.lab.fit_journal import FitJournal
from thermidor.lab.implausibility import (
    MEASURES,
    THRESHOLD,
    implausibility,
    measure_of,
    run_statistic,
)
from thermidor.lab.sensitivity import _appending, read_checkpoint
from thermidor.lab.simulate import with_params
from thermidor.lab.store import ANALYSES, Store, content_key, digest
from thermidor.model.errors import RunError, ScenarioError
from thermidor.model.guards import check_memory
from thermidor.model.params import BY_NAME, CALIBRATED
from thermidor.model.result import Result
from thermidor.model.run import ScaleArg, resolve_scales, run, source_hash
from thermidor.model.scenario import Scenario
from thermidor.model.targets import Target, calibrated_by, load_targets, modelled

DRAWS = 500
FALLBACK = 0.1  # no point kept: the next wave samples around this share of the least implausible


# -- the waves ------------------------------------------------------------------------------
Box = list[tuple[float, float]]


def hypercube(box: Box, n: int, root: int, wave: int) -> np.ndarray:
    """``n`` Latin hypercube points in ``box`` (wave ``wave`` of root ``root``'s fit)."""
    from scipy.stats import qmc

    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([root, 0x686D, wave])))
    try:
        sampler = qmc.LatinHypercube(d=len(box), rng=rng)
    except TypeError:  # SciPy before 1.15 names it seed (the same generator, the same points)
        sampler = qmc.LatinHypercube(d=len(box), seed=rng)
    u = sampler.random(n)
    lo, hi = np.array([b[0] for b in box]), np.array([b[1] for b in box])
    return np.clip(lo + u * (hi - lo), lo, hi)


def profile_points(names: Sequence[str], n: int) -> np.ndarray:
    """Wave 0: the defaults, then each parameter alone at ``n`` evenly spaced values of its
    range (the others at their defaults): ``1 + len(names) * n`` points."""
    d = np.array([BY_NAME[p].default for p in names], dtype=float)
    rows = [d]
    for j, p in enumerate(names):
        for v in np.linspace(BY_NAME[p].lo, BY_NAME[p].hi, n):
            r = d.copy()
            r[j] = v
            rows.append(r)
    return np.array(rows)


def profile_box(names: Sequence[str], kept: np.ndarray, n: int) -> Box | None:
    """Wave 1's box from wave 0's kept points (``profile_points`` order): each parameter from
    the nearest ruled-out grid value below its default to the nearest above (its range's end
    where none is); None when the defaults themselves are ruled out."""
    if not kept[0]:
        return None
    box = []
    for j, p in enumerate(names):
        prm = BY_NAME[p]
        grid = np.linspace(prm.lo, prm.hi, n)
        ok = kept[1 + j * n : 1 + (j + 1) * n]
        out_below = [v for v, k in zip(grid, ok, strict=True) if v < prm.default and not k]
        out_above = [v for v, k in zip(grid, ok, strict=True) if v > prm.default and not k]
        box.append(
            (
                float(max(out_below)) if out_below else float(prm.lo),
                float(min(out_above)) if out_above else float(prm.hi),
            )
        )
    return box


def next_box(box: Box, kept: np.ndarray, n: int) -> Box:
    """The kept points' bounding box, widened each side by one stratum (the box's width over
    ``n``) and kept inside ``box``."""
    out = []
    for j, (lo, hi) in enumerate(box):
        pad = (hi - lo) / n
        out.append((max(lo, float(kept[:, j].min()) - pad), min(hi, float(kept[:, j].max()) + pad)))
    return out


@dataclass(frozen=True)
class Evaluation:
    """One run of one point (picklable, for the lab's executors)."""

    scenario: Scenario
    scales: dict[str, int]
    values: dict[str, float]
    seed: int
    targets: tuple[Target, ...]
    source: str  # the coordinator's source hash: a worker running other code refuses


def evaluate(e: Evaluation) -> tuple[float, ...]:
    """The run's statistic for each target; all NaN (infinitely implausible: the point is ruled
    out) when the run stops on a guard (``RunError``: a population past its maximum, an
    indicator not finite), which a point at the edge of its box can reach. Bad input still
    raises."""
    if source_hash() != e.source:
        raise LabError(
            "source_hash",
            source_hash(),
            f"the coordinator's ({e.source}): this worker runs other code; run the same code "
            "everywhere",
        )
    try:
        result = run(with_params(e.scenario, e.values), e.seed, e.scales)
    except ScenarioError as err:
        raise portable(err) from None
    except RunError:
        return (math.nan,) * len(e.targets)
    return tuple(run_statistic(result, t) for t in e.targets)


@dataclass
class Wave:
    index: int  # 1, 2, ...
    box: Box
    x: np.ndarray  # points x params
    stats: np.ndarray  # points x seeds x targets
    imp: np.ndarray  # points x targets
    measure: np.ndarray  # points
    kept: np.ndarray  # points (bool)
    fallback: bool  # no point was non-implausible: ``kept`` are the least implausible
    wall_time_s: float = 0.0  # spent on it in this call (0: read back from the store)
    screened: dict[str, int] | None = None  # emulated: candidates, emulator-kept, trained on

    def describe(self, params: Sequence[str], targets: Sequence[str], threshold: float) -> dict:
        k = self.kept
        per_target = {}
        for j, tid in enumerate(targets):
            col = self.imp[:, j]
            per_target[tid] = {
                "median_before": _num(np.median(col)),
                "plausible_share_before": float(np.mean(col <= threshold)),
                "median_after": _num(np.median(col[k])) if k.any() else None,
                "max_after": _num(np.max(col[k])) if k.any() else None,
            }
        return {
            "wave": self.index,
            "kind": "profiles"
            if self.index == 0
            else "emulated hypercube"
            if self.screened
            else "hypercube",
            "points": int(self.x.shape[0]),
            "runs": int(self.stats.shape[0] * self.stats.shape[1]),
            "kept": int(k.sum()),
            "kept_share": float(k.mean()),
            "stopped_runs": int(np.isnan(self.stats).all(axis=2).sum()),  # on a guard: ruled out
            "non_implausible": not self.fallback,
            "wall_time_s": round(self.wall_time_s, 1),
            **({"emulators": self.screened} if self.screened else {}),
            "box": {p: [lo, hi] for p, (lo, hi) in zip(params, self.box, strict=True)},
            "targets": per_target,
        }


def _num(v: Any) -> float | None:
    v = float(v)
    return None if math.isnan(v) else (v if math.isfinite(v) else None)


# -- the fit ------------------------------------------------------------------------------------
@dataclass
class Match:
    analysis: str
    config: dict[str, Any]
    params: list[str]
    targets: list[str]
    waves: list[Wave]
    posterior: pd.DataFrame  # one column per parameter, and weight
    summary: list[dict[str, Any]]
    checks: list[dict[str, Any]]  # score rows per stage (before, predictive)
    implausibility: dict[str, dict[str, float | None]]  # stage -> target -> I
    evaluated: int  # runs made now
    reused: int  # runs read back from the store or the journal
    wall_time_s: float
    notes: list[str] = field(default_factory=list)
    emergent: list[dict[str, Any]] = field(default_factory=list)  # never fitted: the validation
    walk: dict[str, Any] | None = None  # the chains' diagnostics (lab/walk.py), if they walked

    @property
    def effective_size(self) -> float:
        """Kish's effective sample size of the draws over the distinct kept points."""
        counts = self.posterior.groupby(self.params).size().to_numpy(dtype=float)
        return float(counts.sum() ** 2 / np.sum(counts**2))

    def diagnostics(self) -> dict[str, Any]:
        threshold = float(self.config["threshold"])
        return {
            "analysis": self.analysis,
            "method": "history matching",
            "command": command(self.config),
            "config": self.config,
            "waves": [w.describe(self.params, self.targets, threshold) for w in self.waves],
            **({"walk": self.walk} if self.walk else {}),
            "posterior": {
                "draws": len(self.posterior),
                "distinct": int(self.posterior.drop_duplicates(self.params).shape[0]),
                "effective_size": round(self.effective_size, 1),
                "summary": self.summary,
            },
            "implausibility": self.implausibility,
            "checks": self.checks,
            "emergent": self.emergent,
            "evaluated": self.evaluated,
            "reused": self.reused,
            "wall_time_s": round(self.wall_time_s, 1),
            "notes": self.notes,
        }


def command(config: dict[str, Any]) -> str:
    """The command that makes this fit again (with ``--root``: the same bytes)."""
    parts = ["thermidor calibrate --method history-matching"]
    if config["params"] != [p.name for p in CALIBRATED]:
        parts.append("--params " + ",".join(config["params"]))
    if config.get("only"):
        parts.append("--target " + ",".join(config["targets"]))
    if config.get("all_calibrated"):
        parts.append("--all-calibrated")
    parts += [
        f"--waves {config['waves']} --points {config['points']} --seeds {config['seeds']}",
        f"--threshold {config['threshold']:g} --measure {config['measure']}",
        *([f"--profile {config['profile']}"] if config.get("profile") else []),
        *([f"--emulate {config['emulate']}"] if config.get("emulate") else []),
        *(
            [
                f"--walk {config['walk_steps']} --chains {config['walk']['chains']} --step "
                f"{config['walk']['step']:g} --adapt {config['walk']['adapt']}"
                + (
                    f" --proposal {config['walk']['proposal']}"
                    if "proposal" in config["walk"]
                    else ""
                )
            ]
            if config.get("walk")
            else []
        ),
        f"--discrepancy {config['discrepancy']:g} --draws {config['draws']} "
        f"--check-seeds {config['check_seeds']}",
        f"--scenario {config['scenario']['name']} --until {config['scenario']['run']['end']}",
    ]
    parts += [f"--scale {k}={v}" for k, v in sorted(config["scales"].items())]
    parts.append(f"--root {config['root']}")
    return " ".join(parts)


def _check(opt: str, v: Any, least: int) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or v < least:
        raise LabError(opt, v, f"a whole number >= {least}")
    return v


def history_match(
    params: Sequence[str] | None = None,
    *,
    waves: int = 4,
    points: int = 150,
    seeds: int = 3,
    threshold: float = THRESHOLD,
    measure: str = "second",
    discrepancy: float = 0.0,
    profile: int = 0,
    emulate: int = 0,
    walk: int = 0,
    chains: int = 8,
    step: float = 0.05,
    adapt: int = 20,
    proposal: str = "gaussian",
    draws: int = DRAWS,
    scenario: ScenarioArg = "baseline",
    until: str | dt.date | None = None,
    scale: ScaleArg = None,
    root: int = 0,
    targets: Sequence[str] | None = None,
    all_calibrated: bool = False,
    check_seeds: int = 8,
    store: Store | None = None,
    executor: Executor | None = None,
    on_progress: Callable[[int, int, int], None] | None = None,
    evaluations: Path | None = None,
    force: bool = False,
) -> Match:
    """Fit ``params`` (default: every calibrated parameter) by history matching; resumable."""
    t0 = time.perf_counter()
    names = check_params(list(params)) if params else [p.name for p in CALIBRATED]
    for opt, v, least in (("waves", waves, 0 if profile else 1), ("points", points, 2), ("seeds", seeds, 1),
                          ("draws", draws, 1), ("check_seeds", check_seeds, 1),
                          ("profile", profile, 0), ("emulate", emulate, 0), ("walk", walk, 0),
                          ("chains", chains, 2), ("adapt", adapt, 0)):  # fmt: skip
        _check(opt, v, least)
    if profile == 1:
        raise LabError("profile", profile, "0 (no profiles) or a whole number >= 2")
    if isinstance(step, bool) or not isinstance(step, (int, float)) or not 0 < step <= 1:
        raise LabError("step", step, "a number in (0, 1]: a share of each parameter's box width")
    from thermidor.lab.walk import PROPOSALS

    if proposal not in PROPOSALS:
        raise LabError("proposal", proposal, f"one of {', '.join(PROPOSALS)}")
    if walk and walk <= adapt:
        raise LabError(
            "walk", walk, f"more steps than --adapt ({adapt}): only those after it count"
        )
    if 0 < emulate < points:
        raise LabError(
            "emulate", emulate, f"0 (no emulators) or a whole number >= points ({points})"
        )
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)) or not threshold > 0:
        raise LabError("threshold", threshold, "a number > 0 (3: Pukelsheim's three-sigma rule)")
    if measure not in MEASURES:
        raise LabError("measure", measure, f"one of {', '.join(MEASURES)}")
    if isinstance(discrepancy, bool) or not isinstance(discrepancy, (int, float)):
        raise LabError("discrepancy", discrepancy, "a number >= 0 (a share of each tolerance)")
    if not discrepancy >= 0:
        raise LabError("discrepancy", discrepancy, "a number >= 0 (a share of each tolerance)")
    from thermidor.lab.calibrate import candidate_targets

    candidate_targets(
        names, all_calibrated=all_calibrated, only=targets
    )  # bad target ids before any run
    store = store or Store()
    ex = executor or Serial()
    sc = with_horizon(scenario, until)
    scales = resolve_scales(scale)
    check_memory(scales, ex.workers)  # the executor's workers run at once on this machine
    members = seeds_for(check_seeds, root)
    before = _stored_runs(store, ex, [(sc, {}, s) for s in members], scales)
    used, notes = choose_targets(names, before[0], all_calibrated=all_calibrated, only=targets)
    ids = [t.id for t in used]
    loose = [n for n in names if not set(BY_NAME[n].calibrated_for) & set(ids)]
    if loose:
        notes.append(
            f"{', '.join(loose)}: no fitted target names them (their targets are outside the "
            "runs or not chosen); they vary over their ranges, constrained only through others"
        )
    config: dict[str, Any] = {
        "method": "history-matching",
        "params": names,
        "ranges": [[n, BY_NAME[n].lo, BY_NAME[n].hi] for n in names],
        "targets": ids,
        "only": bool(targets),
        "all_calibrated": bool(all_calibrated),
        "points": points,
        "seeds": seeds,
        "threshold": float(threshold),
        "measure": measure,
        "discrepancy": float(discrepancy),
        "scenario": sc.to_dict(),
        "scales": scales,
        "root": root,
        "source_hash": source_hash(),
    }
    if profile:  # absent when 0: the ids of fits without profiles stay as they were
        config["profile"] = profile
    if emulate:  # likewise
        config["emulate"] = emulate
    if walk:  # the walk starts from the last wave: its number, like the walk's own rules, count
        config["walk"] = {"from_wave": waves, "chains": chains, "step": float(step),
                          "adapt": adapt}  # fmt: skip
        if proposal != "gaussian":  # absent for the Gaussian walk: its fits keep their ids
            config["walk"]["proposal"] = proposal
            config["walk"]["adaptation"] = "diminishing"  # its scale adapts at every step
    analysis = "hm-" + digest(config, 16)
    design = "hm-design-" + digest({k: v for k, v in config.items() if k != "source_hash"}, 16)
    config.update(waves=waves, draws=draws, check_seeds=check_seeds)  # not in the id
    if walk:
        config["walk_steps"] = walk  # more steps continue a walk, as more waves do
    run_seeds = seeds_for(seeds, root)
    journal: FitJournal | None = None
    if evaluations is not None:
        header = {"design": design, "source_hash": config["source_hash"], "params": names,
                  "targets": ids, "scales": scales, "root": root, "seeds": run_seeds,
                  "end": sc.to_dict()["run"]["end"]}  # fmt: skip
        journal = FitJournal(Path(evaluations), header, force)

        def rerun(items: Sequence[tuple[tuple[float, ...], int]]) -> list[tuple[float, ...]]:
            evs = [Evaluation(sc, scales, dict(zip(names, x, strict=True)), s, tuple(used),
                              config["source_hash"]) for x, s in items]  # fmt: skip
            got = dict(ex.map_unordered(evaluate, evs))
            return [got[j] for j in range(len(evs))]

        said = journal.verify(rerun)
        if said:
            notes.append(said)
    stored = _read_stored(store, analysis)
    box: Box = [(BY_NAME[n].lo, BY_NAME[n].hi) for n in names]
    done_waves: list[Wave] = []
    evaluated = reused = 0
    for w in range(0 if profile else 1, waves + 1):
        tw = time.perf_counter()
        screened = None
        if w == 0:
            x = profile_points(names, profile)
        elif emulate and done_waves:
            chosen = partial(_screen, done_waves, box, names, used, emulate, points, root, w,
                             discrepancy, threshold, measure)  # fmt: skip
            x, screened = _screened(store, analysis, w, chosen)
        else:
            x = hypercube(box, points, root, w)
        stats, ran, kept_before = _wave_stats(
            store,
            ex,
            analysis,
            w,
            x,
            names,
            sc,
            scales,
            run_seeds,
            used,
            stored,
            on_progress,
            journal,
        )
        evaluated, reused = evaluated + ran, reused + kept_before
        imp = np.array(
            [[implausibility(t, stats[i, :, j], discrepancy) for j, t in enumerate(used)]
             for i in range(len(x))]
        )  # fmt: skip
        m = measure_of(imp, measure)
        kept = m <= threshold
        if w == 0:
            wave = Wave(0, box, x, stats, imp, m, kept, not kept[0],
                        time.perf_counter() - tw if ran else 0.0)  # fmt: skip
            done_waves.append(wave)
            if 0 not in stored:
                _commit(store, analysis, done_waves, names, ids, run_seeds)
            found = profile_box(names, kept, profile)
            if found is None:
                notes.append(
                    f"wave 0: the defaults are implausible (I {m[0]:.3g} > {threshold:g}); "
                    "wave 1 samples the documented ranges"
                )
            else:
                box = found
            continue
        fallback = not kept.any()
        if fallback:
            lowest = np.argsort(m, kind="stable")[: max(2, math.ceil(FALLBACK * points))]
            kept = np.zeros(len(x), dtype=bool)
            kept[lowest] = True
            notes.append(
                f"wave {w}: no point is non-implausible (least I {np.min(m):.3g} > "
                f"{threshold:g}); the next wave samples around the {kept.sum()} least implausible"
            )
        wave = Wave(
            w,
            box,
            x,
            stats,
            imp,
            m,
            kept,
            fallback,
            time.perf_counter() - tw if ran else 0.0,
            screened,
        )
        done_waves.append(wave)
        if w not in stored:
            _commit(store, analysis, done_waves, names, ids, run_seeds)
        box = next_box(box, x[kept], points)
    last = done_waves[-1]
    walked: dict[str, Any] | None = None
    if walk and not last.fallback:
        pool, walked, ran, kept_before = _walk(
            store, ex, analysis, last, box, names, sc, scales, run_seeds, used, stored, ids,
            done_waves, walk, chains, step, adapt, root, discrepancy, threshold, measure,
            on_progress, proposal, journal,
        )  # fmt: skip
        evaluated, reused = evaluated + ran, reused + kept_before
    else:
        if walk:
            notes.append(f"wave {last.index} kept no point: there is nowhere to start a walk")
        if last.fallback:
            notes.append("the posterior is drawn from implausible points: run more waves or points")
        pool = last.x[last.kept]
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([root, 0x706F])))
    picks = rng.integers(0, len(pool), size=draws)
    posterior = pd.DataFrame({n: pool[picks, j] for j, n in enumerate(names)})
    posterior["weight"] = 1.0 / draws
    summary = _summary(posterior, names, box if walked else last.box)

    prng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([root, 0x7070])))
    rows = prng.integers(0, len(posterior), size=check_seeds)
    draws_ = [{n: float(posterior[n].iloc[i]) for n in names} for i in rows]
    predictive = _stored_runs(
        store, ex, list(zip([sc] * check_seeds, draws_, seeds_for(check_seeds, root + 1),
                            strict=True)), scales,
    )  # fmt: skip
    checks = score_stage(before, used, "before") + score_stage(predictive, used, "predictive")
    emergent = [t for t in load_targets() if not calibrated_by(t.id) and modelled(before, t)]
    validation = score_stage(before, emergent, "before") + score_stage(
        predictive, emergent, "predictive"
    )
    stages = {"before": before, "predictive": predictive}
    imps = {
        stage: {
            t.id: _num(implausibility(t, np.array([run_statistic(r, t) for r in rs]), discrepancy))
            for t in used
        }
        for stage, rs in stages.items()
    }
    match = Match(analysis, config, names, ids, done_waves, posterior, summary, checks, imps,
                  evaluated, reused, time.perf_counter() - t0, notes, validation,
                  walked)  # fmt: skip
    _save(store, match)
    return match


def _stored_runs(
    store: Store,
    ex: Executor,
    items: Sequence[tuple[Scenario, dict[str, float], int]],
    scales: dict[str, int],
) -> list[Result]:
    """Runs kept in the run store (the checks: at the defaults and drawn from the posterior),
    computed only when not stored yet."""
    h = source_hash()
    where = str(store.root.resolve())
    jobs = []
    for sc, values, seed in items:
        s = with_params(sc, values) if values else sc
        jobs.append(Job(s, seed, scales, content_key(s.to_dict(), seed, scales, h), where, h))
    ran = run_jobs(jobs, store, ex)
    return [store.load(k) for k in ran.keys]


def _screen(
    done: list[Wave],
    box: Box,
    names: list[str],
    used: list[Target],
    emulate: int,
    points: int,
    root: int,
    w: int,
    discrepancy: float,
    threshold: float,
    measure: str,
) -> tuple[np.ndarray, dict[str, int]]:
    """Wave ``w``'s points: ``emulate`` hypercube candidates in ``box`` screened by emulators
    fitted on every earlier wave's points (``lab/emulator.py``)."""
    from thermidor.lab.emulator import fit_emulators

    x = np.concatenate([d.x for d in done])
    stats = np.concatenate([d.stats for d in done])
    lo = np.array([BY_NAME[n].lo for n in names])
    hi = np.array([BY_NAME[n].hi for n in names])
    em = fit_emulators(x, stats, used, lo, hi)
    cand = hypercube(box, emulate, root, w)
    m = measure_of(em.implausibility(cand, discrepancy), measure)
    ok = np.flatnonzero(m <= threshold)
    pick = ok[:points]
    if len(pick) < points:  # too few: the least emulator-implausible after them
        rest = np.argsort(np.where(m <= threshold, np.inf, m), kind="stable")
        pick = np.concatenate([pick, rest[: points - len(pick)]])
    info = {"candidates": emulate, "non_implausible": len(ok), "trained_on": em.trained_on}
    return cand[np.sort(pick)], info


WALK_BASE = 1000  # the walk's step s is stored as wave WALK_BASE + s
COMMIT_EVERY = 25  # walk steps between rewrites of the store's tables when a journal keeps them


def _walk(
    store: Store,
    ex: Executor,
    analysis: str,
    last: Wave,
    box: Box,
    names: list[str],
    sc: Scenario,
    scales: dict[str, int],
    run_seeds: list[int],
    used: list[Target],
    stored: dict[int, np.ndarray],
    ids: list[str],
    done: list[Wave],
    steps: int,
    chains: int,
    step: float,
    adapt: int,
    root: int,
    discrepancy: float,
    threshold: float,
    measure: str,
    on_progress: Callable[[int, int, int], None] | None,
    proposal: str = "gaussian",
    journal: FitJournal | None = None,
) -> tuple[np.ndarray, dict[str, Any], int, int]:
    """Random-walk Metropolis chains from the last wave's kept points (``lab/walk.py``): the
    states after adaptation (the pool the posterior is drawn from), the walk's diagnostics, and
    how many runs were made now and read back. Every step is journalled and committed like a
    wave."""
    from thermidor.lab import walk as wk

    lo = np.array([BY_NAME[n].lo for n in names])
    hi = np.array([BY_NAME[n].hi for n in names])
    width = np.array([b[1] - b[0] for b in box]) / (hi - lo)
    state = (wk.starts(last.x[last.kept], chains) - lo) / (hi - lo)
    archive = (last.x[last.kept] - lo) / (hi - lo)  # the differential proposals' past states
    states, accepted, log_scale = [state], [], 0.0
    steps_done: list[Wave] = []
    ran = kept_before = 0
    for s in range(steps):
        tw = time.perf_counter()
        if proposal == "differential":
            prop = wk.propose_differential(state, archive, math.exp(log_scale), root, s)
        else:
            prop = wk.propose(state, step * width * math.exp(log_scale), root, s)
        x = lo + prop * (hi - lo)
        idx = WALK_BASE + s
        stats, r, k = _wave_stats(
            store,
            ex,
            analysis,
            idx,
            x,
            names,
            sc,
            scales,
            run_seeds,
            used,
            stored,
            on_progress,
            journal,
        )
        ran, kept_before = ran + r, kept_before + k
        imp = np.array(
            [[implausibility(t, stats[i, :, j], discrepancy) for j, t in enumerate(used)]
             for i in range(len(x))]
        )  # fmt: skip
        m = measure_of(imp, measure)
        ok = m <= threshold
        steps_done.append(
            Wave(idx, box, x, stats, imp, m, ok, False, time.perf_counter() - tw if r else 0.0)
        )
        # with a journal the store is a copy: rewritten every COMMIT_EVERY steps, not each one
        if idx not in stored and (journal is None or (s + 1) % COMMIT_EVERY == 0 or s + 1 == steps):
            _commit(store, analysis, done + steps_done, names, ids, run_seeds)
        state = np.where(ok[:, None], prop, state)
        states.append(state)
        if (s + 1) % wk.ARCHIVE_EVERY == 0:
            archive = np.concatenate([archive, state])
        accepted.append(ok)
        if s < adapt or proposal == "differential":  # its archive, and so its moves, grow
            log_scale = wk.adapted(log_scale, float(ok.mean()), s)
    arr = np.array(states)
    acc = np.array(accepted, dtype=bool).reshape(steps, chains)
    info = wk.summary(arr, acc, min(adapt, steps), names)
    info["proposal"] = proposal
    info["scale_at_end" if proposal == "differential" else "scale_after_adapt"] = round(
        (wk.de_gamma(len(names)) if proposal == "differential" else step) * math.exp(log_scale), 6
    )
    info["runs"] = steps * chains * len(run_seeds)
    after = arr[1 + min(adapt, steps) :].reshape(-1, len(names))
    pool = lo + after * (hi - lo)
    return pool, info, ran, kept_before


def _screened(
    store: Store,
    analysis: str,
    w: int,
    make: Callable[[], tuple[np.ndarray, dict[str, int]]],
) -> tuple[np.ndarray, dict[str, int]]:
    """An emulated wave's points, chosen once: kept beside the journal
    (``checkpoints/ANALYSIS-wK-points.json``, written atomically before the first run) so that a
    resumed fit runs the same points whatever the emulators' floating point does on another
    machine or thread count."""
    import json
    import os

    f = store.root / "checkpoints" / f"{analysis}-w{w}-points.json"
    try:
        saved = json.loads(f.read_text())
        return np.array(saved["x"], dtype=float), saved["emulators"]
    except (OSError, ValueError, KeyError, TypeError):
        pass  # not chosen yet, or a file cut short: choose again
    x, info = make()
    f.parent.mkdir(parents=True, exist_ok=True)
    tmp = f.with_name(f.name + ".tmp")
    tmp.write_text(json.dumps({"x": x.tolist(), "emulators": info}))
    os.replace(tmp, f)
    return x, info


def _journal(store: Store, analysis: str, wave: int) -> Path:
    return store.root / "checkpoints" / f"{analysis}-w{wave}.jsonl"


def _wave_stats(
    store: Store,
    ex: Executor,
    analysis: str,
    wave: int,
    x: np.ndarray,
    names: list[str],
    sc: Scenario,
    scales: dict[str, int],
    run_seeds: list[int],
    used: list[Target],
    stored: dict[int, np.ndarray],
    on_progress: Callable[[int, int, int], None] | None,
    journal: FitJournal | None = None,
) -> tuple[np.ndarray, int, int]:
    """The wave's statistics (points x seeds x targets), how many runs were made now and how
    many were read back."""
    n, k = x.shape[0], len(run_seeds)
    source = source_hash()
    if wave in stored:
        _journal(store, analysis, wave).unlink(missing_ok=True)  # killed before it went
        if on_progress:
            on_progress(n * k, n * k, n * k)
        return stored[wave], 0, n * k
    evals = [
        Evaluation(sc, scales, {p: float(v) for p, v in zip(names, x[i], strict=True)}, s,
                   tuple(used), source)
        for i in range(n) for s in run_seeds
    ]  # fmt: skip
    y = np.full((n * k, len(used)), np.nan)
    log = None if journal is not None else _journal(store, analysis, wave)
    done = (
        journal.reusable(wave, x, run_seeds)
        if journal is not None
        else read_checkpoint(_journal(store, analysis, wave), len(used))
    )
    for i, values in done.items():
        y[i] = values
    todo = [i for i in range(n * k) if i not in done]
    if on_progress:
        on_progress(len(done), n * k, len(done))
    with _appending(log) as write:
        for c, (j, values) in enumerate(ex.map_unordered(evaluate, [evals[i] for i in todo])):
            i = todo[j]
            y[i] = values
            if journal is not None:
                journal.write(wave, i, x[i // k], run_seeds[i % k], values)
            write(i, values)
            if on_progress:
                on_progress(len(done) + c + 1, n * k, len(done))
    return y.reshape(n, k, len(used)), len(todo), len(done)


def _read_stored(store: Store, analysis: str) -> dict[int, np.ndarray]:
    """The statistics of the waves this fit already committed (wave -> points x seeds x
    targets)."""
    f = store.root / ANALYSES / "hm_outcomes" / f"{analysis}.parquet"
    if not f.is_file():
        return {}
    frame = pd.read_parquet(f)
    out = {}
    targets = list(dict.fromkeys(frame["target"]))
    for w, part in frame.groupby("wave"):
        n, k = int(part["point"].max()) + 1, int(part["member"].max()) + 1
        arr = np.full((n, k, len(targets)), np.nan)
        t = part["target"].map({tid: j for j, tid in enumerate(targets)}).to_numpy()
        arr[part["point"].to_numpy(), part["member"].to_numpy(), t] = part["statistic"].to_numpy()
        out[int(str(w))] = arr
    return out


def _commit(
    store: Store,
    analysis: str,
    waves: list[Wave],
    names: list[str],
    ids: list[str],
    run_seeds: list[int],
) -> None:
    """Every finished wave's points and outcomes, into the store; then the wave's journal goes."""
    pts, outs = [], []
    for w in waves:
        n, k, _ = w.stats.shape
        for i in range(n):
            for j, p in enumerate(names):
                pts.append((w.index, i, p, float(w.x[i, j]), float(w.measure[i]), bool(w.kept[i])))
            for m in range(k):
                for j, tid in enumerate(ids):
                    outs.append((w.index, i, m, str(run_seeds[m]), tid, float(w.stats[i, m, j])))
    store.save_analysis(
        "hm_points",
        analysis,
        pd.DataFrame(pts, columns=["wave", "point", "param", "value", "measure", "kept"]),
    )
    store.save_analysis(
        "hm_outcomes",
        analysis,
        pd.DataFrame(outs, columns=["wave", "point", "member", "seed", "target", "statistic"]),
    )
    _journal(store, analysis, waves[-1].index).unlink(missing_ok=True)


def _summary(posterior: pd.DataFrame, names: list[str], box: Box) -> list[dict[str, Any]]:
    out = []
    for n, (lo, hi) in zip(names, box, strict=True):
        x = posterior[n].to_numpy()
        p = BY_NAME[n]
        q05, med, q95 = (float(v) for v in np.quantile(x, [0.05, 0.5, 0.95]))
        out.append({"param": n, "default": p.default, "lo": p.lo, "hi": p.hi,
                    "box_lo": lo, "box_hi": hi, "mean": float(np.mean(x)),
                    "q05": q05, "median": med, "q95": q95})  # fmt: skip
    return out


def _save(store: Store, match: Match) -> None:
    import json

    long = match.posterior.reset_index(names="particle").melt(
        id_vars=["particle", "weight"], var_name="param", value_name="value"
    )
    store.save_analysis("posterior", match.analysis, long)
    meta = {"diagnostics": json.dumps(match.diagnostics(), default=str)}
    store.save_analysis("hm_fits", match.analysis, pd.DataFrame([meta]))


__all__ = [
    "DRAWS",
    "THRESHOLD",
    "Match",
    "history_match",
    "hypercube",
    "next_box",
    "profile_box",
    "profile_points",
]
