"""The command line. Each module registers its commands on ``app``; importing them here makes
them part of ``thermidor``. Add a line when adding a module of commands."""

from thermidor.cli import (
    calibrate,  # noqa: F401
    core,  # noqa: F401
    lab,  # noqa: F401
    show,  # noqa: F401
    sweep,  # noqa: F401
    trace,  # noqa: F401
)
from thermidor.cli.app import app, main

__all__ = ["app", "main"]
