"""The lab's errors, with the shape of ``ScenarioError``: what is wrong (a key or a file), the bad
value, and what is allowed. Both subclass it, so a front end catches one type."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from thermidor.model.errors import ScenarioError


class LabError(ScenarioError):
    """Bad input to the lab: ``path`` names the option or key, ``value`` the bad value."""

    def __reduce__(self) -> tuple[Any, ...]:  # picklable: raised in workers, shown here
        return (type(self), (self.path, self.value, self.allowed, self.hint))


def portable(e: ScenarioError) -> LabError:
    """A ScenarioError as a LabError with the same fields, which survives being sent back from
    a worker process (ScenarioError's own arguments do not pickle)."""
    return e if isinstance(e, LabError) else LabError(e.path, e.value, e.allowed, e.hint)


class StoreError(LabError):
    """The store cannot be used as it is; ``path`` is the file, ``value`` what is wrong with it,
    ``allowed`` what would put it right; ``reason`` is ``locked`` or ``unusable`` (corrupt,
    foreign or of another version: ``thermidor store rebuild --force`` replaces it). Raised
    before anything is written."""

    def __init__(self, path: str | Path, problem: str, remedy: str, reason: str = "") -> None:
        self.path = str(path)
        self.reason = reason
        self.value: Any = problem
        self.allowed = remedy
        self.hint = ""
        ValueError.__init__(self, f"store {path}: {problem}; {remedy}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.value, self.allowed, self.reason))
