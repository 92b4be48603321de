"""``thermidor sweep``: a grid or a Latin hypercube over named parameters × seeds, kept in the
store (``thermidor.lab.sweep``), printed as a table, plain text, CSV or JSON."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Annotated, Any

import typer

from thermidor.cli.app import app, log, progress
from thermidor.cli.core import parse_scale
from thermidor.cli.lab import (
    DbPath,
    ExecutorKind,
    Root,
    Scale,
    Scheduler,
    StoreDir,
    Until,
    Workers,
    make_executor,
    open_store,
    records,
    split,
)
from thermidor.cli.tables import FormatOption, Sheet, col, resolve, show
from thermidor.lab.errors import LabError

SPEC_FORMS = {
    "grid": "NAME=V1,V2,... or NAME=LO:HI:N (N values from LO to HI)",
    "lhs": "NAME=LO:HI, or NAME alone for its documented range",
}


def _number(text: str, path: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise LabError(path, text, "a number") from None


def parse_spec(specs: list[str], design: str) -> dict[str, Any]:
    """``--param`` values: the design's values (grid) or ranges (lhs) of each parameter."""
    out: dict[str, Any] = {}
    for spec in specs:
        name, eq, body = spec.partition("=")
        name = name.strip()
        path = f"param.{name}"
        if not name or (design == "grid" and not eq):
            raise LabError("param", spec, SPEC_FORMS.get(design, SPEC_FORMS["grid"]))
        if not eq:
            out[name] = None
            continue
        parts = body.split(":")
        if design == "lhs":
            if len(parts) != 2:
                raise LabError(path, body, SPEC_FORMS["lhs"])
            out[name] = tuple(_number(p, path) for p in parts)
        elif len(parts) == 3:
            lo, hi = _number(parts[0], path), _number(parts[1], path)
            try:
                n = int(parts[2])
            except ValueError:
                raise LabError(path, body, "LO:HI:N with N a whole number >= 2") from None
            if n < 2:
                raise LabError(path, body, "LO:HI:N with N a whole number >= 2")
            out[name] = [lo + (hi - lo) * i / (n - 1) for i in range(n)]
        elif len(parts) == 1:
            out[name] = [_number(v, path) for v in body.split(",") if v.strip()]
        else:
            raise LabError(path, body, SPEC_FORMS["grid"])
    return out


def _cell(v: Any) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "-"
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) >= 1000 else f"{v:.4g}"
    return str(v)


@app.command("sweep")
def sweep_cmd(
    param: Annotated[
        list[str],
        typer.Option(
            "--param",
            "-p",
            help="a parameter and its values: grid NAME=V1,V2 or NAME=LO:HI:N; lhs NAME=LO:HI "
            "or NAME (repeatable)",
        ),
    ],
    design: Annotated[
        str, typer.Option(help="grid (every combination) or lhs (a Latin hypercube)")
    ] = "grid",
    samples: Annotated[
        int | None, typer.Option(help="points of the Latin hypercube (lhs; default 10)")
    ] = None,
    sample_seed: Annotated[int, typer.Option(help="seed of the Latin hypercube")] = 0,
    seeds: Annotated[int, typer.Option(help="runs (member seeds) at each point")] = 1,
    root: Root = 0,
    scenario: Annotated[str, typer.Option(help="the scenario whose parameters vary")] = "baseline",
    until: Until = None,
    scale: Scale = None,
    outcome: Annotated[
        list[str] | None,
        typer.Option(
            help="outcomes (repeatable or a,b); default: consolidated, its year, 1927's "
            "workers' democracy"
        ),
    ] = None,
    per_run: Annotated[
        bool, typer.Option("--per-run", help="one row per run, not the mean over seeds")
    ] = False,
    executor: ExecutorKind = None,
    scheduler: Scheduler = None,
    workers: Workers = None,
    fmt: FormatOption = None,
    store: StoreDir = Path("runs"),
    db: DbPath = None,
) -> None:
    """Sweep parameters over a grid or a Latin hypercube × seeds; runs are kept in the store.

    Killed at any moment, run it again: it finishes, with no run lost or made twice.
    """
    from thermidor.lab.sweep import by_point, sweep

    form = resolve(fmt)
    if design not in ("grid", "lhs"):
        raise LabError("design", design, "grid | lhs")
    spec = parse_spec(param, design)
    st = open_store(store, db)
    ex = make_executor(executor, workers, scheduler)
    with ex, progress("sweep", form in ("json", "csv")) as update:
        frame = sweep(
            spec,
            design=design,  # type: ignore[arg-type]
            samples=samples,
            sample_seed=sample_seed,
            seeds=seeds,
            root=root,
            scenario=scenario,
            until=until,
            scale=parse_scale(scale),
            outcomes=split(outcome) or None,
            store=st,
            executor=ex,
            on_progress=update,
        )
    table = frame if per_run else by_point(frame)
    names = list(frame.attrs["params"])
    keys = ["point", *names, *(["member", "seed"] if per_run else ["runs"])]
    keys += list(frame.attrs["outcomes"])
    cols = [col(k, fmt=_cell) for k in keys]
    what = "run" if per_run else f"point (mean of {seeds} run{'s' if seeds > 1 else ''})"
    title = (
        f"Sweep of {frame.attrs['scenario']} to {frame.attrs['until']}: {design}, "
        f"{len(table) if not per_run else frame['point'].nunique()} points × {seeds} seeds, "
        f"one row per {what}"
    )
    rows = records(table)
    show(Sheet(title, cols, rows), form, rows)
    log.info("%d runs in %s", len(frame), st.root)
