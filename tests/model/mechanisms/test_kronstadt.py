"""M7 Kronstadt and the end of the alliance (§4): a peasant garrison rises once the Whites are
beaten; the NEP follows."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.support import first_date, run_coarse, window_mean


@pytest.fixture(scope="module")
def no_rotation():
    return run_coarse(params={"war.kronstadt_rotation": 0.0})


@pytest.fixture(scope="module")
def whites_in_the_field():
    threat = {
        "1917-03-01": 0.0, "1917-09-08": 0.4, "1917-09-15": 0.1, "1917-12-10": 0.2,
        "1918-05-25": 0.6, "1919-03-04": 1.0,
    }  # fmt: skip
    return run_coarse(inputs={"white_threat": threat})


def test_the_rising_comes_from_a_peasant_garrison_after_the_whites(coarse_baseline):
    base = coarse_baseline(0)
    rising = base.first("kronstadt_type_rising")
    assert rising is not None
    assert rising.data["peasant_share"] > 0.5
    assert base.date_of(rising) > dt.date(1920, 11, 17)  # Wrangel's evacuation (record)
    assert base.first("rising_suppressed").step > rising.step


def test_a_garrison_that_keeps_its_militants_does_not_rise_or_rises_later(
    coarse_baseline, no_rotation
):
    rising = first_date(no_rotation, "kronstadt_type_rising")
    assert rising is None or rising > first_date(coarse_baseline(0), "kronstadt_type_rising")


def test_no_rising_while_the_whites_threaten_the_land(whites_in_the_field, coarse_baseline):
    """§4: while the Whites threaten the land the peasants hold to the regime; once the threat
    is gone only the burden of requisitions counts, and unrest grows."""
    assert whites_in_the_field.first("kronstadt_type_rising") is None
    winter = ("1921-01-01", "1921-04-01")
    assert window_mean(whites_in_the_field, "peasant_unrest", *winter) < window_mean(
        coarse_baseline(0), "peasant_unrest", *winter
    )


def test_the_nep_follows_the_rising(coarse_baseline, no_rotation, whites_in_the_field):
    base = coarse_baseline(0)
    rising, nep = first_date(base, "kronstadt_type_rising"), first_date(base, "new_economic_policy")
    assert rising <= nep <= rising + dt.timedelta(days=61)
    for quiet in (no_rotation, whites_in_the_field):
        later = first_date(quiet, "new_economic_policy")
        assert later is None or later > nep


def test_a_rising_after_the_congress_gets_the_nep_from_the_central_committee():
    """A rising that comes after the 10th Congress has closed does not wait a year for the 11th:
    once it is crushed, with no congress sitting or convened, the Central Committee gives the
    peasants their market."""
    late = run_coarse(until=dt.date(1921, 9, 1), params={"kronstadt.threshold": 0.45})
    rising = first_date(late, "kronstadt_type_rising")
    assert rising is not None and rising > dt.date(1921, 3, 16)  # the 10th Congress's close
    nep = late.first("new_economic_policy")
    assert nep is not None and nep.data["body"] == "Central Committee"
    assert rising < late.date_of(nep) <= rising + dt.timedelta(days=31)
