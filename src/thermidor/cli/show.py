"""Front-end commands: ``thermidor report`` (one self-contained HTML file) and ``thermidor serve``
(the web application)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer

from thermidor.cli.app import app, log, needs, progress
from thermidor.cli.core import SCALE_HELP, parse_scale
from thermidor.cli.uncertainty import PosteriorOption, UncertaintyOption
from thermidor.lab.ensemble import parse_until, seeds_for
from thermidor.lab.store import Store
from thermidor.lab.uncertainty import resolve
from thermidor.model.errors import ScenarioError
from thermidor.model.result import is_run_dir
from thermidor.model.scenario import load
from thermidor.report import Group, build, check_output, run_dir_group, scenario_group, write
from thermidor.report.page import Mode, runs
from thermidor.report.sources import sensitivity_for


@dataclass(frozen=True)
class Ask:
    """What ``thermidor report`` was asked for."""

    sources: list[str]
    ensemble: bool
    compare: bool
    seeds: int
    root: int
    scale: list[str] | None
    until: str | None
    workers: int | None
    store: Path
    uncertainty: str | None = None
    posterior: Path | None = None


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
    root: Annotated[int, typer.Option(help="root seed of the ensembles")] = 0,
    scale: Annotated[
        list[str] | None,
        typer.Option(help=SCALE_HELP),
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="end the runs at this date (YYYY-MM-DD)")
    ] = None,
    workers: Annotated[int | None, typer.Option(help="worker processes for new runs")] = None,
    store: Annotated[
        Path, typer.Option(help="the lab's store: stored runs are reused, new runs added")
    ] = Path("runs"),
    title: Annotated[str | None, typer.Option(help="the report's title")] = None,
    uncertainty: UncertaintyOption = None,
    posterior: PosteriorOption = None,
) -> None:
    """Write one self-contained HTML report of a run, an ensemble or a comparison."""
    check_output(out)  # before any run
    ask = Ask(sources or [], ensemble, compare, seeds, root, scale, until, workers, store,
              uncertainty, posterior)  # fmt: skip
    mode, groups = _groups(ask)
    sens = sensitivity_for(Store(store)) if mode != "run" else None
    page = build(groups, mode, title=title, sensitivity=sens)
    write(str(out), page)
    log.info("wrote %s  (%.1f MB, %s)", out, len(page) / 1e6, runs(sum(g.size for g in groups)))


def _groups(ask: Ask) -> tuple[Mode, list[Group]]:
    srcs = ask.sources
    if ask.ensemble and ask.compare:
        raise ScenarioError("--ensemble/--compare", "both", "one of them, or neither")
    if not ask.ensemble and not ask.compare:
        if len(srcs) != 1:
            got = " ".join(srcs) or "(none)"
            raise ScenarioError("RUN_DIR", got, "one run directory (or --ensemble, --compare)")
        return "run", [run_dir_group(srcs[0])]
    if ask.ensemble and len(srcs) != 1:
        raise ScenarioError("--ensemble", " ".join(srcs) or "(none)", "one scenario")
    if ask.compare and len(srcs) < 2:
        got = " ".join(srcs) or "(none)"
        raise ScenarioError("--compare", got, "a base and at least one alternative")
    if isinstance(ask.seeds, bool) or ask.seeds < 1:
        raise ScenarioError("seeds", ask.seeds, "a whole number >= 1")
    scales = parse_scale(ask.scale)
    until = parse_until(ask.until)
    members = seeds_for(ask.seeds, ask.root)
    u = resolve(ask.uncertainty, ask.posterior, ask.root)
    st = Store(ask.store)
    scenarios = {s: load(s) for s in srcs if not (ask.compare and is_run_dir(s))}  # fail early
    groups = []
    for src in srcs:
        if src not in scenarios:
            groups.append(run_dir_group(src))
            continue
        with progress(f"{scenarios[src].name}: {len(members)} seeds") as update:
            groups.append(
                scenario_group(
                    scenarios[src],
                    members,
                    scales,
                    until,
                    store=st,
                    workers=ask.workers,
                    on_progress=update,
                    uncertainty=u,
                )
            )
    return ("ensemble" if ask.ensemble else "compare"), groups


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
    allow_host: Annotated[
        list[str] | None,
        typer.Option(
            help="another host name the server answers to (repeatable; default: the bound"
            " address and localhost)"
        ),
    ] = None,
) -> None:
    """Serve the web application: edit parameters, run, watch, compare, share, download."""
    needs("web", "fastapi", "uvicorn")
    import uvicorn

    from thermidor.web import create_app
    from thermidor.web.limits import server_config

    if not 1 <= port <= 65535:
        raise ScenarioError("port", port, "a port number in [1, 65535]")
    if not 1 <= workers <= 8:
        raise ScenarioError("workers", workers, "a whole number in [1, 8]")
    if not 0 <= queue <= 100:
        raise ScenarioError("queue", queue, "a whole number in [0, 100]")
    application = create_app(
        store, workers=workers, queue_size=queue, host=host, allow_hosts=allow_host or ()
    )
    log.info("thermidor: serving on http://%s:%d/  (store %s)", host, port, store)
    uvicorn.Server(server_config(application, host, port)).run()
