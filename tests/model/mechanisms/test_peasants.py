"""M3 peasants and the alliance (§1, §2, §4): land, technical crops, support."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.support import COARSE, extend, run_coarse, window_mean
from thermidor.engine import Context, Recorder, Streams
from thermidor.model.mechanisms import peasants
from thermidor.model.mechanisms.peasants import land_seizure
from thermidor.model.run import prepare
from thermidor.model.step import MECHANISMS


def gini(x: np.ndarray, weight: np.ndarray) -> float:
    order = np.argsort(x)
    x, weight = x[order].astype(float), weight[order].astype(float)
    cum_w, cum_xw = np.cumsum(weight), np.cumsum(x * weight)
    lower = np.concatenate([[0.0], cum_xw[:-1]])
    return float(1.0 - np.sum(weight * (cum_xw + lower)) / (cum_w[-1] * cum_xw[-1]))


def seized(after_october: bool, weeks: int = 40):
    _, cal, w, p, _ = prepare(extend(), 0, COARSE)
    if after_october:
        w.decisions["insurrection"] = 0
    for step in range(weeks):
        land_seizure(w, p, Context(step, cal, Streams(0), Recorder(cal.n_steps)))
    return w


def test_the_decree_on_land_divides_the_estates_and_levels_the_peasantry():
    """§1: the peasants seize the estates and divide them household by household; the commune
    repartitions the richest households' excess. After the Decree on Land the estates go faster
    and wealth is more equal (Gini of household wealth) than without it."""
    start = prepare(extend(), 0, COARSE)[2].households
    g0 = gini(start["wealth"], start["weight"])
    decree, no_decree = seized(True), seized(False)

    assert decree.peasants.estates_left < no_decree.peasants.estates_left < 1.0
    hh_d, hh_n = decree.households, no_decree.households
    g_decree = gini(hh_d["wealth"], hh_d["weight"])
    g_none = gini(hh_n["wealth"], hh_n["weight"])
    assert g_decree < g_none < g0
    assert gini(hh_d["land"], hh_d["weight"]) < gini(hh_n["land"], hh_n["weight"])


def test_the_seizure_ends_when_the_last_estates_are_divided():
    """The share of the estates left decays exponentially; once what is left falls below
    ``ESTATES_DIVIDED`` the rest is divided in that week and the seizure is over: the estates
    left are exactly zero and later weeks change no household's land."""
    w = seized(True, weeks=180)  # about 2.5 years at land.seizure_rate = 3 a year
    assert w.peasants.estates_left == 0.0
    _, cal, _, p, _ = prepare(extend(), 0, COARSE)
    land = w.households["land"].copy()
    land_seizure(w, p, Context(200, cal, Streams(0), Recorder(cal.n_steps)))
    assert w.households["land"].tobytes() == land.tobytes()
    assert seized(True, weeks=60).peasants.estates_left > peasants.ESTATES_DIVIDED


def test_land_seizure_after_october_shrinks_the_kulak_stratum(coarse_baseline):
    """§1 with the commune's repartition: after the Decree on Land the kulak share of 1918 is
    below that of a history with no October (the estates seized slowly, nothing repartitioned
    at the pace of the Decree)."""
    base = coarse_baseline(0)
    no_october = run_coarse(until=dt.date(1918, 12, 31), force={"insurrection": "never"})
    window = ("1918-06-01", "1919-01-01")
    kulaks = "peasant_share:kulak"
    assert window_mean(base, kulaks, *window) < window_mean(no_october, kulaks, *window)
    assert window_mean(base, kulaks, *window) < base.columns[kulaks][0]


def test_cutting_turkestan_off_cuts_the_cotton_crop(coarse_baseline):
    """§2 (record: cotton was grown in Turkestan, cut off in the war): with Turkestan never cut
    off the cotton crop of 1919 is far above the record's."""
    base = coarse_baseline(0)
    joined = run_coarse(
        until=dt.date(1919, 12, 31), inputs={"cut_off": {"turkestan": {"1917-03-01": 0.0}}}
    )
    window = ("1919-01-01", "1920-01-01")
    column = "crop_output_vs_prewar:cotton"
    assert window_mean(joined, column, *window) > 1.5 * window_mean(base, column, *window)


def never() -> np.ndarray:
    raise AssertionError("a cache that calls itself fresh recomputed")


def test_the_households_caches_are_never_stale():
    """Grain and the harvest read the households' weight by region and their normal harvest from
    caches that recompute when the columns they rest on are written: after every mechanism of
    every week to 1923, a cache that calls itself fresh holds what a fresh pass gives."""
    _, cal, w, p, _ = prepare(extend(), 0, COARSE)
    streams, rec = Streams(0), Recorder(cal.n_steps)
    checked = 0
    for step in range(cal.step_of(dt.date(1923, 1, 1))):
        ctx = Context(step, cal, streams, rec)
        for mechanism in MECHANISMS:
            mechanism(w, p, ctx)
            hh, cache = w.households, w.peasants.households_by_region
            if not cache.stale(hh):
                fresh = hh.sum_by("region", peasants.N_R)
                assert cache.get(hh, never).tobytes() == fresh.tobytes(), (step, mechanism)
                checked += 1
            cache = w.peasants.normal_harvest
            if not cache.stale(hh):
                fresh = peasants.normal_yield.reference(
                    hh["land"], hh["region"], w.base["yields"], p["peasants.sown_share"],
                    p["peasants.yield"],
                )  # fmt: skip
                assert cache.get(hh, never).tobytes() == fresh.tobytes(), (step, mechanism)
                checked += 1
    assert checked > 2000
