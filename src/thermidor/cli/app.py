"""The Typer application and what every command shares: consoles and the error exit.

Every command's errors pass through one place, :class:`Handled` (the group's ``invoke``): a
``ThermidorError`` prints as one line on stderr and exits with its ``exit_code`` (2 for bad
input), so no command repeats a try/except."""

from __future__ import annotations

from typing import Any, NoReturn

import typer
from rich.console import Console
from typer.core import TyperGroup

from thermidor.errors import ThermidorError

console = Console()
err = Console(stderr=True)


def fail(e: Exception, code: int = 2) -> NoReturn:
    """One line naming what is wrong, then exit (2: bad input, nothing written)."""
    err.print(f"[bold red]error:[/] {e}", soft_wrap=True, markup=True, highlight=False)
    raise typer.Exit(code=code)


class Handled(TyperGroup):
    """The command group whose ``invoke`` turns a ``ThermidorError`` into its one line."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ThermidorError as e:
            fail(e, e.exit_code)


app = typer.Typer(
    cls=Handled,
    add_completion=False,
    no_args_is_help=True,
    help="thermidor: Harman's 'How the Revolution was Lost' (1967) as an executable model.",
)
