"""The step loop: mechanisms in order, then the observation, step after step."""

from __future__ import annotations

import datetime as dt

import pytest

from thermidor.engine import Calendar, Context, Recorder, Streams, simulate

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
    simulate(None, None, (first, second), observe, CAL, Streams(0), rec)

    assert log == [(k, n) for k in range(CAL.n_steps) for n in ("first", "second", "observe")]
    assert rec.columns["step"].tolist() == list(range(CAL.n_steps))


def test_until_step_stops_after_that_step_and_on_step_reports_progress():
    seen: list[tuple[int, int]] = []
    rec = Recorder(CAL.n_steps)
    simulate(
        None, None, (), lambda s, p, c: {"x": 1.0}, CAL, Streams(0), rec,
        until_step=3, on_step=lambda step, total, row: seen.append((step, total)),
    )  # fmt: skip
    assert seen == [(0, 4), (1, 4), (2, 4), (3, 4)]
    assert rec.last_step == 3


def test_context_gives_the_date_the_rate_scale_and_the_keyed_stream():
    streams = Streams(9)
    ctx = Context(4, CAL, streams, Recorder(CAL.n_steps))
    assert ctx.date == dt.date(1917, 3, 29)
    assert ctx.dt == pytest.approx(7 / 365.25)
    assert ctx.rng("m").random(3).tolist() == streams.get("m", 4).random(3).tolist()
    event = ctx.emit("purge", "a purge", removed=3)
    assert (event.step, event.data) == (4, {"removed": 3})
