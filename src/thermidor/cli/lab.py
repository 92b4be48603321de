"""Lab commands: ``thermidor ensemble | runs | rerun | store | compare | sensitivity`` (and the
options ``calibrate`` and ``sweep`` share with them).

Bad input (an unknown scenario or parameter, a bad seed count, an unreachable scheduler, a
corrupt or locked store) prints one line naming what is wrong and exits with code 2, leaving the
store as it was.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import sys
import tempfile
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import typer

from thermidor.cli.app import Group, app, console, log, needs, progress
from thermidor.cli.core import FEW, SCALE_HELP, few_note, parse_scale
from thermidor.cli.tables import Col, Format, FormatOption, Sheet, col, resolve, show
from thermidor.cli.uncertainty import PosteriorOption, UncertaintyOption
from thermidor.lab.ensemble import check_seeds, ensemble, parse_until, rerun, with_horizon
from thermidor.lab.errors import LabError
from thermidor.lab.executors import Executor, executor
from thermidor.lab.store import Store
from thermidor.model.run import resolve_scales
from thermidor.model.scenario import Scenario, state_file

store_app = typer.Typer(
    cls=Group, no_args_is_help=True, help="The run store: rebuild its index, query it."
)
app.add_typer(store_app, name="store")

# -- shared options ---------------------------------------------------------------------------
StoreDir = Annotated[Path, typer.Option("--store", help="the store's root directory")]
DbPath = Annotated[
    Path | None, typer.Option("--db", help="the index file (default STORE/thermidor.duckdb)")
]
Seeds = Annotated[int, typer.Option("--seeds", help="members of each ensemble")]
Root = Annotated[int, typer.Option("--root", help="root seed: member k runs child k of it")]
Scale = Annotated[
    list[str] | None,
    typer.Option(
        "--scale",
        help=SCALE_HELP,
    ),
]
Until = Annotated[str | None, typer.Option("--until", help="end the runs at YYYY-MM-DD")]
ExecutorKind = Annotated[
    str | None,
    typer.Option("--executor", help="local | dask (default: dask with --scheduler, else local)"),
]
Scheduler = Annotated[
    str | None, typer.Option("--scheduler", help="address of a Dask scheduler (tcp://HOST:8786)")
]
Workers = Annotated[
    int | None,
    typer.Option("--workers", help="worker processes (local, or a Dask LocalCluster)"),
]
AsJson = Annotated[bool, typer.Option("--json", help="print JSON")]
FromState = Annotated[
    Path | None,
    typer.Option(
        "--from-state",
        help="continue a state saved with `thermidor run --until DATE --save-state FILE`: every"
        " member (of every scenario) shares that history and runs on from it with its own seed",
    ),
]


def scales_of(scale: list[str] | None, from_state: Path | None) -> dict[str, int]:
    """The runs' scales: as asked, else the saved state's (a fork keeps its history's), else the
    default."""
    if scale is None and from_state is not None:
        from thermidor.model.checkpoint import read_header

        return resolve_scales(read_header(from_state)["scales"])
    return resolve_scales(parse_scale(scale))


def forked(sc: Scenario, path: Path | None) -> Scenario:
    """``sc`` continuing the state saved in ``path`` (as ``[run] from_state`` would)."""
    return sc if path is None else dataclasses.replace(sc, from_state=state_file(path))


def open_store(store: Path, db: Path | None) -> Store:
    return Store(store, db)


def resolve_uncertainty(source: str | None, posterior: Path | None) -> None:
    """Check ``--uncertainty`` and ``--posterior`` before anything runs (LabError, exit 2)."""
    from thermidor.lab.uncertainty import resolve

    resolve(source, posterior)


def make_executor(kind: str | None, workers: int | None, scheduler: str | None) -> Executor:
    """The lab's executor; Dask without the [lab] extra installed is one line and exit 2, as
    for every missing extra."""
    if kind == "dask" or (kind is None and scheduler):
        needs("lab", "distributed", what="the dask executor")
    return executor(kind, workers, scheduler)


def split(values: list[str] | None) -> list[str]:
    """Names given as repeated options and/or separated by commas."""
    return [v.strip() for item in values or [] for v in item.split(",") if v.strip()]


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=2, default=str) + "\n")


def write_atomically(path: Path, text: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "wb") as f:
        f.write(text.encode() if isinstance(text, str) else text)
    os.replace(tmp, path)


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    out = []
    for row in frame.to_dict(orient="records"):
        clean: dict[str, Any] = {}
        for k, v in row.items():
            if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
                clean[k] = None
            elif isinstance(v, pd.Timestamp):
                clean[k] = v.date().isoformat()
            elif hasattr(v, "item"):
                clean[k] = v.item()
            else:
                clean[k] = v
        out.append(clean)
    return out


# -- ensemble ------------------------------------------------------------------------------
@app.command("ensemble")
def ensemble_cmd(
    scenario: Annotated[str, typer.Argument(help="a shipped scenario's name or a .toml file")],
    seeds: Seeds = 20,
    root: Root = 0,
    scale: Scale = None,
    until: Until = None,
    executor: ExecutorKind = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    ship_results: Annotated[
        bool,
        typer.Option(help="workers send results back to be written here (no shared disk)"),
    ] = False,
    uncertainty: UncertaintyOption = None,
    posterior: PosteriorOption = None,
    from_state: FromState = None,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
    force: Annotated[
        bool, typer.Option(help="run even when the memory estimate says the runs will not fit")
    ] = False,
) -> None:
    """Run (or complete) an ensemble and keep it in the store.

    Killed at any moment, run it again: it finishes, with no run lost or made twice.
    """
    check_seeds(seeds)
    resolve_uncertainty(uncertainty, posterior)  # a bad source fails before anything runs
    scales = scales_of(scale, from_state)
    sc = forked(with_horizon(scenario, until), from_state)
    st = open_store(store, db)
    ex = make_executor(executor, workers, scheduler)
    with ex, progress(f"{sc.name}: {seeds} seeds") as update:
        ran = ensemble(
            sc,
            seeds,
            root,
            scales,
            None,
            store=st,
            executor=ex,
            on_progress=update,
            ship_results=ship_results,
            force=force,
            uncertainty=uncertainty,
            posterior=posterior,
        )
    rate = ran.ran / ran.wall_time_s * 60 if ran.wall_time_s > 0 and ran.ran else 0.0
    log.info(
        "%d runs in %s: %d run now on %s (%d workers, %.1f s, %.0f runs/min), %d already stored;"
        " %s",
        len(set(ran.keys)), st.root, ran.ran, ex.name, ex.workers, ran.wall_time_s, rate,
        ran.skipped, ran.uncertainty["label"],
    )  # fmt: skip


# -- runs, rerun, store ---------------------------------------------------------------------
@app.command("runs")
def runs_cmd(
    scenario: Annotated[str | None, typer.Option(help="only this scenario")] = None,
    limit: Annotated[int, typer.Option(help="rows to show in the table")] = 50,
    as_json: AsJson = False,
    fmt: FormatOption = None,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """List the stored runs."""
    if limit < 1:
        raise LabError("limit", limit, "a whole number of rows >= 1")
    form = resolve(fmt, as_json)
    frame = open_store(store, db).runs(scenario)
    if form == "json":
        emit_json(records(frame))
        return
    rows = records(frame if form == "csv" else frame.head(limit))
    cols = [
        col("key"),
        col("scenario"),
        col("seed"),
        col("until", "end_date"),
        col("steps"),
        col("consolidated", "consolidated_on", lambda v: str(v or "never")),
        Col(
            "interventions",
            lambda r: ", ".join(json.loads(r["interventions"])) or "-",
            lambda r: json.loads(r["interventions"]),
        ),
        col("s", "wall_time_s", lambda v: f"{v:.1f}"),
    ]
    more = len(frame) - len(rows)
    footer = [f"… and {more} more (--limit, or --format csv|json)"] if more > 0 else []
    show(Sheet(f"Runs in {store} ({len(frame)})", cols, rows), form, footer=footer)


@app.command("rerun")
def rerun_cmd(
    path: Annotated[Path, typer.Argument(help="a run directory, or its manifest.json")],
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """Reproduce a stored run from its manifest and check that the bytes are identical."""
    report = rerun(path, open_store(store, db))
    if report.source_changed:
        log.warning("the source has changed since this run was made")
    if report.identical:
        console.print(
            f"[green]identical[/]: {report.directory} reproduced byte for byte "
            f"(indicators, events, manifest but its wall time; {report.wall_time_s:.1f} s)"
        )
        return
    console.print(f"[red]different[/]: {report.directory}: " + "; ".join(report.differences))
    raise typer.Exit(code=1)


@store_app.command("rebuild")
def store_rebuild_cmd(
    force: Annotated[
        bool, typer.Option(help="replace an index that is corrupt or not a thermidor index")
    ] = False,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """Rebuild the index from the run directories and analysis files (the truth)."""
    st = open_store(store, db)
    report = st.rebuild(force=force)
    for s in report.skipped:
        log.warning("skipped %s", s)
    extra = ", ".join(f"{n} rows of {t}" for t, n in report.analyses.items())
    log.info(
        "indexed %d runs%s in %s%s", report.runs, f", {extra}" if extra else "", st.db,
        " (replaced a corrupt index)" if report.replaced_corrupt else "",
    )  # fmt: skip


@store_app.command("verify")
def store_verify_cmd(store: StoreDir = Path("runs"), db: DbPath = None) -> None:
    """Check every run against its checksums; quarantine those that fail (each is computed
    again by the next ensemble); remove what killed writers left behind."""
    st = open_store(store, db)
    st.check_exists()
    report = st.verify()
    for q in report.quarantined:
        log.warning("quarantined %s", q)
    for r in report.removed:
        log.warning("removed %s (left by a killed writer)", r)
    console.print(
        f"{report.good} runs verified in {st.root}, {len(report.quarantined)} quarantined"
        f" (under {st.root / 'quarantine'}), {len(report.removed)} leftovers removed,"
        f" {report.index_rows_dropped} index rows repaired",
        soft_wrap=True,
    )


@store_app.command("query")
def store_query_cmd(
    sql: Annotated[str, typer.Argument(help="SQL over runs, indicators, events and analyses")],
    as_json: AsJson = False,
    fmt: FormatOption = None,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """Run a SQL query over the index and the run files (DuckDB)."""
    form = resolve(fmt, as_json)
    frame = open_store(store, db).query(sql)
    rows = records(frame)
    cols = [col(str(name)) for name in frame.columns]
    show(Sheet(f"{len(rows)} rows", cols, rows), form, rows)


# -- compare ---------------------------------------------------------------------------------
@app.command("compare")
def compare_cmd(
    base: Annotated[str, typer.Argument(help="the base scenario (e.g. baseline)")],
    alternatives: Annotated[list[str], typer.Argument(help="one or more alternatives")],
    seeds: Seeds = 20,
    root: Root = 0,
    scale: Scale = None,
    until: Until = None,
    executor: ExecutorKind = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    event: Annotated[
        str, typer.Option(help="the outcome event (default: the bureaucracy's consolidation)")
    ] = "bureaucracy_consolidated",
    resamples: Annotated[int, typer.Option(help="bootstrap resamples")] = 2000,
    bootstrap_seed: Annotated[int, typer.Option(help="seed of the bootstrap")] = 0,
    uncertainty: UncertaintyOption = None,
    posterior: PosteriorOption = None,
    from_state: FromState = None,
    as_json: AsJson = False,
    fmt: FormatOption = None,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """Compare scenarios paired by seed (common random numbers) and parameter draw, with 95%
    intervals."""
    from thermidor.lab.compare import compare

    form = resolve(fmt, as_json)
    check_seeds(seeds)
    resolve_uncertainty(uncertainty, posterior)
    if not 100 <= resamples <= 1_000_000:
        raise LabError("resamples", resamples, "a whole number in [100, 1,000,000]")
    scales = scales_of(scale, from_state)
    first, *others = [forked(with_horizon(s, until), from_state) for s in [base, *alternatives]]
    st = open_store(store, db)
    ex = make_executor(executor, workers, scheduler)
    with (
        ex,
        progress(f"{1 + len(alternatives)} scenarios × {seeds}", form in ("json", "csv")) as update,
    ):
        out = compare(
            first,
            others,
            seeds,
            root,
            scales,
            None,
            store=st,
            executor=ex,
            on_progress=update,
            resamples=resamples,
            bootstrap_seed=bootstrap_seed,
            event=event,
            uncertainty=uncertainty,
            posterior=posterior,
        )
    print_comparison(out, form)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.0f}%"


def _f(x: float | None, fmt: str = ".2f") -> str:
    return "-" if x is None else format(x, fmt)


def _interval(lo: float | None, hi: float | None) -> str:
    return f"[{_pct(lo)}–{_pct(hi)}]"


def print_comparison(out: dict[str, Any], form: Format = "table") -> None:
    n = int(out["seeds"])
    few = f" (⚠ {n} runs)" if n < FEW else ""
    cols = [
        col("scenario"),
        col("forced decisions", "interventions", lambda v: "; ".join(v) or "-"),
        Col(
            f"P [95%]{few}",
            lambda s: f"{_pct(s['probability'])} {_interval(*s['probability_interval'])}",
            lambda s: [s["probability"], *s["probability_interval"]],
            split=("probability", "probability_lo", "probability_hi"),
        ),
        col("never", "never_share", _pct),
        col("median date", "median_date", lambda v: v or "never"),
        col("KM median", "km_median_date", lambda v: v or "not reached"),
        col("workers' dem. 1927", "workers_democracy_1927", _f),
        col("party dem. 1927", "party_democracy_1927", _f),
        Col(
            "turn of 1928",
            lambda s: s["turn_of_1928"]["median_date"] or "never",
            lambda s: s["turn_of_1928"]["median_date"],
        ),
    ]
    title = f"{out['event']} by {out['by']}: {n} seeds, paired (root {out['root']})"
    diffs = []
    for s in out["scenarios"][1:]:
        for name, iv in s["differences"].items():
            scale, unit = (100.0, " pts") if iv["unit"] == "probability" else (1.0, "")
            unit = " months" if iv["unit"] == "months" else unit
            est = None if iv["estimate"] is None else iv["estimate"] * scale
            lo = None if iv["lo"] is None else iv["lo"] * scale
            hi = None if iv["hi"] is None else iv["hi"] * scale
            diffs.append({
                "scenario": s["scenario"], "difference": name, "estimate": est, "lo": lo,
                "hi": hi, "unit": unit.strip(),
                "text": f"{_f(est, '+.2f')}{unit} [{_f(lo)}, {_f(hi)}]",
            })  # fmt: skip
    notes = [*out["notes"], *([few_note(n)] if n < FEW else [])]
    notes += [
        f"{s['scenario']} sets {', '.join(s['overrides_draws'])} itself: its value replaces the draw"
        for s in out["scenarios"]
        if s.get("overrides_draws")
    ]
    show(
        [
            Sheet(title, cols, out["scenarios"], [out["uncertainty"]["label"]], name="scenarios"),
            Sheet(
                f"Differences from {out['base']} (paired bootstrap, 95%){few}",
                [
                    col("scenario"),
                    col("difference"),
                    Col(
                        "estimate [95%]",
                        lambda d: d["text"],
                        lambda d: [d["estimate"], d["lo"], d["hi"]],
                    ),
                    col("unit"),
                ],
                diffs,
                notes,
                name="differences",
            ),
        ],
        form,
        out,
    )


# -- sensitivity -------------------------------------------------------------------------------
@app.command("sensitivity")
def sensitivity_cmd(
    budget: Annotated[
        int, typer.Option(help="Sobol base sample (a power of two); runs = budget × 5 per set")
    ] = 64,
    trajectories: Annotated[int, typer.Option(help="Morris trajectories (0: no screening)")] = 10,
    outcomes: Annotated[
        list[str] | None, typer.Option(help="outcomes (repeatable or comma-separated)")
    ] = None,
    robust_budget: Annotated[
        int | None,
        typer.Option(help="Sobol base sample for the narrowed and widened ranges [--budget]"),
    ] = None,
    evaluations: Annotated[
        Path | None,
        typer.Option(
            help="keep every evaluation in this journal and resume from it (commit it to resume "
            "elsewhere; made by other code, it is checked by running two of its points again)"
        ),
    ] = None,
    figure: Annotated[
        Path | None,
        typer.Option(help="write the convergence figure here (.svg or .png)"),
    ] = None,
    force: Annotated[
        bool, typer.Option(help="start a journal of another design again; replace --figure")
    ] = False,
    partial: Annotated[
        bool,
        typer.Option(
            help="run nothing: the indices the evaluations made so far allow (each set at the "
            "longest complete power-of-two prefix of its sample), not saved in the store"
        ),
    ] = False,
    scenario: Annotated[str, typer.Option(help="the scenario whose parameters vary")] = "baseline",
    until: Until = None,
    scale: Scale = None,
    root: Root = 0,
    executor: ExecutorKind = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    write_docs: Annotated[
        Path | None, typer.Option(help="write the markdown table here (docs/sensitivity.md)")
    ] = None,
    as_json: AsJson = False,
    fmt: FormatOption = None,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """Morris screening, then Sobol indices by group (structural, political, chance).

    The grouped indices are repeated with every range narrowed and widened by half.
    """
    needs("lab", "SALib")
    from thermidor.lab.sensitivity import DEFAULT_OUTCOMES, sensitivity, to_markdown

    form = resolve(fmt, as_json)
    if figure is not None:
        if figure.suffix not in (".svg", ".png"):
            raise LabError("figure", str(figure), "a file name ending .svg or .png")
        if figure.exists() and not force:
            raise LabError("figure", str(figure), "a file that does not exist yet (or --force)")
    st = open_store(store, db)
    ex = make_executor(executor, workers, scheduler)
    with ex, progress("sensitivity", form in ("json", "csv")) as update:
        s = sensitivity(
            budget,
            trajectories,
            split(outcomes) or DEFAULT_OUTCOMES,
            robust_budget=robust_budget,
            evaluations=evaluations,
            force=force,
            partial=partial,
            scenario=scenario,
            until=parse_until(until),
            scale=parse_scale(scale),
            root=root,
            executor=ex,
            store=st,
            on_progress=update,
        )
    if write_docs is not None:
        write_atomically(write_docs, to_markdown(s))
    if figure is not None:
        from thermidor.report.figures import convergence_chart

        conv = [r for r in records(s.frame) if r["method"] == "convergence"]
        if not conv:
            log.warning("no convergence figure: the documented sample gave no indices")
        else:
            png = convergence_chart(conv, "Total-order Sobol indices against the base sample",
                                    figure.suffix.lstrip("."))  # fmt: skip
            write_atomically(figure, png)
    data = {"analysis": s.analysis, "runs": s.runs, "notes": s.notes, "indices": records(s.frame)}
    show(sensitivity_sheets(s), form, data)
    log.info(
        "%s%s",
        f"partial: {s.made} evaluations, not saved"
        if partial
        else f"saved as {s.analysis} in {st.db}",
        f"; wrote {write_docs}" if write_docs else "",
    )


def sensitivity_sheets(s: Any, top: int = 10) -> list[Sheet]:
    """For each outcome, its Sobol indices by group and range set, then the ``top`` factors of
    the Morris screening (the tables of docs/sensitivity.md, through the formatter)."""
    from thermidor.lab.sensitivity import plus_minus

    rows = records(s.frame)
    sheets = []
    for out in s.config["outcomes"]:
        sobol = [r for r in rows if r["method"] == "sobol" and r["outcome"] == out]
        morris = sorted(
            (r for r in rows if r["method"] == "morris" and r["outcome"] == out),
            key=lambda r: -(r["mu_star"] if r["mu_star"] is not None else -math.inf),
        )
        sheets.append(
            Sheet(
                f"{out}: Sobol indices by group (S1 first order, ST total; ± half the 95% "
                "interval)",
                [
                    col("group"),
                    col("ranges"),
                    Col("S1", lambda r: plus_minus(r["s1"], r["s1_conf"]),
                        lambda r: [r["s1"], r["s1_conf"]], split=("s1", "s1_conf")),
                    Col("ST", lambda r: plus_minus(r["st"], r["st_conf"]),
                        lambda r: [r["st"], r["st_conf"]], split=("st", "st_conf")),
                ],
                sobol,
                [] if sobol else ["not available (see the notes)"],
                name=f"{out}: sobol",
            )
        )  # fmt: skip
        sheets.append(
            Sheet(
                f"{out}: Morris screening, the {min(top, len(morris))} most influential factors "
                "(μ*: mean absolute elementary effect; σ: its spread)",
                [
                    col("factor"),
                    col("class", "group"),
                    col("μ*", "mu_star", lambda v: _f(v, ".3g")),
                    col("±", "mu_star_conf", lambda v: _f(v, ".2g")),
                    col("σ", "sigma", lambda v: _f(v, ".3g")),
                ],
                morris[:top],
                name=f"{out}: morris",
            )
        )
    if sheets:
        sheets[-1].notes += list(s.notes)
    return sheets
