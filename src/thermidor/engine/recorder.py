"""Recorder: one row of float indicators per step, and a log of dated events."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass(frozen=True)
class Event:
    step: int
    kind: str
    text: str
    data: dict[str, Any] = field(default_factory=dict)

    def data_json(self) -> str:
        return json.dumps(self.data, sort_keys=True, default=_jsonable)


def _jsonable(x: Any) -> Any:
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"not JSON-serialisable: {type(x).__name__}")


class Recorder:
    """Column store of indicators (float64, NaN where not recorded) and the event log."""

    def __init__(self, n_steps: int, allowed_events: frozenset[str] | None = None) -> None:
        self.n_steps = n_steps
        self.columns: dict[str, np.ndarray] = {}
        self.events: list[Event] = []
        self.allowed_events = allowed_events
        self.last_step = -1

    def record(self, step: int, values: dict[str, float]) -> None:
        for name, v in values.items():
            col = self.columns.get(name)
            if col is None:
                col = self.columns[name] = np.full(self.n_steps, np.nan)
            col[step] = v
        self.last_step = max(self.last_step, step)

    def event(self, step: int, kind: str, text: str, data: dict[str, Any] | None = None) -> Event:
        if self.allowed_events is not None and kind not in self.allowed_events:
            raise ValueError(f"unknown event kind {kind!r}")
        ev = Event(step, kind, sentence(text), dict(data or {}))
        self.events.append(ev)
        return ev

    def first(self, kind: str) -> Event | None:
        return next((e for e in self.events if e.kind == kind), None)

    def happened(self, kind: str) -> bool:
        return self.first(kind) is not None


def sentence(text: str) -> str:
    """An event's text as a sentence: a capital opening (after any opening quote) and a full stop
    (unless it already ends with one, a question or an exclamation mark)."""
    text = text.strip()
    if not text:
        return text
    i = 1 if text[0] in "'\"\u2018\u201c" and len(text) > 1 else 0
    text = text[:i] + text[i].upper() + text[i + 1 :]
    return text if text[-1] in ".!?" else text + "."
