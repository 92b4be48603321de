"""Core commands: ``thermidor run | targets | params | scenarios``.

Bad input (an unknown scenario, key, type or value) prints one line naming the key path, the bad
value and what is allowed, exits with code 2 and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from thermidor.cli.app import app, console, err, fail
from thermidor.cli.uncertainty import PosteriorOption, UncertaintyOption
from thermidor.lab.ensemble import plan, results_of, seeds_for
from thermidor.model.errors import ScenarioError
from thermidor.model.params import PARAMS, json_schema
from thermidor.model.result import Result
from thermidor.model.run import run as run_model
from thermidor.model.scenario import load, shipped
from thermidor.model.targets import score


def parse_scale(values: list[str] | None) -> int | dict[str, int] | None:
    if not values:
        return None
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
                raise ScenarioError("scale", v, "a whole number, or POPULATION=N") from None
    return per


def parse_date(value: str | None, path: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ScenarioError(path, value, "a date YYYY-MM-DD") from None


def targets_table(rows: list[dict[str, Any]], title: str) -> Table:
    t = Table(title=title, show_lines=False)
    for col in ("id", "quantity", "when", "essay", "model (median)", "p10-p90", "hit", "role"):
        t.add_column(col)
    for r in rows:
        if not r["modelled"]:
            t.add_row(
                r["id"],
                r["quantity"],
                r["when"],
                str(r["target"] or ""),
                "-",
                "-",
                "-",
                "[dim]not modelled yet[/]",
            )
            continue
        med = r["simulated_median"]
        fmt = (lambda x: "never" if x is None else str(x)) if r["kind"] == "event" else _num
        ok = "[green]pass[/]" if r["passed"] else "[red]fail[/]"
        t.add_row(
            r["id"],
            r["quantity"],
            r["when"],
            _num(r["target"]) if r["kind"] != "event" else f"{r['when']} ±{r['tolerance']:g}m",
            fmt(med),
            f"{fmt(r['p10'])} – {fmt(r['p90'])}",
            f"{r['hit_rate']:.0%} {ok}",
            r["role"],
        )
    return t


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
            help="persons per agent: N for every population, or POPULATION=N (repeatable)"
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
) -> None:
    """Run one scenario; print its chronology and its targets; write its run directory."""
    try:
        sc = load(scenario)
        scales = parse_scale(scale)
        stop = parse_date(until, "until")
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TextColumn("{task.fields[date]}"),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{sc.name} seed {seed}", total=None, date="")

            def on_step(step: int, total: int, row: dict[str, float]) -> None:
                bar.update(task, completed=step + 1, total=total, date=f"week {step + 1}/{total}")

            result = run_model(
                sc, seed=seed, scale=scales, until=stop, backend=backend, on_step=on_step,
                save_state=save_state, from_state=from_state,
            )  # fmt: skip
    except ScenarioError as e:
        fail(e)

    target = out or Path("runs") / sc.name / f"seed-{seed}"
    result.write(target)
    print_chronology(result)
    console.print(targets_table(score([result]), "Targets (one run: hit or miss)"))
    console.print(f"wrote {target}  ({result.manifest['wall_time_s']:.1f} s)")


def print_chronology(result: Result) -> None:
    t = Table(title=f"Chronology — {result.manifest['scenario']['meta'].get('title', '')}")
    t.add_column("week of")
    t.add_column("what happened")
    quiet = {"congress"}
    for e in result.events:
        if e.kind in quiet:
            continue
        t.add_row(str(result.dates[e.step]), e.text)
    console.print(t)
    if result.manifest.get("interventions"):
        console.print("[yellow]interventions:[/] " + "; ".join(result.manifest["interventions"]))


@app.command("targets")
def targets_cmd(
    seeds: Annotated[int, typer.Option(help="ensemble size")] = 20,
    scenario: Annotated[str, typer.Option(help="scenario name or file")] = "baseline",
    root: Annotated[int, typer.Option(help="root seed of the ensemble")] = 0,
    workers: Annotated[int | None, typer.Option(help="worker processes")] = None,
    uncertainty: UncertaintyOption = None,
    posterior: PosteriorOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Score an ensemble against every figure and date in TARGETS.csv."""
    from thermidor.lab.executors import executor as make_executor
    from thermidor.lab.uncertainty import resolve

    try:
        sc = load(scenario)
        if seeds < 1:
            raise ScenarioError("seeds", seeds, "a whole number >= 1")
        u = resolve(uncertainty, posterior, root)
        p = plan(sc, seeds_for(seeds, root), None, None, u)
        ex = make_executor(None, workers, None)
    except ScenarioError as e:
        fail(e)

    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=as_json,
    ) as bar:
        task = bar.add_task(f"{sc.name}: {seeds} seeds", total=seeds)
        with ex:
            results = results_of(p, ex, lambda i: bar.update(task, advance=1))
    label = p.uncertainty["label"]
    rows = score(results)
    out = [
        {
            k: r[k]
            for k in (
                "id",
                "kind",
                "unit",
                "simulated_median",
                "p10",
                "p90",
                "target",
                "tolerance",
                "hit_rate",
                "occurred_share",
                "passed",
                "role",
                "calibrated_with",
                "quantity",
                "when",
                "modelled",
            )
        }
        | {"uncertainty": label}
        for r in rows
    ]
    if as_json:
        sys.stdout.write(json.dumps(out, indent=2) + "\n")
        return
    console.print(
        targets_table(rows, f"Targets — {sc.name}, {seeds} seeds (pass: ≥80% hit); {label}")
    )
    passed = sum(r["passed"] for r in rows)
    modelled = sum(r["modelled"] for r in rows)
    console.print(f"{passed} of {modelled} modelled targets pass ({len(rows)} in TARGETS.csv)")


@app.command("params")
def params_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
    schema: Annotated[bool, typer.Option("--schema", help="print the JSON Schema")] = False,
) -> None:
    """List every parameter: default, range, unit, meaning, source, class."""
    if schema:
        sys.stdout.write(json.dumps(json_schema(), indent=2, sort_keys=True) + "\n")
        return
    if as_json:
        sys.stdout.write(json.dumps([p.as_dict() for p in PARAMS], indent=2) + "\n")
        return

    t = Table(title="Parameters")
    for col in ("name", "default", "range", "unit", "class", "source", "meaning"):
        t.add_column(col, overflow="fold")
    for p in PARAMS:
        t.add_row(
            p.name, f"{p.default:g}", f"[{p.lo:g}, {p.hi:g}]", p.unit, p.cls, p.source, p.meaning
        )
    console.print(t)


@app.command("scenarios")
def scenarios_cmd() -> None:
    """List the shipped scenarios."""
    t = Table(title="Shipped scenarios")
    t.add_column("name", no_wrap=True)
    for col in ("class", "section", "title", "interventions"):
        t.add_column(col)
    for name in shipped():
        sc = load(name)
        t.add_row(
            name,
            sc.meta.get("class", ""),
            sc.meta.get("section", ""),
            sc.meta.get("title", ""),
            "; ".join(sc.interventions) or "-",
        )
    console.print(t)
