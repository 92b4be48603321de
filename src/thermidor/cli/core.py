"""Core commands: ``thermidor run | targets | params | scenarios``.

Bad input (an unknown scenario, key, type or value) prints one line naming the key path, the bad
value and what is allowed, exits with code 2 and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from thermidor.cli.app import app, err, log, progress, quiet
from thermidor.cli.tables import Col, FormatOption, Sheet, col, resolve, show
from thermidor.cli.uncertainty import PosteriorOption, UncertaintyOption
from thermidor.lab.ensemble import seeds_for
from thermidor.lab.horizon import check_until, with_horizon
from thermidor.model.errors import ScenarioError
from thermidor.model.params import PARAMS, json_schema
from thermidor.model.result import Result, check_target
from thermidor.model.run import NAMED_SCALES
from thermidor.model.run import run as run_model
from thermidor.model.scenario import load, shipped
from thermidor.model.targets import AFTER_HORIZON, score

SCALE_HELP = (
    "persons per agent: N, ensemble (4x the default but the households), or POPULATION=N "
    "(repeatable)"
)
"""The help of every command's ``--scale`` (the named scales: ``model/run.py``)."""


def parse_scale(values: list[str] | None) -> int | str | dict[str, int] | None:
    if not values:
        return None
    if len(values) == 1 and values[0] in NAMED_SCALES:
        return values[0]
    per: dict[str, int] = {}
    for v in values:
        if "=" in v:
            k, _, n = v.partition("=")
            try:
                per[k.strip()] = int(n)
            except ValueError:
                raise ScenarioError(f"scale.{k.strip()}", n, "a whole number") from None
        else:
            try:
                return int(v)
            except ValueError:
                raise ScenarioError(
                    "scale", v, f"a whole number, {' or '.join(NAMED_SCALES)}, or POPULATION=N"
                ) from None
    return per


def parse_date(value: str | None, path: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(path, value, "a date YYYY-MM-DD") from None


FEW = 10  # ensembles smaller than this get a warning beside their intervals


def few_note(n: int) -> str:
    return (
        f"{n} runs are too few for these intervals and rates (they move by {100 // n}% with one "
        f"run): use at least {FEW} (--seeds {FEW})"
    )


def _hit_text(r: Mapping[str, Any], one: bool) -> str:
    if not r["modelled"]:
        return "-"
    if one:
        return "hit" if r["hit_rate"] >= 1 else "miss"
    return f"{r['hit_rate']:.0%} {'pass' if r['passed'] else 'fail'}"


def _hit_style(r: Mapping[str, Any]) -> str:
    if not r["modelled"]:
        return "dim"
    return "green" if r["passed"] else "red"


def _essay(r: Mapping[str, Any]) -> str:
    if r["kind"] == "event":
        return f"{r['when']} ±{r['tolerance']:g}m"
    return _num(r["target"]) if r["kind"] != "order" else str(r["target"])


def _model(r: Mapping[str, Any], key: str) -> str:
    if not r["modelled"]:
        return "-"
    x = r[key]
    if r["kind"] in ("event", "order"):
        return "never" if x is None else str(x)
    return _num(x)


def targets_sheet(rows: list[dict[str, Any]], title: str) -> Sheet:
    """The targets table: one run says hit or miss and shows no range; an ensemble its median,
    10-90% range and hit rate (with a warning beside them under FEW members)."""
    n = int(rows[0]["seeds"]) if rows else 1
    one = n == 1
    cols = [
        col("id"),
        col("quantity"),
        col("when"),
        Col("essay", _essay, lambda r: r["target"]),
        Col(
            "model" if one else "model (median)",
            lambda r: _model(r, "simulated_median"),
            lambda r: r["simulated_median"],
        ),
    ]
    if not one:
        warn = f" (⚠ {n} runs)" if n < FEW else ""
        cols.append(
            Col(
                f"p10–p90{warn}",
                lambda r: "-" if not r["modelled"] else f"{_model(r, 'p10')} – {_model(r, 'p90')}",
                lambda r: [r["p10"], r["p90"]],
                split=("p10", "p90"),
            )
        )
    cols += [
        Col(
            "hit" if one else f"hit rate{' (⚠)' if n < FEW else ''}",
            lambda r: _hit_text(r, one),
            lambda r: None if not r["modelled"] else _hit_text(r, one) if one else r["hit_rate"],
            _hit_style,
        ),
        col("role"),
    ]
    notes = [] if one or n >= FEW else [few_note(n)]
    return Sheet(title, cols, rows, notes, name="targets")


def _num(x: Any) -> str:
    if x is None:
        return "-"
    if isinstance(x, str):
        return x
    return f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"


@app.command("run")
def run_cmd(
    scenario: Annotated[
        str, typer.Option(help="a shipped scenario's name or a .toml file")
    ] = "baseline",
    seed: Annotated[int, typer.Option(help="the run's seed")] = 0,
    scale: Annotated[
        list[str] | None,
        typer.Option(
            help="persons per agent: N for every population, a named scale (ensemble: 4x the "
            "default but the households), or POPULATION=N (repeatable)"
        ),
    ] = None,
    until: Annotated[str | None, typer.Option(help="stop at this date (YYYY-MM-DD)")] = None,
    out: Annotated[
        Path | None, typer.Option(help="run directory (default runs/SCENARIO/seed-N)")
    ] = None,
    backend: Annotated[
        str | None, typer.Option(help="numba (the default), numpy (the reference) or cupy")
    ] = None,
    save_state: Annotated[
        Path | None, typer.Option(help="save the state at the run's end (--until) to this file")
    ] = None,
    from_state: Annotated[
        Path | None, typer.Option(help="continue a state saved with --save-state")
    ] = None,
    fmt: FormatOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON (--format json)")] = False,
    force: Annotated[
        bool,
        typer.Option(
            help="replace an existing run directory (or --save-state file); run even when the"
            " memory estimate says the run will not fit"
        ),
    ] = False,
) -> None:
    """Run one scenario; print its chronology and its targets; write its run directory.

    An existing run directory is replaced only with --force; a directory holding anything else
    is never written to."""
    form = resolve(fmt, as_json)
    sc = load(scenario)
    scales = parse_scale(scale)
    stop = parse_date(until, "until")
    check_until(sc, stop)
    target = check_target(out or Path("runs") / sc.name / f"seed-{seed}", force)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[date]}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=quiet(),
    ) as bar:
        task = bar.add_task(f"{sc.name} seed {seed}", total=None, date="")

        def on_step(step: int, total: int, row: dict[str, float]) -> None:
            bar.update(task, completed=step + 1, total=total, date=f"week {step + 1}/{total}")

        result = run_model(
            sc, seed=seed, scale=scales, until=stop, backend=backend, on_step=on_step,
            save_state=save_state, from_state=from_state, force=force,
        )  # fmt: skip

    result.write(target, force=force)
    log.debug("run %s seed %d: %d weeks", sc.name, seed, len(result.dates))
    chronology = chronology_sheet(result)
    scored = targets_sheet(score([result]), "Targets (one run: hit or miss)")
    data = {
        "run": str(target),
        "scenario": sc.name,
        "seed": seed,
        "interventions": result.manifest.get("interventions", []),
        "chronology": chronology.records(),
        "targets": [target_record(r) for r in scored.rows],
    }
    show([chronology, scored], form, data)
    log.info("wrote %s  (%.1f s)", target, result.manifest["wall_time_s"])


def chronology_sheet(result: Result) -> Sheet:
    quiet_kinds = {"congress"}
    rows = [
        {"week of": str(result.dates[e.step]), "what happened": e.text}
        for e in result.events
        if e.kind not in quiet_kinds
    ]
    notes = []
    if result.manifest.get("interventions"):
        notes.append("interventions: " + "; ".join(result.manifest["interventions"]))
    title = f"Chronology — {result.manifest['scenario']['meta'].get('title', '')}"
    return Sheet(title, [col("week of"), col("what happened")], rows, notes, name="chronology")


TARGET_FIELDS = (
    "id", "kind", "unit", "simulated_median", "p10", "p90", "target", "tolerance", "hit_rate",
    "occurred_share", "passed", "role", "calibrated_with", "quantity", "when", "modelled", "seeds",
)  # fmt: skip


def target_record(r: Mapping[str, Any]) -> dict[str, Any]:
    return {k: r[k] for k in TARGET_FIELDS}


@app.command("targets")
def targets_cmd(
    seeds: Annotated[int, typer.Option(help="ensemble size")] = 20,
    scenario: Annotated[str, typer.Option(help="scenario name or file")] = "baseline",
    root: Annotated[int, typer.Option(help="root seed of the ensemble")] = 0,
    until: Annotated[
        str | None, typer.Option(help="end the runs at YYYY-MM-DD (later targets: after it)")
    ] = None,
    scale: Annotated[
        list[str] | None,
        typer.Option(help=SCALE_HELP),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    uncertainty: UncertaintyOption = None,
    posterior: PosteriorOption = None,
    store: Annotated[
        Path, typer.Option(help="the lab's store: stored runs are reused, new runs kept")
    ] = Path("runs"),
    fmt: FormatOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON (--format json)")] = False,
) -> None:
    """Score an ensemble against every figure and date in targets.csv (runs from the store)."""
    from thermidor.lab.ensemble import check_seeds, plan, run_jobs
    from thermidor.lab.executors import executor as make_executor
    from thermidor.lab.store import Store
    from thermidor.lab.uncertainty import resolve as resolve_uncertainty

    form = resolve(fmt, as_json)
    sc = with_horizon(scenario, until)
    u = resolve_uncertainty(uncertainty, posterior, root)
    p = plan(sc, seeds_for(check_seeds(seeds), root), parse_scale(scale), None, root, uncertainty=u)
    st = Store(store)
    ex = make_executor(None, workers, None)
    with ex, progress(f"{sc.name}: {seeds} seeds", form in ("json", "csv")) as update:
        ran = run_jobs(p.jobs(str(st.root.resolve())), st, ex, update)
        results = [st.load(k) for k in p.keys]
    log.info("%d runs from %s: %d run now, %d already stored", seeds, st.root, ran.ran, ran.skipped)
    rows = score(results)
    label = p.uncertainty["label"]
    title = f"Targets — {sc.name}, " + (
        "1 run (hit or miss)" if seeds == 1 else f"{seeds} runs (pass: ≥80% hit)"
    )
    passed = sum(r["passed"] for r in rows)
    modelled = sum(r["modelled"] for r in rows)
    later = sum(r["role"] == AFTER_HORIZON for r in rows)
    footer = [
        f"{passed} of {modelled} modelled targets pass ({len(rows)} in targets.csv"
        + (f"; {later} after the horizon {sc.end})" if later else ")")
    ]
    show(
        targets_sheet(rows, title),
        form,
        [target_record(r) | {"uncertainty": label} for r in rows],
        [label, *footer],
    )


@app.command("params")
def params_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON (--format json)")] = False,
    schema: Annotated[bool, typer.Option("--schema", help="print the JSON Schema")] = False,
    fmt: FormatOption = None,
) -> None:
    """List every parameter: default, range, unit, meaning, source, class."""
    if schema:
        sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
        return
    form = resolve(fmt, as_json)
    rows = [p.as_dict() for p in PARAMS]
    cols = [
        col("name"),
        col("default", fmt=lambda v: f"{v:g}"),
        Col(
            "range",
            lambda r: f"[{r['min']:g}, {r['max']:g}]",
            lambda r: [r["min"], r["max"]],
            split=("min", "max"),
        ),
        col("unit"),
        col("class"),
        col("source"),
        col("meaning"),
    ]
    show(Sheet(f"Parameters ({len(rows)})", cols, rows), form, rows)


@app.command("scenarios")
def scenarios_cmd(
    fmt: FormatOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON (--format json)")] = False,
) -> None:
    """List the shipped scenarios."""
    form = resolve(fmt, as_json)
    rows = []
    for name in shipped():
        sc = load(name)
        rows.append({
            "name": name,
            "class": sc.meta.get("class", ""),
            "section": sc.meta.get("section", ""),
            "title": sc.meta.get("title", ""),
            "interventions": sc.interventions,
        })  # fmt: skip
    cols = [
        col("name"),
        col("class"),
        col("section"),
        col("title"),
        col("interventions", fmt=lambda v: "; ".join(v) or "-"),
    ]
    show(Sheet("Shipped scenarios", cols, rows), form, rows)
