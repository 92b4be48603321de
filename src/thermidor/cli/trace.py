"""``thermidor trace``: a run's columns week by week, its events and its time by mechanism.

A developer's look inside one run (what the removed ``scripts/`` did by hand): it calls
``thermidor.run`` with the engine's hooks, so it runs exactly what every other command runs.
"""

from __future__ import annotations

import difflib
import fnmatch
from typing import Annotated

import pandas as pd
import typer

from thermidor.cli.app import app, console
from thermidor.cli.core import SCALE_HELP, parse_date, parse_scale
from thermidor.engine import Timing
from thermidor.model.errors import ScenarioError
from thermidor.model.run import run as run_model
from thermidor.model.scenario import load


def select(columns: list[str], available: list[str]) -> list[str]:
    """The columns named, a ``*`` matching any run of characters (``faction_share:*``)."""
    chosen: list[str] = []
    for name in columns:
        hits = (
            fnmatch.filter(available, name) if "*" in name else [c for c in available if c == name]
        )
        if not hits:
            close = difflib.get_close_matches(name, available, n=1, cutoff=0.5)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ScenarioError(
                "trace.column", name, f"an indicator column{hint}; --list names them"
            )
        chosen += [c for c in hits if c not in chosen]
    return chosen


@app.command("trace")
def trace_cmd(
    columns: Annotated[
        list[str] | None,
        typer.Argument(help="indicator columns to print; * matches any text (faction_share:*)"),
    ] = None,
    scenario: Annotated[str, typer.Option(help="a shipped scenario's name or a .toml file")] = (
        "baseline"
    ),
    seed: Annotated[int, typer.Option(help="the run's seed")] = 0,
    scale: Annotated[
        list[str] | None,
        typer.Option(help=SCALE_HELP),
    ] = None,
    until: Annotated[str | None, typer.Option(help="stop at this date (YYYY-MM-DD)")] = None,
    start: Annotated[
        str | None, typer.Option("--from", help="print from this date (YYYY-MM-DD)")
    ] = None,
    every: Annotated[int, typer.Option(min=1, help="print every N-th week")] = 4,
    events: Annotated[bool, typer.Option("--events", help="print the chronology too")] = False,
    timing: Annotated[
        bool, typer.Option("--timing", help="print the wall time spent in each mechanism")
    ] = False,
    backend: Annotated[str | None, typer.Option(help="numba (default) or numpy")] = None,
    list_columns: Annotated[bool, typer.Option("--list", help="list the columns and stop")] = False,
) -> None:
    """Print a run's indicator columns week by week (and its events, and where its time goes)."""
    timer = Timing()
    sc = load(scenario)
    first = parse_date(start, "from")
    result = run_model(
        sc, seed=seed, scale=parse_scale(scale), until=parse_date(until, "until"),
        backend=backend, hooks=(timer,) if timing else (),
    )  # fmt: skip
    df = result.to_pandas()
    if list_columns:
        console.print("\n".join(df.columns), soft_wrap=True)
        return
    chosen = select(columns or [], list(df.columns)) if columns else []
    if chosen:
        rows = df[chosen].iloc[::every]
        if first is not None:
            rows = rows[rows.index >= pd.Timestamp(first)]
        with pd.option_context("display.width", 200, "display.max_columns", None):
            console.print(rows.to_string(float_format=_fmt), soft_wrap=True, highlight=False)
    if events:
        for day, text in result.chronology():
            if first is None or day >= first.isoformat():
                console.print(f"{day}  {text}", soft_wrap=True, highlight=False)
    if timing:
        total = sum(timer.seconds.values())
        for name, s in sorted(timer.seconds.items(), key=lambda kv: -kv[1]):
            console.print(f"{name:28s} {s:7.2f} s {100 * s / total:5.1f}%", highlight=False)
        console.print(
            f"{'total':28s} {total:7.2f} s ({result.manifest['backend']})", highlight=False
        )


def _fmt(x: float) -> str:
    return f"{x:.3f}" if abs(x) < 100 else f"{x:,.0f}"
