"""The one error type for bad scenarios and parameters."""

from __future__ import annotations

from typing import Any


class ScenarioError(ValueError):
    """A scenario key, type or value is wrong.

    ``path`` is the TOML key path (``params.civil_war.conscription_rate``), ``value`` the bad
    value and ``allowed`` what would have been accepted.
    """

    def __init__(self, path: str, value: Any, allowed: str, hint: str = "") -> None:
        self.path = path
        self.value = value
        self.allowed = allowed
        self.hint = hint
        msg = f"{path}: got {value!r}; allowed: {allowed}"
        if hint:
            msg += f" ({hint})"
        super().__init__(msg)

    def __reduce__(self) -> tuple[type, tuple[str, Any, str, str]]:
        # picklable, so that an error raised in a worker process reaches the coordinator intact
        return (type(self), (self.path, self.value, self.allowed, self.hint))
