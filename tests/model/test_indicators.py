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


def test_the_member_census_twin_counts_as_its_reference():
    """The members' census in one numba pass (model/fast/indicators.py) gives its numpy
    reference's counts exactly (integer sums of weights), and the same old Bolsheviks' share, on
    members of every faction, origin and province, on both sides of 1917 and of the fear
    threshold."""
    import thermidor.model.fast  # noqa: F401  (registers the twin)
    from thermidor.engine import twins, using
    from thermidor.model.indicators import member_census
    from thermidor.model.mechanisms.confrontations import fear_threshold
    from thermidor.model.mechanisms.party import OLD_BOLSHEVIK_BEFORE
    from thermidor.model.run import prepare
    from thermidor.model.tree import FACTIONS, LENINGRAD

    assert twins()["indicators.member_census"] == ("numba",)
    _, _, w, p, _ = prepare("baseline", 0, None)
    mem, n = w.members, w.members.n
    rng = np.random.default_rng(3)
    mem["weight"] = rng.integers(1, 40, n)
    mem["joined"] = rng.uniform(1900.0, 1925.0, n)
    mem["faction"] = rng.integers(0, len(FACTIONS), n)
    mem["origin"] = rng.integers(0, 3, n)
    mem["province"] = np.where(rng.random(n) < 0.5, LENINGRAD, 0)
    mem["conviction"] = rng.random(n)
    w.bureaucracy.control = 0.3
    assert 0.05 < fear_threshold(w, p) < 0.95
    want = member_census.reference(w, p)
    with using("numba"):
        got = member_census(w, p)
    assert got.keys() == want.keys()
    for k in ("members", "leningrad_against", "by_origin", "by_faction"):
        assert np.asarray(got[k]).tolist() == np.asarray(want[k]).tolist(), k
    assert got["old_bolshevik_share"] == pytest.approx(want["old_bolshevik_share"], rel=1e-12)
    assert 0 < want["leningrad_against"] < want["members"]
    assert 0 < want["old_bolshevik_share"] < 1
    assert (mem["joined"] < OLD_BOLSHEVIK_BEFORE).any()


def test_a_class_wholly_absorbed_has_no_consciousness_left_not_an_undefined_one():
    """A corner of the documented ranges (heavy conscription and front losses, a fast-growing
    apparatus hiring mostly from the workers: the 30th point of the Sobol' sample of
    docs/sensitivity.md) lifts the last workers into the apparatus in 1919. The class's mean
    consciousness is then 0, not the NaN of an empty mean that stopped the run."""
    from tests.support import COARSE, extend
    from thermidor.engine import Context, Recorder, Streams
    from thermidor.model.indicators import observe
    from thermidor.model.run import prepare

    _, cal, w, p, _ = prepare(extend(), 0, COARSE)
    ctx = Context(100, cal, Streams(0), Recorder(cal.n_steps))
    assert 0 < observe(w, p, ctx)["mean_consciousness"] <= 1
    w.workers.remove(np.ones(w.workers["weight"].size, dtype=bool))
    assert w.workers.total() == 0
    row = observe(w, p, ctx)
    assert row["mean_consciousness"] == 0.0
    assert row["working_class"] == 0.0
