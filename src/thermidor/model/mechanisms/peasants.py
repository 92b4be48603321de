"""M3 peasants and the alliance (§1, §4): land, sowing, harvest, technical crops, support.

The peasants seize the estates and divide them household by household, kulaks included (§1); the
commune levels. Sowing falls with the men at the front, lost livestock and last year's
requisitions; technical crops (hemp, flax, cotton, sugar beet) fall further when their market is
cut off by the fronts or has nothing to offer in exchange (§2). Support for the regime rests on
the threat to the land while the Whites are in the field; once it is gone only the burden of
requisitions and hunger count (§4). Unrest is the share of households whose support is negative.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from thermidor.engine import Context
from thermidor.model.params import Params
from thermidor.model.world import CROPS, REGIONS, World

N_R = len(REGIONS)
POOR_BELOW, KULAK_ABOVE = 0.7, 2.5  # wealth, 1917 median = 1 (modelling)
HUNGER_BELOW = 0.6  # of a normal year's harvest (modelling: the famine line)
SOWING = (4, 20)  # month, day (record: spring sowing)
HARVEST = (8, 20)


def contains(ctx: Context, month: int, day: int) -> bool:
    d = ctx.date
    target = dt.date(d.year, month, day)
    return d <= target < d + dt.timedelta(days=ctx.calendar.step_days)


def strata(wealth: np.ndarray, median: float) -> np.ndarray:
    """0 poor, 1 middle, 2 kulak: wealth against the current median household (modelling)."""
    med = median
    return (wealth >= POOR_BELOW * med).astype(np.int8) + (wealth > KULAK_ABOVE * med).astype(
        np.int8
    )


def kulaks(w: World) -> np.ndarray:
    """Kulak households: wealth above KULAK_ABOVE x this week's median (set in ``livestock``)."""
    hh = w.households
    return hh["wealth"] > KULAK_ABOVE * float(w.signals.get("median_wealth", 1.0))


def _median(x: np.ndarray, weight: np.ndarray | None) -> float:
    if x.size == 0:
        return 1.0
    if weight is None:
        return float(np.median(x))
    order = np.argsort(x)
    cum = np.cumsum(weight[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2.0)])


def persons_per_household(w: World) -> np.ndarray:
    hh = w.households.sum_by("region", N_R)
    return w.villagers / np.maximum(hh, 1.0)


def normal_harvest(w: World, p: Params) -> np.ndarray:
    """What a household's land gives in a normal year, tonnes (cached until the land changes)."""
    hh = w.households
    cached = w.signals.get("normal_harvest")
    if cached is None or cached.size != hh.n:
        yields = w.base["yields"][hh["region"]]
        cached = np.asarray(hh["land"] * p["peasants.sown_share"] * p["peasants.yield"] * yields)
        w.signals["normal_harvest"] = cached
    return cached


def burden(w: World, p: Params) -> np.ndarray:
    """Requisitions felt against what the household could have sold this year, in [0, 1.5]."""
    hh = w.households
    disposable = hh["surplus"] + 0.1 * normal_harvest(w, p)
    return np.clip(hh["taken"] / np.maximum(disposable, 1e-3), 0.0, 1.5)


def land_seizure(w: World, p: Params, ctx: Context) -> None:
    """Estates pass to the households in equal shares; the commune repartitions kulak excess."""
    left = w.signals["estates_left"]
    if left <= 0:
        return
    if w.decided("insurrection"):
        rate = p["land.seizure_rate"]
    else:
        rate = p["land.seizure_rate_1917"] * float(w.inputs.grievance[ctx.step])
    share = min(left, left * (1.0 - np.exp(-rate * ctx.dt)))
    if share <= 0:
        return
    w.signals["estates_left"] = left - share
    hh = w.households
    gain = p["land.estate_share"] * w.base["land_per_household"] * share
    hh["land"] = hh["land"] + gain
    w.signals.pop("normal_harvest", None)
    wealth = hh["wealth"]
    excess = np.maximum(wealth - KULAK_ABOVE, 0.0) * p["land.kulak_repartition"] * share
    pooled = float((excess * hh["weight"]).sum() / max(hh.total(), 1))
    gain_wealth = gain / w.base["land_per_household"]  # land is half of wealth (modelling)
    hh["wealth"] = wealth - excess + pooled + 0.5 * gain_wealth


def season(w: World, p: Params, ctx: Context) -> None:
    """Spring sowing and the August harvest (grain and the technical crops)."""
    if contains(ctx, *SOWING):
        _sow(w, p, ctx)
    if contains(ctx, *HARVEST):
        _harvest(w, p, ctx)


def _sow(w: World, p: Params, ctx: Context) -> None:
    hh = w.households
    r = hh["region"]
    sd = w.soldiers
    at_front = sd.sum_by("region", N_R, mask=sd["origin"] == 1)
    labour = w.villagers / np.maximum(w.villagers + at_front, 1.0)
    labour = np.clip(labour / w.base["labour_1917"], 0.0, 1.0) ** p["peasants.labour_elasticity"]
    felt = np.minimum(burden(w, p), 1.0)
    incentive = np.clip(1.0 - p["peasants.burden_sowing_cut"] * felt, 0.25, 1.0)
    draught = np.clip(hh["wealth"] / 0.5, 0.2, 1.0) ** 0.5
    war = 1.0 - 0.3 * w.signals["war_zone"]
    wanted = hh["land"] * p["peasants.sown_share"] * labour[r] * incentive * draught * war[r]
    hh["sown"] = np.minimum(wanted, hh["sown"] * (1.0 + p["peasants.sown_recovery"]))

    cut = w.signals["cut_off"]
    goods = float(np.clip(w.signals["goods"], 0.0, 1.2))
    reach = (1.0 - cut) * (1.0 - 0.5 * w.signals["war_zone"]) * w.regional_capacity
    market = np.clip(reach[r] * np.sqrt(goods) * (1.0 - felt), 0.0, 1.0)
    adjust = p["crops.adjust"]
    for crop in CROPS:
        col = f"area_{crop}"
        target = w.base["area0"][crop][r] * market ** p[f"crops.elasticity_{crop}"]
        hh[col] = hh[col] + adjust * (target - hh[col])


def _harvest(w: World, p: Params, ctx: Context) -> None:
    hh = w.households
    r = hh["region"]
    weather = w.inputs.weather[ctx.step]
    war = 1.0 - 0.3 * w.signals["war_zone"]
    grain = hh["sown"] * p["peasants.yield"] * (w.base["yields"] * weather * war)[r]
    hh["harvest"] = grain
    pph = persons_per_household(w)
    subsistence = p["peasants.ration"] * pph[r] + p["peasants.seed"] * hh["sown"]
    hh["stock"] = np.maximum(grain - subsistence, 0.0)  # the year's surplus, to sell or lose
    hh["surplus"] = hh["stock"]
    hh["taken"] = 0.0
    weight = hh["weight"].astype(np.float64)
    total = float((grain * weight).sum())
    w.flows["grain_harvest"] = total
    w.signals["harvest_ratio"] = total / w.base["grain_prewar"]
    w.signals["last_harvest"] = total
    w.signals["sold_since_harvest"] = 0.0
    for crop in CROPS:
        out = float((hh[f"area_{crop}"] * (weather * war)[r] * weight).sum())
        w.flows[f"crop:{crop}"] = out


def support(w: World, p: Params, ctx: Context) -> None:
    """Support for the regime relaxes toward what threat, burden, hunger and the market give."""
    hh = w.households
    felt = burden(w, p)
    left = hh["harvest"] - hh["taken"]
    hungry = (left < HUNGER_BELOW * normal_harvest(w, p)).astype(np.float32)
    gained = 1.0 - w.signals["estates_left"]
    threat = w.signals["white_threat"]
    nep = 1.0 if w.decided("new_economic_policy") else 0.0
    # aid from a revolution abroad helps reconcile the peasantry (§1)
    abroad = 0.5 * p["world.aid"] * min(1.0, float(w.signals.get("abroad", 0.0)))
    target = (
        p["support.base"]
        + hh["disposition"]
        + p["support.land_gain"] * threat * gained
        - p["support.burden"] * felt
        - p["support.hunger"] * hungry
        + p["support.nep"] * nep
        + abroad
    )
    s = hh["support"]
    hh["support"] = np.clip(s + (1.0 - np.exp(-p["support.rate"] * ctx.dt)) * (target - s), -1, 1)
    w.signals["unrest"] = hh.share(hh["support"] < 0.0)


def livestock(w: World, p: Params, ctx: Context) -> None:
    """Livestock and implements are lost where the war passes and regrow slowly in peace."""
    hh = w.households
    r = hh["region"]
    zone = w.signals["war_zone"][r] + 0.5 * w.signals["civil_war"]
    loss = p["peasants.livestock_loss"] * zone
    regrow = 0.04 * (1.0 - w.signals["civil_war"])
    hh["wealth"] = hh["wealth"] * (1.0 + ctx.dt * (regrow - loss))
    if ctx.step % 4 == 0:  # the strata's yardstick, refreshed monthly
        w.signals["median_wealth"] = _median(hh["wealth"], hh["weight"])
