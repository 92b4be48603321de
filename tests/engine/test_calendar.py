"""The calendar: weekly steps mapped to dates and back."""

from __future__ import annotations

import datetime as dt

import pytest

from thermidor.engine import Calendar

START, END = dt.date(1917, 3, 1), dt.date(1921, 12, 31)


@pytest.fixture
def cal() -> Calendar:
    return Calendar(START, END, 7)


def test_step_of_a_steps_date_is_that_step(cal):
    assert [cal.step_of(cal.date(k)) for k in range(cal.n_steps)] == list(range(cal.n_steps))


def test_every_day_falls_in_the_step_that_contains_it(cal):
    day = START
    while day <= END:
        k = cal.step_of(day)
        assert cal.date(k) <= day < cal.date(k) + dt.timedelta(days=7)
        day += dt.timedelta(days=1)


def test_steps_run_from_start_to_not_beyond_end(cal):
    assert cal.date(0) == START
    assert cal.date(cal.n_steps - 1) <= END < cal.date(cal.n_steps - 1) + dt.timedelta(days=7)
    assert cal.n_steps == (END - START).days // 7 + 1


def test_step_of_clips_to_the_run(cal):
    assert cal.step_of(dt.date(1900, 1, 1)) == 0
    assert cal.step_of(dt.date(1950, 1, 1)) == cal.n_steps - 1


def test_contains_covers_exactly_the_steps(cal):
    last_day = cal.date(cal.n_steps - 1) + dt.timedelta(days=6)
    assert cal.contains(START) and cal.contains(last_day)
    assert not cal.contains(START - dt.timedelta(days=1))
    assert not cal.contains(last_day + dt.timedelta(days=1))


def test_years_and_months_agree_with_dates(cal):
    years, months = cal.years(), cal.months()
    for k in (0, 44, cal.n_steps - 1):
        d = cal.date(k)
        assert years[k] == d.year
        assert months[k] == d.year * 12 + d.month - 1


def test_years_per_step_converts_yearly_rates():
    assert Calendar(START, END, 7).years_per_step == pytest.approx(7 / 365.25)
    assert Calendar(START, END, 1).years_per_step == pytest.approx(1 / 365.25)


def test_other_step_lengths_round_trip():
    cal = Calendar(START, END, 31)
    assert [cal.step_of(cal.date(k)) for k in range(cal.n_steps)] == list(range(cal.n_steps))


def test_end_must_be_after_start():
    with pytest.raises(ValueError, match="must be after start"):
        Calendar(START, START)


def test_a_step_lasts_at_least_a_day():
    with pytest.raises(ValueError, match="step_days"):
        Calendar(START, END, 0)
