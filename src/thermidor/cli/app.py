"""The Typer application and what every command shares: consoles, logging, the error exit, and
the conventions of a command line (``--version``, ``-q``/``-v``, shell completion, readable help).

Exit codes: 0 done; 1 a check that ran and failed (``rerun`` found different bytes) or a run
that could not go on (a NaN in an indicator); 2 bad input (one line naming the key, the value
and what is allowed; nothing written).
"""

from __future__ import annotations

import contextlib
import logging
import sys
from collections.abc import Callable, Iterator
from typing import Annotated, Any, NoReturn, get_args

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from thermidor.errors import ThermidorError

EXIT_CODES = """Exit codes: 0 done; 1 a check failed (rerun: the bytes differ) or a run could not
go on; 2 bad input (one line names the key, the value and what is allowed; nothing is written)."""


PLACEHOLDERS: dict[Any, str] = {int: "N", float: "X", str: "TEXT"}


class Group(typer.core.TyperGroup):
    """The command group: its commands' help shows words for values (Typer writes
    ``<list[str]>``, ``<int>``): ``N`` for whole numbers, ``X`` for numbers, ``PATH``, ``TEXT``;
    an argument its name; flags none.

    Every command's errors pass through one place, its ``invoke``: a ``ThermidorError`` prints
    as one line on stderr and exits with its ``exit_code`` (2 for bad input, 1 for a run that
    could not go on), so no command repeats a try/except."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        readable_metavars(self)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ThermidorError as e:
            fail(e, e.exit_code)


def readable_metavars(cmd: Any) -> None:
    for p in cmd.params:
        desc = getattr(p, "type_descriptor", None)
        if p.metavar is not None or desc is None or desc.is_choice:
            continue
        if p.param_type_name == "argument":  # its name says what it is; no type beside it
            p.metavar = (p.name or "arg").upper()
            p.display_type_rich = lambda ctx: None
            p.get_usage_pieces = lambda ctx, p=p: [usage_name(p)]
            continue
        bare = get_args(desc.annotation)[0] if desc.is_list else desc.annotation
        if bare is bool:
            continue
        p.metavar = "PATH" if desc.is_path else PLACEHOLDERS.get(bare, "TEXT")
    for sub in getattr(cmd, "commands", {}).values():
        readable_metavars(sub)


def usage_name(arg: Any) -> str:
    """An argument in the usage line as click and man pages write it (Typer writes a required
    one ``{BASE}``): ``BASE`` when required, ``[SOURCES]`` when not, ``...`` when repeatable."""
    name = arg.metavar or (arg.name or "arg").upper()
    name = name if arg.required else f"[{name}]"
    return name + ("..." if arg.nargs != 1 else "")


app = typer.Typer(
    cls=Group,
    add_completion=True,
    no_args_is_help=True,
    rich_markup_mode=None,  # click's help: wrapped at word boundaries, option names whole
    help="thermidor: Harman's 'How the Revolution was Lost' (1967) as an executable model.\n\n"
    "Tables fit the terminal's width; when the output is not a terminal (a log, a pipe) they are "
    "plain text with no line wider than COLUMNS (80 when unset) and no word cut. --format "
    "csv|json gives them as data.",
    epilog=EXIT_CODES,
)
console = Console()
err = Console(stderr=True)
log = logging.getLogger("thermidor")


def main() -> None:
    app(prog_name="thermidor")


def _version(value: bool) -> None:
    if value:
        from thermidor import __version__

        typer.echo(f"thermidor {__version__}")
        raise typer.Exit()


@app.callback()
def _options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="print only results and errors (no progress)")
    ] = False,
    verbose: Annotated[
        bool, typer.Option("--verbose", "-v", help="also log each step of the work")
    ] = False,
) -> None:
    """Options of every command."""
    level = logging.WARNING if quiet else logging.DEBUG if verbose else logging.INFO
    setup_logging(level)


def setup_logging(level: int = logging.INFO) -> None:
    """Messages (what was written, notes, progress of the work) go to stderr through logging,
    so that ``-q`` silences them and ``-v`` adds detail; results go to stdout."""
    for h in list(log.handlers):
        log.removeHandler(h)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(message)s"))
    log.addHandler(handler)
    log.setLevel(level)
    log.propagate = False


def quiet() -> bool:
    """Whether ``-q`` was given (progress bars are then hidden)."""
    return log.getEffectiveLevel() > logging.INFO


@contextlib.contextmanager
def progress(title: str, disable: bool = False) -> Iterator[Callable[[int, int, int], None]]:
    """A progress bar on stderr, shown from the first report (so that bad input, found before
    any run, prints its one line alone)."""
    bar = Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=err,
        disable=disable or quiet(),
    )
    task: list[Any] = []

    def update(done: int, total: int, stored: int) -> None:
        if not task:
            bar.start()
            task.append(bar.add_task(title, total=total, note=""))
        note = f"({stored} already stored)" if stored else ""
        bar.update(task[0], completed=done, total=total, note=note)

    try:
        yield update
    finally:
        if task:
            bar.stop()


def needs(extra: str, *modules: str, what: str = "this command") -> None:
    """Stop with one line (exit 2) when an optional dependency is not installed, naming the
    extra that brings it (``pip install 'thermidor[lab]'``)."""
    from importlib.util import find_spec

    missing = [m for m in modules if find_spec(m) is None]
    if missing:
        say = (
            f"{what} needs {', '.join(missing)}, from the [{extra}] extra: "
            f"pip install 'thermidor[{extra}]' (or make test, which installs [dev])"
        )
        err.print(f"[bold red]error:[/] {escape(say)}", soft_wrap=True, highlight=False)
        raise typer.Exit(code=2)


def fail(e: Exception, code: int = 2) -> NoReturn:
    """One line naming what is wrong, then exit (2: bad input, nothing written)."""
    err.print(f"[bold red]error:[/] {escape(str(e))}", soft_wrap=True, highlight=False)
    raise typer.Exit(code=code)
