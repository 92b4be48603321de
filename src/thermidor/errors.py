"""Every error thermidor means to show a person, in one hierarchy.

Each names what is wrong (``path``: a key path, an option, a file), the bad ``value`` and what is
``allowed``; ``exit_code`` is what the command line exits with after printing it as one line
(``thermidor.cli.app.handled``), and the web maps the classes to status codes.

- ``ScenarioError``: bad input (a scenario key, a parameter, an option); exit 2.
  - ``LabError``: bad input to the lab (seeds, a run key, an executor).
  - ``OutputError``: a place to write that cannot or may not be written (``--out``, ``-o``).
- ``StoreError``: the store cannot be used as it is (corrupt, foreign, locked); exit 2. Not a
  ``ScenarioError``: the input was fine, the store was not.
- ``RunError``: a run that started and could not go on (a NaN in an indicator); exit 1.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


class ThermidorError(Exception):
    """Base: ``path`` names what is wrong, ``value`` the bad value, ``allowed`` what would do."""

    exit_code = 2

    def __init__(self, path: str, value: Any, allowed: str, hint: str = "") -> None:
        self.path = str(path)
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{path}: got {value!r}; allowed: {allowed}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)

    def __reduce__(self) -> tuple[Any, ...]:
        # picklable, so that an error raised in a worker process reaches the coordinator intact
        return (type(self), (self.path, self.value, self.allowed, self.hint))


class ScenarioError(ThermidorError, ValueError):
    """A scenario key, type or value (or an option) is wrong. ``path`` is the TOML key path
    (``params.civil_war.conscription_rate``) or the option's name."""


class LabError(ScenarioError):
    """Bad input to the lab: ``path`` names the option or key, ``value`` the bad value."""


class OutputError(ScenarioError):
    """A place to write that cannot be written, or holds what thermidor may not replace."""


def portable(e: ScenarioError) -> LabError:
    """A ScenarioError as a LabError with the same fields (kept for callers that want one type
    back from a worker)."""
    return e if isinstance(e, LabError) else LabError(e.path, e.value, e.allowed, e.hint)


class StoreError(ThermidorError):
    """The store cannot be used as it is; ``path`` is the file, ``value`` what is wrong with it,
    ``allowed`` what would put it right; ``reason`` is ``locked``, ``unusable`` (corrupt,
    foreign or of another version: ``thermidor store rebuild --force`` replaces it) or
    ``corrupt`` (a run's files fail their checksums). Raised before anything is written."""

    def __init__(self, path: str | Path, problem: str, remedy: str, reason: str = "") -> None:
        self.path = str(path)
        self.reason = reason
        self.value: Any = problem
        self.allowed = remedy
        self.hint = ""
        Exception.__init__(self, f"store {path}: {problem}; {remedy}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.value, self.allowed, self.reason))


class RunError(ThermidorError):
    """A run that started and cannot go on: ``path`` names the indicator or mechanism."""

    exit_code = 1
