"""Each compiled twin (model/fast) computes what its numpy reference (model/mechanisms) does.

The lead's twins: the workers by sector (M5), the factions' leanings and choice (M12) and the
members' census (indicators). Their arithmetic has no draws: integer totals agree exactly, shares
to 1e-12. Twins of the other mechanisms are tested in ``test_twins_*.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import thermidor.model.fast  # noqa: F401  (registers the twins and the numba backend)
from thermidor.engine import Population, twins, using
from thermidor.engine.accel.kernels import PARALLEL_MIN
from thermidor.model.indicators import member_census
from thermidor.model.mechanisms import bureaucracy, factions, industry, inner_party
from thermidor.model.mechanisms.party import ROLE
from thermidor.model.run import prepare
from thermidor.model.tree import FACTIONS, LENINGRAD, N_PROVINCES


def both(fn, *args):  # type: ignore[no-untyped-def]
    """``fn(*args)``'s reference, and its twin under the numba backend."""
    with using("numba"):
        got = fn(*args)
    return fn.reference(*args), got


def test_every_twin_has_a_reference_and_a_numba_twin() -> None:
    registered = twins()
    for name in ("industry.by_sector", "factions.leanings", "factions.choose",
                 "indicators.member_census", "bureaucracy.member_terms",
                 "inner_party.opposition_from_below"):  # fmt: skip
        assert registered[name] == ("numba",), name


def workers(n: int, seed: int, outside: bool = False) -> Population:
    rng = np.random.default_rng(seed)
    wk = Population("workers", {"sector": np.int8, "hereditary": np.bool_, "employed": np.bool_})
    sector = rng.integers(0, industry.N_S, n)
    if outside and n:
        sector[rng.integers(0, n)] = industry.N_S + 1
    wk.append(weight=rng.integers(0, 50, n), sector=sector, hereditary=rng.random(n) < 0.3,
              employed=rng.random(n) < 0.6)  # fmt: skip
    return wk


@settings(max_examples=40, deadline=None)
@given(n=st.integers(0, 300), seed=st.integers(0, 2**16), outside=st.booleans())
def test_the_workers_by_sector_in_one_pass_are_the_three_sums(n, seed, outside) -> None:  # type: ignore[no-untyped-def]
    want, got = both(industry.by_sector, workers(n, seed, outside))
    for a, b in zip(want, got, strict=True):
        np.testing.assert_array_equal(a, b)


def test_the_workers_by_sector_on_threads_are_the_three_sums() -> None:
    want, got = both(industry.by_sector, workers(PARALLEL_MIN + 4321, 5))
    for a, b in zip(want, got, strict=True):
        np.testing.assert_array_equal(a, b)


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    """The baseline's world as built, its members spread over factions, provinces, convictions."""
    _, _, w, p, _ = prepare("baseline", 0, None)
    mem, n = w.members, w.members.n
    rng = np.random.default_rng(3)
    mem["joined"] = rng.choice([1905.0, 1917.0, 1917.2, 1920.0], n)
    mem["faction"] = rng.integers(0, len(FACTIONS), n)
    mem["province"] = np.where(rng.random(n) < 0.5, LENINGRAD, rng.integers(0, N_PROVINCES, n))
    mem["role"] = rng.integers(0, len(ROLE), n)
    mem["conviction"] = rng.random(n)
    mem["origin"] = rng.integers(0, 3, n)
    w.nep.crisis, w.inner_party.appointed_share, w.nep.nep_market = 0.4, 0.5, 0.7
    w.abroad.revolutions, w.bureaucracy.control = 0.2, 0.3
    return w, p


def test_the_members_census_in_one_pass_is_the_reference(world) -> None:  # type: ignore[no-untyped-def]
    w, p = world
    want, got = both(member_census, w, p)
    assert got.keys() == want.keys()
    for k in want:
        np.testing.assert_allclose(np.asarray(got[k]), np.asarray(want[k]), rtol=1e-12, err_msg=k)
    assert want["leningrad_against"] > 0  # the comparison was exercised


def test_the_members_terms_of_cohesion_in_one_pass_are_the_reference(world) -> None:  # type: ignore[no-untyped-def]
    w, _ = world
    (want_opp, want_trad), (got_opp, got_trad) = both(bureaucracy.member_terms, w)
    assert got_opp == want_opp  # a ratio of two exact integer sums
    assert got_trad == pytest.approx(want_trad, rel=1e-12)
    assert 0 < want_opp < 1 and 0 < want_trad < 1  # both terms were exercised


def test_the_opposition_from_below_by_province_in_one_pass_is_the_reference(world) -> None:  # type: ignore[no-untyped-def]
    w, _ = world
    want, got = both(inner_party.opposition_from_below, w)
    np.testing.assert_array_equal(got, want)
    assert (want > 0).sum() > N_PROVINCES // 2  # most provinces have members in an opposition


def test_the_factions_leanings_and_choice_are_the_references(world) -> None:  # type: ignore[no-untyped-def]
    w, p = world
    candidates = ["workers_opposition", "left_opposition", "right"]
    want, got = both(factions.leanings, w, p, candidates)
    assert want.keys() == got.keys()
    for k in want:
        assert got[k] == pytest.approx(want[k], rel=1e-12), k
    everyone = np.ones(len(FACTIONS), dtype=bool)
    centre_and_left = np.zeros(len(FACTIONS), dtype=bool)
    centre_and_left[[FACTIONS.index("centre"), FACTIONS.index("left_opposition")]] = True
    for ok in (everyone, centre_and_left):
        want_c, got_c = both(factions.choose, w, p, ok)
        np.testing.assert_array_equal(want_c, got_c)
        assert set(np.unique(want_c)) <= set(np.flatnonzero(ok))
        assert len(np.unique(want_c)) > 1  # members chose more than one faction


def test_a_numba_run_loads_every_twin_in_a_fresh_process() -> None:
    """``run(backend="numba")`` registers the model's twins itself (a process that imported the
    accelerator some other way first once ran the numpy references on numba, unseen)."""
    import subprocess
    import sys

    code = (
        "import thermidor.engine.accel, thermidor\n"
        "from thermidor.engine import twins\n"
        "r = thermidor.run('baseline', until='1917-04-01', backend='numba')\n"
        "assert r.manifest['backend'] == 'numba'\n"
        "missing = [n for n, b in twins().items() if 'numba' not in b]\n"
        "assert twins() and not missing, missing\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
