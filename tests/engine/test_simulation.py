"""The step loop: mechanisms in order, then the observation, step after step; hooks watch it."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from thermidor.engine import Calendar, Context, Hook, Recorder, Streams, Timing, run_steps

CAL = Calendar(dt.date(1917, 3, 1), dt.date(1917, 5, 1), 7)


def test_mechanisms_run_in_order_then_the_observation_each_step():
    log: list[tuple[int, str]] = []

    def first(state, params, ctx):
        log.append((ctx.step, "first"))

    def second(state, params, ctx):
        log.append((ctx.step, "second"))

    def observe(state, params, ctx):
        log.append((ctx.step, "observe"))
        return {"step": float(ctx.step)}

    rec = Recorder(CAL.n_steps)
    run_steps(None, None, (("first", first), ("second", second)), observe, CAL, Streams(0), rec)

    assert log == [(k, n) for k in range(CAL.n_steps) for n in ("first", "second", "observe")]
    assert rec.columns["step"].tolist() == list(range(CAL.n_steps))


def test_hooks_bracket_each_mechanism_and_follow_each_step():
    log: list[tuple[Any, ...]] = []

    class Watch(Hook):
        def before(self, name: str, ctx: Context, state: Any) -> None:
            log.append(("before", ctx.step, name))

        def after(self, name: str, ctx: Context, state: Any) -> None:
            log.append(("after", ctx.step, name))

        def on_step(self, step: int, n_steps: int, row: dict[str, float], state: Any) -> None:
            log.append(("step", step, n_steps, row["x"]))

    def mech(state, params, ctx):
        log.append(("run", ctx.step, "m"))

    timing = Timing()
    rec = Recorder(CAL.n_steps)
    steps = (("m", mech),)
    run_steps(
        None, None, steps, lambda s, p, c: {"x": 1.0}, CAL, Streams(0), rec, (Watch(), timing)
    )
    one = [("before", 0, "m"), ("run", 0, "m"), ("after", 0, "m"), ("before", 0, "observe"),
           ("after", 0, "observe"), ("step", 0, CAL.n_steps, 1.0)]  # fmt: skip
    assert log[: len(one)] == one
    assert len(log) == len(one) * CAL.n_steps
    assert log[-1] == ("step", CAL.n_steps - 1, CAL.n_steps, 1.0)
    assert set(timing.seconds) == {"m", "observe"} and min(timing.seconds.values()) >= 0.0
    assert rec.last_step == CAL.n_steps - 1


def test_context_gives_the_date_the_rate_scale_and_the_keyed_stream():
    streams = Streams(9)
    ctx = Context(4, CAL, streams, Recorder(CAL.n_steps))
    assert ctx.date == dt.date(1917, 3, 29)
    assert ctx.dt == pytest.approx(7 / 365.25)
    assert ctx.rng("m").random(3).tolist() == streams.get("m", 4).random(3).tolist()
    event = ctx.emit("purge", "a purge", removed=3)
    assert (event.step, event.data) == (4, {"removed": 3})
