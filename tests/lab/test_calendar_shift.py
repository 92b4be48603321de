"""The congress-calendar robustness report (issue 17 item 5): the shift moves the party's
meetings only, and runs read the shifted calendar only inside the block."""

from __future__ import annotations

import datetime as dt

from thermidor.lab.calendar_shift import shift_rows, shifted_calendar
from thermidor.model import run as run_module
from thermidor.model.inputs import load_baseline_series


def test_the_shift_moves_congresses_conferences_and_discussions_only():
    _, rows = load_baseline_series()
    moved = shift_rows(rows, 8)
    for a, b in zip(rows, moved, strict=True):
        days = (dt.date.fromisoformat(b["date"]) - dt.date.fromisoformat(a["date"])).days
        assert days == (56 if a["kind"] in ("congress", "conference", "discussion") else 0)
    assert any(a["kind"] == "purge" for a in rows)


def test_runs_read_the_shifted_calendar_only_inside_the_block():
    _, rows = load_baseline_series()
    with shifted_calendar(8):
        _, inside = run_module.load_baseline_series()
    _, after = run_module.load_baseline_series()
    assert inside == shift_rows(rows, 8) and after == rows
