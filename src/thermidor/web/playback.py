"""Play, pause and step a run while it runs, as an agent-based model's dashboard does (Mesa's
SolaraViz, NetLogo's go / go once).

A run reports each week through its progress callback; ``Playback.wait`` is called there, so a
paused run stops between two weeks, holding its state, and ``step`` lets it take exactly one
more week. Playing, pausing and stepping change nothing in the run's numbers (its content key
and bytes are those of the same run left alone). A paused run holds its worker thread; a run
paused for longer than ``IDLE_S`` plays on, so that a forgotten tab cannot hold the server.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Literal

State = Literal["playing", "paused"]
ACTIONS = ("play", "pause", "step")
IDLE_S = 600.0


class Playback:
    """The play/pause/step state of one run."""

    def __init__(self, paused: bool = False, idle_s: float = IDLE_S) -> None:
        self._cond = threading.Condition()
        self._paused = paused
        self._steps = 0  # weeks granted while paused
        self._idle_s = idle_s
        self.taken = 0  # weeks the run has finished

    @property
    def state(self) -> State:
        return "paused" if self._paused else "playing"

    def play(self) -> None:
        with self._cond:
            self._paused = False
            self._cond.notify_all()

    def pause(self) -> None:
        with self._cond:
            self._paused = True
            self._steps = 0

    def step(self, weeks: int = 1) -> None:
        """Pause (if playing) and let the run take ``weeks`` more weeks."""
        with self._cond:
            self._paused = True
            self._steps += weeks
            self._cond.notify_all()

    def wait(self, cancel: threading.Event) -> None:
        """Called after each week: return at once when playing; when paused, when a step is
        granted, the run is cancelled, or it has waited ``idle_s``."""
        with self._cond:
            self.taken += 1
            since = time.monotonic()
            while self._paused and self._steps == 0 and not cancel.is_set():
                if time.monotonic() - since >= self._idle_s:
                    self._paused = False
                    break
                self._cond.wait(0.1)
            if self._paused and self._steps:
                self._steps -= 1


class Playbacks:
    """The playback of each run in progress, by key (the latest ``keep``)."""

    def __init__(self, keep: int = 64) -> None:
        self._items: OrderedDict[str, Playback] = OrderedDict()
        self._lock = threading.Lock()
        self.keep = keep

    def open(self, key: str, paused: bool = False) -> Playback:
        with self._lock:
            pb = self._items.get(key)
            if pb is None:
                pb = self._items[key] = Playback(paused)
                while len(self._items) > self.keep:
                    self._items.popitem(last=False)
            return pb

    def get(self, key: str) -> Playback | None:
        with self._lock:
            return self._items.get(key)

    def close(self, key: str) -> None:
        with self._lock:
            self._items.pop(key, None)
