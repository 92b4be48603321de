"""The Typer application and what every command shares: consoles and the error exit."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="thermidor: Harman's 'How the Revolution was Lost' (1967) as an executable model.",
)
console = Console()
err = Console(stderr=True)


def fail(e: Exception) -> NoReturn:
    """Bad input: one line naming what is wrong, exit code 2, nothing written."""
    err.print(f"[bold red]error:[/] {e}", soft_wrap=True)
    raise typer.Exit(code=2)
