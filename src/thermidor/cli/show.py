"""Front-end commands: ``thermidor report`` (one self-contained HTML file) and ``thermidor serve``
(the web application)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from thermidor.cli.app import app, console, err, fail
from thermidor.cli.core import parse_scale
from thermidor.lab.ensemble import seeds_for
from thermidor.lab.store import Store
from thermidor.model.errors import ScenarioError
from thermidor.model.result import Result
from thermidor.model.scenario import load
from thermidor.report import Group, build, run_dir_group, scenario_group, write
from thermidor.report.page import Mode
from thermidor.report.sources import is_run_dir, sensitivity_for


@app.command("report")
def report_cmd(
    sources: Annotated[
        list[str] | None,
        typer.Argument(
            help="a run directory; with --ensemble, a scenario; with --compare, the base "
            "scenario (or run directory) and then the alternatives",
            show_default=False,
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="the HTML file to write")] = Path(
        "report.html"
    ),
    ensemble: Annotated[
        bool, typer.Option("--ensemble", help="report an ensemble of one scenario")
    ] = False,
    compare: Annotated[
        bool, typer.Option("--compare", help="compare scenarios (the first is the base)")
    ] = False,
    seeds: Annotated[int, typer.Option(help="seeds per scenario (ensembles, comparisons)")] = 10,
    root: Annotated[int, typer.Option(help="root seed of the ensemble")] = 0,
    scale: Annotated[
        list[str] | None,
        typer.Option(help="persons per agent: N, or POPULATION=N (repeatable)"),
    ] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes for new runs")] = None,
    store: Annotated[
        Path, typer.Option(help="the lab's store: stored runs are reused, new runs added")
    ] = Path("runs"),
    title: Annotated[str | None, typer.Option(help="the report's title")] = None,
) -> None:
    """Write one self-contained HTML report of a run, an ensemble or a comparison."""
    try:
        mode, groups = _groups(sources or [], ensemble, compare, seeds, root, scale, workers, store)
        sens = None
        if mode != "run":
            sens = sensitivity_for(Store(store), groups[0].first.manifest["scenario"]["name"])
        page = build(groups, mode, title=title, sensitivity=sens)
        write(str(out), page)
    except ScenarioError as e:
        fail(e)
    console.print(f"wrote {out}  ({len(page) / 1e6:.1f} MB, {sum(g.size for g in groups)} runs)")


def _groups(
    sources: list[str],
    ensemble: bool,
    compare: bool,
    seeds: int,
    root: int,
    scale: list[str] | None,
    workers: int | None,
    store: Path,
) -> tuple[Mode, list[Group]]:
    if ensemble and compare:
        raise ScenarioError("--ensemble/--compare", "both", "one of them, or neither")
    if seeds < 1:
        raise ScenarioError("seeds", seeds, "a whole number >= 1")
    if not ensemble and not compare:
        if len(sources) != 1:
            raise ScenarioError(
                "RUN_DIR",
                " ".join(sources) or "(none)",
                "one run directory (or --ensemble, --compare)",
            )
        return "run", [run_dir_group(sources[0])]
    if ensemble and len(sources) != 1:
        raise ScenarioError("--ensemble", " ".join(sources) or "(none)", "one scenario")
    if compare and len(sources) < 2:
        raise ScenarioError(
            "--compare", " ".join(sources) or "(none)", "a base and at least one alternative"
        )
    scales = parse_scale(scale)
    members = seeds_for(seeds, root)
    st = Store(store)
    groups = []
    for src in sources:
        if compare and is_run_dir(src):
            groups.append(run_dir_group(src))
            continue
        sc = load(src)
        with Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=True,
        ) as bar:
            task = bar.add_task(f"{sc.name}: {len(members)} seeds", total=len(members))
            groups.append(
                scenario_group(
                    sc,
                    members,
                    scales,
                    store=st,
                    workers=workers,
                    on_done=_advance(bar, task),
                )
            )
    return ("ensemble" if ensemble else "compare"), groups


def _advance(bar: Progress, task: TaskID) -> Callable[[int, Result], None]:
    return lambda i, r: bar.update(task, advance=1)


@app.command("serve")
def serve_cmd(
    host: Annotated[str, typer.Option(help="address to bind (127.0.0.1: this machine only)")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option(help="port to listen on")] = 8000,
    store: Annotated[Path, typer.Option(help="the lab's store, where runs are kept")] = Path(
        "runs"
    ),
    workers: Annotated[int, typer.Option(help="runs executed at once (threads)")] = 1,
    queue: Annotated[int, typer.Option(help="runs that may wait; more are refused (503)")] = 4,
) -> None:
    """Serve the web application: edit parameters, run, watch, compare, share, download."""
    import uvicorn

    from thermidor.web import create_app

    if not 1 <= port <= 65535:
        fail(ScenarioError("port", port, "a port number in [1, 65535]"))
    if not 1 <= workers <= 8:
        fail(ScenarioError("workers", workers, "a whole number in [1, 8]"))
    if not 0 <= queue <= 100:
        fail(ScenarioError("queue", queue, "a whole number in [0, 100]"))
    application = create_app(store, workers=workers, queue_size=queue)
    console.print(f"thermidor: serving on http://{host}:{port}/  (store {store})")
    uvicorn.run(application, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)
