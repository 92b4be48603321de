"""``thermidor calibrate``: fit calibrated parameters to the calibrated targets, by ABC-SMC
(``--method abc``, pyabc: ``thermidor.lab.calibrate``) or by history matching
(``--method history-matching``: ``thermidor.lab.history_matching``), and save the posterior."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from thermidor.cli.app import app, log, needs, progress
from thermidor.cli.core import parse_scale
from thermidor.cli.lab import (
    AsJson,
    DbPath,
    Root,
    Scale,
    Scheduler,
    StoreDir,
    Until,
    make_executor,
    open_store,
    split,
    write_atomically,
)
from thermidor.cli.tables import Col, FormatOption, Sheet, col, resolve, show
from thermidor.lab.ensemble import parse_until
from thermidor.lab.errors import LabError

METHODS = ("abc", "history-matching")
HM_ONLY = ("waves", "points", "seeds", "threshold", "measure", "discrepancy", "profile", "emulate",
           "walk", "chains", "step", "adapt", "proposal", "draws", "dask", "diagnostics-out",
           "write-docs", "evaluations")  # fmt: skip
ABC_ONLY = ("populations", "generations")


def _refuse(method: str, given: dict[str, Any], names: tuple[str, ...], other: str) -> None:
    for name in names:
        v = given[name.replace("-", "_")]
        if v is not None and v is not False:
            raise LabError(name, v, f"an option of --method {other} only (not {method})")


def _free(path: Path | None, force: bool, what: str) -> None:
    if path is not None and path.exists() and not force:
        raise LabError(what, str(path), "a file that does not exist yet (or --force)")


@app.command("calibrate")
def calibrate_cmd(
    params: Annotated[
        list[str] | None,
        typer.Option(
            "--params",
            help="parameters to fit (repeatable or a,b,c; history matching: default every "
            "calibrated parameter)",
        ),
    ] = None,
    method: Annotated[str, typer.Option(help="abc (pyabc ABC-SMC) or history-matching")] = "abc",
    populations: Annotated[
        int | None,
        typer.Option("--populations", "--population", help="abc: particles per generation [100]"),
    ] = None,
    generations: Annotated[int | None, typer.Option(help="abc: ABC-SMC generations [5]")] = None,
    waves: Annotated[int | None, typer.Option(help="history matching: waves [4]")] = None,
    points: Annotated[
        int | None, typer.Option(help="history matching: Latin hypercube points a wave [150]")
    ] = None,
    seeds: Annotated[int | None, typer.Option(help="history matching: runs a point [3]")] = None,
    threshold: Annotated[
        float | None, typer.Option(help="history matching: the implausibility cut [3]")
    ] = None,
    measure: Annotated[
        str | None,
        typer.Option(help="history matching: cut on each point's max or second I [second]"),
    ] = None,
    discrepancy: Annotated[
        float | None,
        typer.Option(help="history matching: model discrepancy, a share of each tolerance [0]"),
    ] = None,
    profile: Annotated[
        int | None,
        typer.Option(
            help="history matching: a wave 0 of each parameter alone at N values of its range "
            "around the defaults; wave 1 samples the box they keep [0: none]"
        ),
    ] = None,
    emulate: Annotated[
        int | None,
        typer.Option(
            help="history matching: each wave after the first draws N candidates and runs the "
            "--points that Gaussian-process emulators of the earlier runs keep [0: none]"
        ),
    ] = None,
    walk: Annotated[
        int | None,
        typer.Option(
            help="history matching: after the waves, N steps of random-walk Metropolis chains "
            "over the non-implausible region; the posterior is drawn from their states [0: none]"
        ),
    ] = None,
    chains: Annotated[int | None, typer.Option(help="history matching: walk chains [8]")] = None,
    step: Annotated[
        float | None,
        typer.Option(help="history matching: walk step, a share of each box width [0.05]"),
    ] = None,
    adapt: Annotated[
        int | None,
        typer.Option(help="history matching: walk steps that tune the step, then discarded [20]"),
    ] = None,
    proposal: Annotated[
        str | None,
        typer.Option(
            help="history matching: the walk's moves, gaussian (one step per box width) or "
            "differential (DE-MCzs: differences of past states, the region's own shape) [gaussian]"
        ),
    ] = None,
    draws: Annotated[
        int | None, typer.Option(help="history matching: posterior draws [500]")
    ] = None,
    scheduler: Scheduler = None,
    workers: Annotated[int, typer.Option(help="processes (local, or the --dask cluster's)")] = 1,
    dask: Annotated[
        bool, typer.Option("--dask", help="history matching: run on a Dask LocalCluster")
    ] = False,
    target: Annotated[
        list[str] | None, typer.Option(help="fit only these targets (calibrated ones)")
    ] = None,
    all_calibrated: Annotated[
        bool, typer.Option(help="fit every non-emergent target, not only those of --params")
    ] = False,
    scenario: Annotated[str, typer.Option(help="the scenario to fit")] = "baseline",
    until: Until = None,
    scale: Scale = None,
    root: Root = 0,
    check_seeds_: Annotated[
        int, typer.Option("--check-seeds", help="runs for the before/after/predictive checks")
    ] = 8,
    posterior_out: Annotated[
        Path | None,
        typer.Option(
            "--posterior-out",
            metavar="FILE",
            help="also write the posterior as a table (parameter columns and weight) that "
            "ensembles read with --posterior FILE",
        ),
    ] = None,
    diagnostics_out: Annotated[
        Path | None,
        typer.Option(
            "--diagnostics-out", metavar="FILE", help="history matching: the diagnostics (JSON)"
        ),
    ] = None,
    write_docs: Annotated[
        Path | None,
        typer.Option(
            "--write-docs",
            metavar="FILE",
            help="history matching: write the diagnostics' tables into FILE's marked section "
            "(docs/calibration.md)",
        ),
    ] = None,
    evaluations: Annotated[
        Path | None,
        typer.Option(
            metavar="FILE",
            help="history matching: keep every run's statistics in this journal and resume from "
            "it (commit it to resume elsewhere; made by other code, it is checked by running two "
            "of its runs again)",
        ),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="replace the files written; start a journal of another fit again")
    ] = False,
    as_json: AsJson = False,
    fmt: FormatOption = None,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """Fit free parameters to the calibrated targets (ABC-SMC or history matching); save the
    posterior."""
    if method not in METHODS:
        raise LabError("method", method, f"one of {', '.join(METHODS)}")
    given = dict(locals())
    _free(posterior_out, force, "posterior-out")
    _free(diagnostics_out, force, "diagnostics-out")
    if method == "history-matching":
        _refuse(method, given, ABC_ONLY, "abc")
        _history_matching(given)
        return
    _refuse(method, given, HM_ONLY, "history-matching")
    needs("lab", "pyabc")
    from thermidor.lab.calibrate import calibrate
    from thermidor.lab.uncertainty import write_posterior

    form = resolve(fmt, as_json)
    st = open_store(store, db)
    names = split(params)
    ex = make_executor(None, workers, scheduler)
    with ex:
        fit = calibrate(
            names,
            population=100 if populations is None else populations,
            generations=5 if generations is None else generations,
            scenario=scenario,
            until=parse_until(until),
            scale=parse_scale(scale),
            root=root,
            workers=workers,
            scheduler=scheduler,
            all_calibrated=all_calibrated,
            targets=split(target) or None,
            check_seeds=check_seeds_,
            store=st,
            executor=ex,
        )
    if posterior_out is not None:
        write_posterior(fit.posterior, posterior_out, force=force)
    data = {
        "analysis": fit.analysis,
        "posterior_out": None if posterior_out is None else str(posterior_out),
        "params": fit.summary,
        "targets": fit.targets,
        "epsilon": fit.epsilon,
        "simulations": fit.simulations,
        "sampler": fit.sampler,
        "checks": fit.checks,
        "notes": fit.notes,
    }
    show(calibrate_sheets(fit), form, data)
    log.info("saved as %s in %s", fit.analysis, st.db)
    if posterior_out is not None:
        log.info(
            "wrote %s: ensembles draw from it with --posterior %s", posterior_out, posterior_out
        )


def _history_matching(o: dict[str, Any]) -> None:
    from thermidor.lab import history_matching as hm
    from thermidor.lab.fit_docs import section, splice
    from thermidor.lab.uncertainty import write_posterior

    form = resolve(o["fmt"], o["as_json"])
    docs: Path | None = o["write_docs"]
    old = None
    if docs is not None:
        if docs.is_dir():
            raise LabError("write-docs", str(docs), "a file name, not a directory")
        old = docs.read_text() if docs.exists() else None
        splice(old, "")  # a file without the markers: refused before any run
    st = open_store(o["store"], o["db"])
    kind = "dask" if o["dask"] or o["scheduler"] else None
    ex = make_executor(kind, o["workers"], o["scheduler"])
    with ex, progress("history matching", form in ("json", "csv")) as update:
        m = hm.history_match(
            split(o["params"]) or None,
            waves=4 if o["waves"] is None else o["waves"],
            points=150 if o["points"] is None else o["points"],
            seeds=3 if o["seeds"] is None else o["seeds"],
            threshold=hm.THRESHOLD if o["threshold"] is None else o["threshold"],
            measure=o["measure"] or "second",
            discrepancy=0.0 if o["discrepancy"] is None else o["discrepancy"],
            profile=0 if o["profile"] is None else o["profile"],
            emulate=0 if o["emulate"] is None else o["emulate"],
            walk=0 if o["walk"] is None else o["walk"],
            chains=8 if o["chains"] is None else o["chains"],
            step=0.05 if o["step"] is None else o["step"],
            adapt=20 if o["adapt"] is None else o["adapt"],
            proposal=o["proposal"] or "gaussian",
            draws=hm.DRAWS if o["draws"] is None else o["draws"],
            scenario=o["scenario"],
            until=parse_until(o["until"]),
            scale=parse_scale(o["scale"]),
            root=o["root"],
            targets=split(o["target"]) or None,
            all_calibrated=o["all_calibrated"],
            check_seeds=o["check_seeds_"],
            store=st,
            executor=ex,
            on_progress=update,
            evaluations=o["evaluations"],
            force=o["force"],
        )
    d = m.diagnostics()
    if o["posterior_out"] is not None:
        write_posterior(m.posterior, o["posterior_out"], force=o["force"])
    if o["diagnostics_out"] is not None:
        write_atomically(o["diagnostics_out"], json.dumps(d, indent=2, default=str) + "\n")
    if docs is not None:
        write_atomically(docs, splice(old, section(d)))
    data = {**d, "posterior_out": None if o["posterior_out"] is None else str(o["posterior_out"])}
    show(history_matching_sheets(d), form, data)
    written = [str(p) for p in (o["posterior_out"], o["diagnostics_out"], docs) if p is not None]
    log.info(
        "saved as %s in %s (%d runs made, %d read back)%s",
        m.analysis, st.db, m.evaluated, m.reused,
        f"; wrote {', '.join(written)}" if written else "",
    )  # fmt: skip


def history_matching_sheets(d: dict[str, Any]) -> list[Sheet]:
    """The waves, the parameters' posterior and the targets' implausibility."""

    def imp(v: float | None) -> str:
        return "inf" if v is None else f"{v:.2g}"

    waves = Sheet(
        f"History matching: {len(d['waves'])} waves ({d['evaluated']} runs made, "
        f"{d['reused']} read back)",
        [
            col("wave"),
            col("points"),
            col("runs"),
            col("kept"),
            col("kept share", "kept_share", lambda v: f"{v:.0%}"),
            col("non-implausible", "non_implausible", lambda v: "yes" if v else "no"),
            col("wall", "wall_time_s", lambda v: f"{v:.0f} s" if v else "read back"),
        ],
        d["waves"],
        name="waves",
    )
    post = d["posterior"]
    params = Sheet(
        f"Posterior ({post['draws']} draws of {post['distinct']} kept points, effective size "
        f"{post['effective_size']:g})",
        [
            col("parameter", "param"),
            Col("range", lambda r: f"{r['lo']:g} – {r['hi']:g}",
                lambda r: [r["lo"], r["hi"]], split=("lo", "hi")),
            Col("last box", lambda r: f"{r['box_lo']:.3g} – {r['box_hi']:.3g}",
                lambda r: [r["box_lo"], r["box_hi"]], split=("box_lo", "box_hi")),
            col("median", fmt=lambda v: f"{v:.4g}"),
            Col("90% interval", lambda r: f"{r['q05']:.4g} – {r['q95']:.4g}",
                lambda r: [r["q05"], r["q95"]], split=("q05", "q95")),
        ],
        post["summary"],
        name="params",
    )  # fmt: skip
    last = d["waves"][-1]["targets"]
    rows = [
        {"id": tid, "defaults": d["implausibility"]["before"].get(tid),
         "last_before": last[tid]["median_before"], "last_after": last[tid]["median_after"],
         "predictive": d["implausibility"]["predictive"].get(tid)}
        for tid in d["config"]["targets"]
    ]  # fmt: skip
    targets = Sheet(
        "Implausibility per target: at the defaults, the last wave's median before and after "
        "its cut, the posterior predictive",
        [
            col("target", "id"),
            col("defaults", fmt=imp),
            col("last wave", "last_before", imp),
            col("kept", "last_after", imp),
            col("predictive", fmt=imp),
        ],
        rows,
        list(d["notes"]),
        name="targets",
    )
    walk = d.get("walk")
    if not walk:
        return [waves, params, targets]
    acc = walk.get("acceptance_after_adapt")
    chains = Sheet(
        f"Walk: {walk['chains']} chains x {walk['steps']} steps ({walk.get('proposal', 'gaussian')}"
        f"), acceptance {'-' if acc is None else f'{acc:.0%}'} after adaptation, R-hat at most "
        f"{_r(walk.get('rhat_max'))} ({_r(walk.get('rhat_max_second_half'))} over the second "
        f"half), effective size at least {walk.get('ess_min') or 0:.0f}",
        [
            col("parameter", "param"),
            col("R-hat", "rhat", _r),
            col("ESS", "ess", lambda v: f"{v:.0f}"),
            col("chains apart", "apart", lambda v: "-" if v is None else f"{v:.1%}"),
        ],
        walk["per_param"],
        name="walk",
    )
    return [waves, params, chains, targets]


def _r(v: float | None) -> str:
    return "-" if v is None else f"{v:.2f}"


STAGES = ("before", "after", "predictive")


def calibrate_sheets(fit: Any) -> list[Sheet]:
    """The posterior of each parameter, then each target before the fit (the defaults), after
    it (the posterior median) and under the posterior predictive."""
    posterior = Sheet(
        f"Posterior ({fit.simulations} simulations, ε = {fit.epsilon:.3g}, {fit.sampler})",
        [
            col("parameter", "param"),
            col("default", fmt=lambda v: f"{v:g}"),
            Col("prior", lambda r: f"U[{r['lo']:g}, {r['hi']:g}]",
                lambda r: [r["lo"], r["hi"]], split=("lo", "hi")),
            col("posterior median", "median", lambda v: f"{v:.4g}"),
            Col("90% interval", lambda r: f"{r['q05']:.4g} – {r['q95']:.4g}",
                lambda r: [r["q05"], r["q95"]], split=("q05", "q95")),
        ],
        fit.summary,
        name="params",
    )  # fmt: skip
    checks = sorted(fit.checks, key=lambda c: (c["id"], STAGES.index(c["stage"])))
    targets = Sheet(
        "Targets before, after (posterior median) and posterior predictive",
        [
            col("target", "id"),
            col("quantity"),
            col("essay", "target"),
            col("stage"),
            col("model median", "simulated_median"),
            Col("p10–p90", lambda c: f"{c['p10']} – {c['p90']}",
                lambda c: [c["p10"], c["p90"]], split=("p10", "p90")),
            col("hit", "hit_rate", lambda v: f"{v:.0%}"),
        ],
        checks,
        list(fit.notes),
        name="checks",
    )  # fmt: skip
    return [posterior, targets]
