"""A run's result: a run directory written atomically, read back whole."""

from __future__ import annotations

import json

import numpy as np
import pyarrow.parquet as pq
import pytest

import thermidor
from thermidor.model.errors import OutputError
from thermidor.model.indicators import UNITS

FILES = {"indicators.parquet", "events.parquet", "manifest.json"}


@pytest.fixture(scope="module")
def result(coarse_baseline):
    return coarse_baseline(0)


def test_write_produces_the_three_files_of_a_run_directory(tmp_path, result):
    out = result.write(tmp_path / "runs" / "baseline" / "seed-0")
    assert out == tmp_path / "runs" / "baseline" / "seed-0"
    assert {p.name for p in out.iterdir()} == FILES
    assert [p.name for p in out.parent.iterdir()] == ["seed-0"]


def test_a_failure_while_writing_leaves_no_directory_and_no_temporary(
    tmp_path, result, monkeypatch
):
    real = pq.write_table
    calls = []

    def fail_after_the_first(table, where, *args, **kwargs):
        calls.append(where)
        if len(calls) > 1:
            raise OSError("disk full")
        return real(table, where, *args, **kwargs)

    monkeypatch.setattr(pq, "write_table", fail_after_the_first)
    parent = tmp_path / "runs"
    with pytest.raises(OSError, match="disk full"):
        result.write(parent / "seed-0")
    assert len(calls) == 2
    assert list(parent.iterdir()) == []


def test_a_failure_while_overwriting_keeps_the_old_directory_whole(tmp_path, result, monkeypatch):
    target = result.write(tmp_path / "seed-0")
    before = {p.name: p.read_bytes() for p in target.iterdir()}

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(pq, "write_table", fail)
    with pytest.raises(OSError):
        result.write(target, force=True)
    assert {p.name: p.read_bytes() for p in target.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir()] == ["seed-0"]


def test_overwriting_replaces_a_run_directory_and_leaves_nothing_behind(tmp_path, result):
    target = result.write(tmp_path / "seed-0")
    with pytest.raises(OutputError, match="--force"):
        result.write(target)
    result.write(target, force=True)
    assert {p.name for p in target.iterdir()} == FILES
    assert [p.name for p in tmp_path.iterdir()] == ["seed-0"]


def test_a_directory_holding_other_files_is_never_replaced(tmp_path, result):
    target = tmp_path / "seed-0"
    target.mkdir()
    (target / "stale.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"stale\.txt"):
        result.write(target, force=True)
    assert [p.name for p in target.iterdir()] == ["stale.txt"]
    assert [p.name for p in tmp_path.iterdir()] == ["seed-0"]


def test_read_round_trips_columns_events_and_manifest(tmp_path, result):
    back = thermidor.read(result.write(tmp_path / "run"))

    assert np.array_equal(back.dates, result.dates)
    assert list(back.columns) == list(result.columns)
    for name, column in result.columns.items():
        assert np.array_equal(back.columns[name], column, equal_nan=True), name
    assert back.events == result.events
    assert back.manifest == json.loads(json.dumps(result.manifest))


def test_every_indicator_has_its_unit_in_the_field_metadata(tmp_path, result):
    schema = pq.read_schema(result.write(tmp_path / "run") / "indicators.parquet")
    for name in result.columns:
        unit = schema.field(name).metadata[b"unit"].decode()
        assert unit, f"{name} has no unit"
        assert unit == UNITS[name]
    assert schema.field("date").type == "date32[day]"


def test_event_data_is_json_with_sorted_keys(tmp_path, result):
    table = pq.read_table(result.write(tmp_path / "run") / "events.parquet")
    rows = table.to_pylist()
    assert len(rows) == len(result.events) > 0
    for row, event in zip(rows, result.events, strict=True):
        data = json.loads(row["data"])
        assert list(data) == sorted(data)
        assert row["data"] == json.dumps(data, sort_keys=True)
        assert (row["step"], row["kind"], row["text"]) == (event.step, event.kind, event.text)
        assert row["date"] == result.date_of(event)


def test_the_dataframe_views_show_every_step_and_event(result):
    df = result.indicators
    assert len(df) == result.dates.size
    assert df["step"].tolist() == list(range(result.dates.size))
    assert set(result.columns) <= set(df.columns)
    assert result.to_pandas().index.name == "date"
    events = result.events_frame()
    assert events["kind"].tolist() == [e.kind for e in result.events]
    days = [day for day, _ in result.chronology()]
    assert days == sorted(days) and days


def test_a_result_shows_itself_in_a_line_and_a_short_html_table(result):
    line = repr(result)
    name = result.manifest["scenario"]["name"]
    assert line.startswith(f"<Result {name} seed 0: 1917-03-01 to ") and "\n" not in line
    assert f"{len(result.columns)} indicators, {len(result.events)} events>" in line
    assert len(line) < 200
    page = result._repr_html_()
    assert "<table>" in page and "seed" in page and len(page) < 4000
    shown = [e for e in result.events if e.kind != "soviet_election"]
    assert shown and shown[0].text.split("'")[0] in page
