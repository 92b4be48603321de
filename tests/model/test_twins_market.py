"""The compiled twins of the grain week, the NEP's differentiation and consciousness (numba)
against their numpy references, on synthetic populations.

Deterministic twins agree with their references up to float rounding: the float32 columns to
rtol 1e-6, the float64 regional sums to rtol 1e-12 (the same additions in another order), the
integer weights exactly. The differentiation draws: it gives the reference's bytes where both
take the numba backend's normals, and the reference's distribution against numpy's generator.
Every twin gives the same bytes on one thread and on two, at a size that takes its threaded path.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import numba
import numpy as np
import pytest

from thermidor.engine import Population, twins, using
from thermidor.engine.accel.kernels import CHUNK, PARALLEL_MIN
from thermidor.model import fast
from thermidor.model.mechanisms import consciousness, grain, nep
from thermidor.model.world import CITIES, household_population

SMALL = 3000
LARGE = PARALLEL_MIN + CHUNK // 3  # the threaded path, its last block short
N_R = 5  # regions
F32 = {"rtol": 1e-6, "atol": 1e-7}
SUMS = {"rtol": 1e-12}


def households(n: int, seed: int = 0) -> Population:
    """``n`` households lying grouped by region (the runs broken here and there)."""
    rng = np.random.default_rng(seed)
    hh = household_population(n)
    region = np.repeat(np.arange(N_R), n // N_R + 1)[:n]
    region[::97] = 3
    hh.append(weight=rng.integers(0, 4, n), region=region, harvest=rng.random(n) * 3,
              sown=rng.random(n) * 3, stock=rng.random(n) * 3, taken=rng.random(n),
              wealth=rng.lognormal(0.0, 0.8, n))  # fmt: skip
    return hh


def copy(pop: Population) -> Population:
    out = Population(pop.name, {c: d for c, d in pop.dtypes.items() if c != "weight"})
    out.append(**{c: pop[c].copy() for c in pop.columns})
    return out


def on_threads(fn: Callable[[], Any]) -> dict[int, bytes]:
    """``fn()``'s bytes (its results flattened) on one thread and on two."""
    before, out = numba.get_num_threads(), {}
    try:
        for t in (1, min(2, numba.config.NUMBA_NUM_THREADS)):
            numba.set_num_threads(t)
            res = fn()
            parts = res if isinstance(res, tuple) else (res,)
            out[t] = b"".join(np.asarray(x).tobytes() for x in parts)
    finally:
        numba.set_num_threads(before)
    return out


def test_the_market_twins_are_registered_for_numba() -> None:
    names = ("grain.week", "nep.grow", "consciousness.workers_drift",
             "consciousness.soldiers_drift", "consciousness.city_census")  # fmt: skip
    assert fast is not None and all("numba" in twins()[name] for name in names)


def test_a_numba_run_loads_the_twins_when_the_accelerator_was_imported_before() -> None:
    """A process that imported ``thermidor.engine.accel`` itself (a mechanism, a notebook) still
    runs the numba backend on the model's twins, not on their references."""
    code = (
        "import datetime, thermidor, thermidor.engine.accel\n"
        "from thermidor.engine import twins\n"
        "thermidor.run('baseline', seed=0, backend='numba', until=datetime.date(1917, 3, 20))\n"
        "print(sorted(n for n, b in twins().items() if 'numba' in b))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert "'grain.week'" in out.stdout and "'nep.grow'" in out.stdout


# -- grain ------------------------------------------------------------------------------------
RULES = grain.Rules(ration=0.2, seed=0.1, kulak_bias=1.5, rate=0.3, dt=1 / 52, sell=0.2,
                    tax_share=0.1, squeeze2=0.4, hunger=0.6)  # fmt: skip


def week(fn: Callable[..., Any], hh: Population, mode: str) -> tuple[np.ndarray, ...]:
    rng = np.random.default_rng(1)
    normal, pph, reach = rng.random(hh.n) * 2, np.linspace(4, 6, N_R), np.linspace(0.2, 1, N_R)
    totals = fn(hh, normal, pph, reach, 2.5, RULES, mode == "squads", mode == "tax")
    return (*totals, hh["stock"], hh["taken"])


@pytest.mark.parametrize("n", [SMALL, LARGE])
@pytest.mark.parametrize("mode", ["squads", "tax", "market"])
def test_the_grain_weeks_twin_takes_and_sells_as_its_reference(n: int, mode: str) -> None:
    """Grain taken and sold by region to rtol 1e-12, the hungry households' weight exactly, the
    stock and what was taken per household to rtol 1e-6."""
    hh = households(n)
    taken, sold, short, stock, taken_col = week(grain.week.reference, copy(hh), mode)
    got = week(fast.grain.week, copy(hh), mode)
    assert (taken.sum() > 0) == (mode != "market") and sold.sum() > 0 and short.sum() > 0
    np.testing.assert_allclose(got[0], taken, **SUMS)
    np.testing.assert_allclose(got[1], sold, **SUMS)
    np.testing.assert_array_equal(got[2], short)
    np.testing.assert_allclose(got[3], stock, **F32)
    np.testing.assert_allclose(got[4], taken_col, **F32)


def test_the_grain_weeks_twin_gives_the_same_bytes_on_one_thread_and_on_two() -> None:
    hh = households(LARGE)
    got = on_threads(lambda: week(fast.grain.week, copy(hh), "squads"))
    assert got[1] == got[2]


def test_the_grain_weeks_twin_leaves_other_dtypes_to_its_reference() -> None:
    """A float64 stock column is not the kernel's: the reference computes the week."""
    hh = households(SMALL)
    wide = Population("households", {**{c: d for c, d in hh.dtypes.items() if c != "weight"},
                                     "stock": np.float64})  # fmt: skip
    wide.append(**{c: hh[c] for c in hh.columns})
    want = week(grain.week.reference, copy(wide), "tax")
    got = week(fast.grain.week, copy(wide), "tax")
    assert [x.tobytes() for x in got] == [x.tobytes() for x in want]


# -- nep --------------------------------------------------------------------------------------
D, DT = 0.3, 4 / 52


def luck(before: np.ndarray, after: np.ndarray) -> np.ndarray:
    """Each household's normal draw, read back from its growth (wealth above the 0.02 floor)."""
    w = before.astype(np.float64)
    growth = (after / w - 1.0) / DT
    return np.asarray((growth - 0.03 - D * np.minimum(np.log(w), nep.MAX_ADVANTAGE)) / 0.05)


def grown(fn: Callable[..., None], hh: Population, seed: int) -> np.ndarray:
    fn(hh, np.random.default_rng(seed), D, DT)
    return hh["wealth"].astype(np.float64)


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_the_differentiation_twin_is_its_reference_on_the_same_normals(n: int) -> None:
    """On the numba backend the reference's ``normal(rng, n)`` is the counter stream the twin
    draws inline: the new wealth agrees to rtol 1e-6."""
    hh = households(n)
    with using("numba"):
        want = grown(nep.grow.reference, copy(hh), 7)
    got = grown(fast.nep.grow, copy(hh), 7)
    np.testing.assert_allclose(got, want, **F32)
    assert not np.array_equal(got, hh["wealth"])


def test_the_differentiation_twins_luck_is_numpys_in_distribution() -> None:
    """200,000 households of one wealth: the luck read back from the twin's growth and from the
    reference's (numpy's generator) have means within 5 standard errors of each other (the
    standard error of a difference of means, sqrt(2 / n)) and standard deviations within 5
    standard errors (sqrt(2 / (2 n))); and the twin's mean within 5 of 0, its sd of 1."""
    n = 200_000
    hh = households(n)
    hh["wealth"] = np.full(n, 1.7, dtype=np.float32)
    before = hh["wealth"].copy()
    with using("numpy"):
        ref = luck(before, grown(nep.grow.reference, copy(hh), 3))
    twin = luck(before, grown(fast.nep.grow, copy(hh), 3))
    # float32 wealth rounds the growth: the luck read back carries about 1e-4 of noise
    assert abs(twin.mean() - ref.mean()) < 5 * np.sqrt(2 / n)
    assert abs(twin.std() - ref.std()) < 5 * np.sqrt(1 / n)
    assert abs(twin.mean()) < 5 / np.sqrt(n) and abs(twin.std() - 1) < 5 / np.sqrt(2 * n)


def test_the_differentiation_twin_gives_the_same_bytes_on_one_thread_and_on_two() -> None:
    hh = households(LARGE)
    got = on_threads(lambda: grown(fast.nep.grow, copy(hh), 11))
    assert got[1] == got[2]


def test_the_differentiation_twin_refuses_wealth_beyond_float32_as_the_reference() -> None:
    for fn in (nep.grow.reference, fast.nep.grow):
        hh = households(SMALL)
        hh["wealth"] = np.full(SMALL, 3e38, dtype=np.float32)
        with using("numba"), pytest.raises(OverflowError, match=r"households\.wealth"):
            fn(hh, np.random.default_rng(0), 5.0, 1.0)


# -- consciousness ----------------------------------------------------------------------------
def workers(n: int, seed: int = 0) -> Population:
    rng = np.random.default_rng(seed)
    wk = Population("workers", {"city": np.int8, "consciousness": np.float32,
                                "hereditary": np.bool_, "employed": np.bool_})  # fmt: skip
    city = np.sort(rng.integers(0, len(CITIES), n))
    city[::89] = 1
    wk.append(weight=rng.integers(0, 5000, n), city=city, consciousness=rng.random(n),
              hereditary=rng.random(n) < 0.3, employed=rng.random(n) < 0.6)  # fmt: skip
    return wk


# the model's scalars: the grievance's rates are numpy float64s, hunger a Python float
DRIFT = consciousness.Drift(contagion=0.3, rate=np.float64(2.1), atomisation=0.4, hunger=0.35,
                            soldier_rate=np.float64(1.3), dt=1 / 52)  # fmt: skip
MEAN_CITY = np.linspace(0.2, 0.8, len(CITIES))


def drift(workers_fn: Callable[..., None], soldiers_fn: Callable[..., None], n: int) -> Any:
    wk, sd = workers(n, 1), workers(n, 2)
    workers_fn(wk, MEAN_CITY, DRIFT)
    soldiers_fn(sd, DRIFT)
    return wk["consciousness"], sd["consciousness"]


@pytest.mark.parametrize("n", [SMALL, LARGE])
def test_the_consciousness_twins_drift_as_their_references(n: int) -> None:
    """Workers' and soldiers' consciousness to rtol 1e-6, and it moved."""
    want = drift(consciousness.workers_drift.reference, consciousness.soldiers_drift.reference, n)
    got = drift(fast.consciousness.workers_drift, fast.consciousness.soldiers_drift, n)
    np.testing.assert_allclose(got[0], want[0], **F32)
    np.testing.assert_allclose(got[1], want[1], **F32)
    assert np.abs(got[0] - workers(n, 1)["consciousness"]).max() > 1e-3


def test_the_consciousness_twins_give_the_same_bytes_on_one_thread_and_on_two() -> None:
    twins_ = fast.consciousness.workers_drift, fast.consciousness.soldiers_drift
    got = on_threads(lambda: drift(*twins_, LARGE))
    assert got[1] == got[2]


@pytest.mark.parametrize("grouped", [True, False])
def test_the_city_census_twin_counts_as_its_reference(grouped: bool) -> None:
    """Weights exactly (integer sums), consciousness's weighted sums to rtol 1e-12, whether the
    workers lie grouped by city or not."""
    wk = workers(SMALL)
    if not grouped:
        wk["city"] = np.random.default_rng(5).permutation(wk["city"])
    want = consciousness.city_census.reference(wk)
    got = fast.consciousness.city_census(wk)
    for i in (0, 2, 3):
        np.testing.assert_array_equal(got[i], want[i])
    np.testing.assert_allclose(got[1], want[1], **SUMS)
    assert (want[0] > 0).all()


def test_the_city_census_twin_leaves_a_city_outside_the_table_to_its_reference() -> None:
    wk = workers(SMALL)
    wk["city"][10] = len(CITIES) + 1
    want = consciousness.city_census.reference(wk)
    got = fast.consciousness.city_census(wk)
    assert [x.tobytes() for x in got] == [x.tobytes() for x in want]
