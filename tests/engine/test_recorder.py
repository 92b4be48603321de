"""The recorder: indicator columns over steps and a closed log of dated events."""

from __future__ import annotations

import json

import numpy as np
import pytest

from thermidor.engine import Event, Recorder


def test_unrecorded_steps_are_nan():
    rec = Recorder(5)
    rec.record(1, {"x": 2.0})
    rec.record(3, {"x": 4.0, "y": 1.0})
    assert np.isnan(rec.columns["x"][[0, 2, 4]]).all()
    assert rec.columns["x"][[1, 3]].tolist() == [2.0, 4.0]
    assert np.isnan(rec.columns["y"][1])
    assert rec.last_step == 3


def test_only_allowed_event_kinds_are_recorded():
    rec = Recorder(5, allowed_events=frozenset({"insurrection"}))
    rec.event(2, "insurrection", "the soviets take power")
    with pytest.raises(ValueError, match="unknown event kind 'coup'"):
        rec.event(3, "coup", "a coup")
    assert [e.kind for e in rec.events] == ["insurrection"]


def test_first_and_happened_find_the_earliest_event_of_a_kind():
    rec = Recorder(10)
    rec.event(2, "purge", "first", {"n": 1})
    rec.event(6, "purge", "second", {"n": 2})
    assert rec.first("purge").step == 2
    assert rec.happened("purge")
    assert not rec.happened("insurrection")
    assert rec.first("insurrection") is None


def test_event_data_is_json_with_sorted_keys_and_plain_numbers():
    event = Event(
        0, "purge", "a purge", {"z": np.int64(3), "a": np.float32(0.5), "m": np.arange(2)}
    )
    text = event.data_json()
    assert text == '{"a": 0.5, "m": [0, 1], "z": 3}'
    assert json.loads(text) == {"a": 0.5, "m": [0, 1], "z": 3}


def test_event_data_that_is_not_json_is_refused():
    with pytest.raises(TypeError, match="not JSON-serialisable"):
        Event(0, "purge", "a purge", {"x": object()}).data_json()
