"""The step loop: an ordered list of mechanisms applied to a state, week after week."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from thermidor.engine.calendar import Calendar
from thermidor.engine.recorder import Event, Recorder
from thermidor.engine.rng import Streams


@dataclass
class Context:
    """What a mechanism may know besides the state: the clock, its random stream, the recorder."""

    step: int
    calendar: Calendar
    streams: Streams
    recorder: Recorder
    stride: int = 1  # steps this call stands for (a mechanism run every n steps)

    @property
    def date(self) -> dt.date:
        return self.calendar.date(self.step)

    @property
    def dt(self) -> float:
        """Years this call covers: multiply a rate per year by this."""
        return self.calendar.years_per_step * self.stride

    def rng(self, mechanism: str, *extra: int) -> np.random.Generator:
        return self.streams.get(mechanism, self.step, *extra)

    def emit(self, kind: str, text: str, **data: Any) -> Event:
        return self.recorder.event(self.step, kind, text, data)


Mechanism = Callable[[Any, Any, Context], None]
"""A mechanism: ``(state, params, ctx) -> None``; it reads and updates arrays in place."""


def every(n: int, mechanism: Mechanism) -> Mechanism:
    """Run ``mechanism`` every ``n`` steps, covering ``n`` steps' time (``ctx.dt`` scales)."""
    if n < 1:
        raise ValueError(f"every() needs n >= 1, got {n}")

    def slow(state: Any, params: Any, ctx: Context) -> None:
        if ctx.step % n == 0:
            mechanism(state, params, replace(ctx, stride=n))

    slow.__name__ = getattr(mechanism, "__name__", "mechanism")
    slow.__doc__ = mechanism.__doc__
    return slow


class Hook:
    """Something that watches a run: override what you need (each does nothing here).

    ``before`` and ``after`` bracket each mechanism's call, ``on_step`` follows each week's
    indicators. Hooks see the state; they must not change it."""

    def before(self, name: str, ctx: Context, state: Any) -> None:
        """Before mechanism ``name`` runs in ``ctx.step``."""

    def after(self, name: str, ctx: Context, state: Any) -> None:
        """After mechanism ``name`` ran in ``ctx.step``."""

    def on_step(self, step: int, n_steps: int, row: dict[str, float], state: Any) -> None:
        """After step ``step`` of ``n_steps`` is recorded (``row``: its indicators)."""


class Timing(Hook):
    """Wall time by mechanism, seconds (``seconds[name]``), and the indicators' (``"observe"``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._t = 0.0

    def before(self, name: str, ctx: Context, state: Any) -> None:
        self._t = time.perf_counter()

    def after(self, name: str, ctx: Context, state: Any) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - self._t


Step = tuple[str, Mechanism]
"""A named mechanism: one row of a model's step table."""


def run_steps(
    state: Any,
    params: Any,
    steps: Sequence[Step],
    observe: Callable[[Any, Any, Context], dict[str, float]],
    calendar: Calendar,
    streams: Streams,
    recorder: Recorder,
    hooks: Sequence[Hook] = (),
    first: int = 0,
) -> None:
    """Run the named mechanisms in order for each step from ``first``, then record the observed
    indicators (a run resumed from a saved state starts after the steps it recorded)."""
    last = calendar.n_steps
    for step in range(first, last):
        ctx = Context(step, calendar, streams, recorder)
        if hooks:
            for name, mechanism in steps:
                for h in hooks:
                    h.before(name, ctx, state)
                mechanism(state, params, ctx)
                for h in hooks:
                    h.after(name, ctx, state)
            for h in hooks:
                h.before("observe", ctx, state)
            row = observe(state, params, ctx)
            for h in hooks:
                h.after("observe", ctx, state)
        else:
            for _, mechanism in steps:
                mechanism(state, params, ctx)
            row = observe(state, params, ctx)
        recorder.record(step, row)
        for h in hooks:
            h.on_step(step, last, row, state)
