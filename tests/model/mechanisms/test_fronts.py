"""The fronts as the model sees them: inputs, damped by a revolution abroad (§1, §2)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from tests.support import COARSE, extend
from thermidor.engine import Context, Recorder, Streams
from thermidor.model.mechanisms.fronts import read_fronts
from thermidor.model.run import prepare


def test_a_revolution_abroad_damps_the_war_by_its_aid():
    _, cal, w, p, _ = prepare(extend(), 0, COARSE)
    k = cal.step_of(dt.date(1919, 6, 1))
    ctx = Context(k, cal, Streams(0), Recorder(cal.n_steps))
    read_fronts(w, p, ctx)
    alone = (w.war.civil_war, w.war.white_threat, w.war.cut_off.copy())
    assert alone[0] == w.inputs.civil_war[k] > 0

    w.abroad.revolutions = 1.0
    read_fronts(w, p, ctx)
    damp = 1.0 - p["world.aid"]
    assert w.war.civil_war == pytest.approx(alone[0] * damp)
    assert w.war.white_threat == pytest.approx(alone[1] * damp)
    assert np.allclose(w.war.cut_off, alone[2] * damp)
