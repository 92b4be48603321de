"""What is observed each step: persons are persons, shares are fractions, each with its unit."""

from __future__ import annotations

import numpy as np
import pytest

from thermidor.model.indicators import UNITS
from thermidor.model.initial import initial_conditions


@pytest.fixture(scope="module")
def result(coarse_baseline):
    return coarse_baseline(0)


def test_every_observed_indicator_has_a_unit(result):
    assert not set(result.columns) - set(UNITS)
    assert all(UNITS[name] for name in result.columns)


def test_fractions_lie_in_zero_one_and_persons_are_not_negative(result):
    for name, column in result.columns.items():
        x = column[~np.isnan(column)]
        if UNITS[name] == "fraction":
            assert ((x >= 0) & (x <= 1)).all(), name
        if UNITS[name] in ("persons", "households"):
            assert (x >= 0).all(), name


def test_the_working_class_against_1917_is_its_persons_over_the_1917_level(result):
    ratio = result.columns["working_class_vs_1917"]
    persons = result.columns["working_class"]
    assert ratio == pytest.approx(persons / initial_conditions()["workers_1917"])
    assert ratio[0] <= 1.0


def test_harvest_indicators_are_recorded_only_in_harvest_weeks(result):
    harvest = result.columns["grain_harvest_vs_prewar"]
    weeks = np.flatnonzero(~np.isnan(harvest))
    months = result.dates[weeks].astype("datetime64[M]").astype(int) % 12 + 1
    assert len(weeks) == len({d.astype("datetime64[Y]") for d in result.dates[weeks]})
    assert set(months) == {8}


def test_the_member_census_counts_as_the_numpy_reference(backend):
    """The members' census in one numba pass gives the numpy reference's floats, at the float32
    boundaries of the comparisons (joined before 1917.15; conviction against the fear threshold)
    and with a numpy float64 exponent (its threshold is compared in float64, as numpy does)."""
    from thermidor.engine import kernels
    from thermidor.model.indicators import member_census
    from thermidor.model.mechanisms.party import OLD_BOLSHEVIK_BEFORE
    from thermidor.model.run import prepare
    from thermidor.model.tree import FACTIONS, LENINGRAD

    _, _, w, p, _ = prepare("baseline", 0, None)
    mem, n = w.members, w.members.n
    rng = np.random.default_rng(3)
    edge = np.float32(OLD_BOLSHEVIK_BEFORE)
    mem["joined"] = rng.choice(
        [np.nextafter(edge, np.float32(0)), edge, np.nextafter(edge, np.float32(3000)), 1920.0], n
    )
    mem["faction"] = rng.integers(0, len(FACTIONS), n)
    mem["province"] = np.where(rng.random(n) < 0.5, LENINGRAD, 0)
    w.signals["control"] = 0.3
    fear = p["party.fear"]
    for exponent in (fear, np.float64(fear)):
        p._values["party.fear"] = exponent
        thr = 0.3 ** p["party.fear"]
        t32 = np.float32(thr)
        mem["conviction"] = rng.choice(
            [np.nextafter(t32, np.float32(0)), t32, np.nextafter(t32, np.float32(1)), 0.9], n
        )
        kernels.use("numpy")
        want = member_census(w, p)
        kernels.use("numba")
        got = member_census(w, p)
        assert got.keys() == want.keys()
        for k in want:
            assert np.asarray(got[k]).tobytes() == np.asarray(want[k]).tobytes(), k
        assert 0 < want["leningrad_against"] < want["members"]
