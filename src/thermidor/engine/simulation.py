"""The step loop: an ordered list of mechanisms applied to a state, week after week."""

from __future__ import annotations

import datetime as dt
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


def simulate(
    state: Any,
    params: Any,
    mechanisms: Sequence[Mechanism],
    observe: Callable[[Any, Any, Context], dict[str, float]],
    calendar: Calendar,
    streams: Streams,
    recorder: Recorder,
    until_step: int | None = None,
    on_step: Callable[[int, int, dict[str, float]], None] | None = None,
) -> None:
    """Run mechanisms in order for each step, then record the observed indicators."""
    last = calendar.n_steps if until_step is None else min(until_step + 1, calendar.n_steps)
    for step in range(last):
        ctx = Context(step, calendar, streams, recorder)
        for mechanism in mechanisms:
            mechanism(state, params, ctx)
        row = observe(state, params, ctx)
        recorder.record(step, row)
        if on_step is not None:
            on_step(step, last, row)
