"""M3 peasants and the alliance (§1, §4): land, sowing, harvest, technical crops, support.

The peasants seize the estates and divide them household by household, kulaks included (§1); the
commune levels. Sowing falls with the men at the front, lost livestock and last year's
requisitions; technical crops (hemp, flax, cotton, sugar beet) fall further when their market is
cut off by the fronts or has nothing to offer in exchange (§2). Support for the regime rests on
the threat to the land while the Whites are in the field; once it is gone only the burden of
requisitions and hunger count (§4). Unrest is the share of households whose support is negative.

The steps that pass over every household (marked ``twin``) have compiled twins in
``model/fast/peasants.py``; what is written here is their definition.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np

from thermidor.engine import Context, Population, twin
from thermidor.model.params import Params
from thermidor.model.world import CROPS, REGIONS, STRATA, World

N_R = len(REGIONS)
POOR_BELOW, KULAK_ABOVE = 0.7, 2.5  # wealth, 1917 median = 1 (modelling)
HUNGER_BELOW = 0.6  # of a normal year's harvest (modelling: the famine line)
ESTATES_DIVIDED = 1e-3
"""Share of the estates left below which the rest is divided at once and the seizure ends
(modelling: the share left decays exponentially and would otherwise never reach zero; after
October it passes 1e-3 within about two years, the end of 1919 in the baseline, by when the
record has the estates divided; before, a seizure of ever smaller shares ran weekly to 1929)."""
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


@twin("peasants.strata_weights")
def strata_weights(wealth: np.ndarray, weight: np.ndarray, median: float) -> np.ndarray:
    """Households (weight) in each stratum: ``bincount(strata(wealth, median))``, float64."""
    return np.bincount(strata(wealth, median), weights=weight, minlength=len(STRATA))


@twin("peasants.weighted_median")
def weighted_median(x: np.ndarray, weight: np.ndarray) -> float:
    """The weighted median: the smallest value v with weight(x <= v) >= half the total (1.0 for
    no households; the smallest value if they all weigh nothing)."""
    if x.size == 0:
        return 1.0
    order = np.argsort(x)
    cum = np.cumsum(weight[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2.0)])


def persons_per_household(w: World, households: np.ndarray | None = None) -> np.ndarray:
    """Villagers per household by region (``households``: their count by region, if known)."""
    hh = households_by_region(w) if households is None else households
    return w.villagers / np.maximum(hh, 1.0)


def households_by_region(w: World) -> np.ndarray:
    """The households' weight by region, cached until their regions or weights change (only the
    villages' partition changes them, monthly): a pass over every household saved in three weeks
    of four."""
    hh = w.households
    return np.asarray(w.peasants.households_by_region.get(hh, lambda: hh.sum_by("region", N_R)))


def normal_harvest(w: World, p: Params) -> np.ndarray:
    """What a household's land gives in a normal year, tonnes (cached until the land changes)."""
    hh = w.households
    return w.peasants.normal_harvest.get(hh, lambda: normal_yield(
        hh["land"], hh["region"], w.base["yields"], p["peasants.sown_share"], p["peasants.yield"],
    ))  # fmt: skip


@twin("peasants.normal_yield")
def normal_yield(
    land: np.ndarray, region: np.ndarray, yields: np.ndarray, sown_share: float, grain_yield: float
) -> np.ndarray:
    """Each household's grain from its land in a normal year (float64): the share of it sown,
    the yield per desyatina, the region's yield against the national one."""
    return np.asarray(land * sown_share * grain_yield * yields[region], dtype=np.float64)


def burden(w: World, p: Params) -> np.ndarray:
    """Requisitions felt against what the household could have sold this year, in [0, 1.5]."""
    return felt_burden(w.households, normal_harvest(w, p))


def felt_burden(hh: Population, normal: np.ndarray) -> np.ndarray:
    """``burden`` for households whose normal harvest is ``normal``."""
    disposable = hh["surplus"] + 0.1 * normal
    return np.clip(hh["taken"] / np.maximum(disposable, 1e-3), 0.0, 1.5)


def land_seizure(w: World, p: Params, ctx: Context) -> None:
    """Estates pass to the households in equal shares; the commune repartitions kulak excess."""
    left = w.peasants.estates_left
    if left <= 0:
        return
    if w.decided("insurrection"):
        rate = p["land.seizure_rate"]
    else:
        rate = p["land.seizure_rate_1917"] * float(w.inputs.grievance[ctx.step])
    share = float(min(left, left * (1.0 - np.exp(-rate * ctx.dt))))
    if left - share < ESTATES_DIVIDED:
        share = left  # the last estates are divided: the seizure is over
    if share <= 0:
        return
    w.peasants.estates_left = left - share
    gain = p["land.estate_share"] * w.base["land_per_household"] * share
    divide(w.households, Division(
        land=gain,
        levelled=p["land.kulak_repartition"] * share,
        wealth=0.5 * gain / w.base["land_per_household"],  # land is half of wealth (modelling)
    ))  # fmt: skip


class Division(NamedTuple):
    """One week's division of the estates (``divide``)."""

    land: float  # land each household gains, desyatinas
    levelled: float  # share of a kulak's wealth above the kulak line the commune pools
    wealth: float  # wealth each household gains with its land (1917 median = 1)


@twin("peasants.divide")
def divide(hh: Population, k: Division) -> None:
    """Every household gains the same land (the estates in equal shares, kulaks included); the
    commune pools a share of each kulak's excess wealth and gives every household an equal
    part of the pool (§1)."""
    hh["land"] = hh["land"] + k.land
    wealth = hh["wealth"]
    excess = np.maximum(wealth - KULAK_ABOVE, 0.0) * k.levelled
    pooled = float((excess * hh["weight"]).sum() / max(hh.total(), 1))
    hh["wealth"] = wealth - excess + pooled + k.wealth


def season(w: World, p: Params, ctx: Context) -> None:
    """Spring sowing and the August harvest (grain and the technical crops)."""
    if contains(ctx, *SOWING):
        _sow(w, p, ctx)
    if contains(ctx, *HARVEST):
        _harvest(w, p, ctx)


def _sow(w: World, p: Params, ctx: Context) -> None:
    sd = w.soldiers
    at_front = sd.sum_by("region", N_R, mask=sd["origin"] == 1)
    labour = w.villagers / np.maximum(w.villagers + at_front, 1.0)
    labour = np.clip(labour / w.base["labour_1917"], 0.0, 1.0) ** p["peasants.labour_elasticity"]
    war = 1.0 - 0.3 * w.war.war_zone
    cut = w.war.cut_off
    goods = float(np.clip(w.industry.goods, 0.0, 1.2))
    reach = (1.0 - cut) * (1.0 - 0.5 * w.war.war_zone) * w.regional_capacity
    k = Sowing(
        burden_cut=p["peasants.burden_sowing_cut"],
        sown_share=p["peasants.sown_share"],
        recovery=p["peasants.sown_recovery"],
        goods=np.sqrt(goods),
        adjust=p["crops.adjust"],
    )
    crops = {c: (w.base["area0"][c], p[f"crops.elasticity_{c}"]) for c in CROPS}
    sow(w.households, normal_harvest(w, p), k, np.asarray(labour * war), reach, crops)


class Sowing(NamedTuple):
    """The spring's scalars (``sow``)."""

    burden_cut: float  # the sowing given up per unit of burden felt
    sown_share: float  # share of the land sown when nothing holds the household back
    recovery: float  # the most the sown area grows in a year, a share of it
    goods: float  # the pull of the goods the towns offer (the root of their supply)
    adjust: float  # share of the way each crop's area moves toward its target in a year


@twin("peasants.sow")
def sow(
    hh: Population,
    normal: np.ndarray,
    k: Sowing,
    hands: np.ndarray,
    reach: np.ndarray,
    crops: dict[str, tuple[np.ndarray, float]],
) -> None:
    """The grain sown falls with the burden felt, the livestock lost and the hands missing
    (``hands``: the labour left times the war's toll, by region) and recovers slowly; each
    technical crop's area moves toward what its market (``reach`` by region, the goods, the
    burden) pulls, raised to the crop's elasticity (``crops``: the 1917 area by region and the
    elasticity), §2."""
    r = hh["region"]
    felt = np.minimum(felt_burden(hh, normal), 1.0)
    incentive = np.clip(1.0 - k.burden_cut * felt, 0.25, 1.0)
    draught = np.clip(hh["wealth"] / 0.5, 0.2, 1.0) ** 0.5
    wanted = hh["land"] * k.sown_share * incentive * draught * hands[r]
    hh["sown"] = np.minimum(wanted, hh["sown"] * (1.0 + k.recovery))

    market = np.clip(reach[r] * k.goods * (1.0 - felt), 0.0, 1.0)
    for crop, (area0, elasticity) in crops.items():
        col = f"area_{crop}"
        target = area0[r] * market**elasticity
        hh[col] = hh[col] + k.adjust * (target - hh[col])


def _harvest(w: World, p: Params, ctx: Context) -> None:
    weather = w.inputs.weather[ctx.step]
    war = 1.0 - 0.3 * w.war.war_zone
    season_r = np.asarray(weather * war, dtype=np.float64)  # by region
    k = Reaping(grain_yield=p["peasants.yield"], ration=p["peasants.ration"],
                seed=p["peasants.seed"])  # fmt: skip
    yields = np.asarray(w.base["yields"] * weather * war, dtype=np.float64)
    grain, crops = reap(w.households, k, yields, persons_per_household(w), season_r)
    _record_harvest(w, grain)
    for crop, out in zip(CROPS, crops, strict=True):
        w.flows[f"crop:{crop}"] = float(out)


class Reaping(NamedTuple):
    """The harvest's scalars (``reap``)."""

    grain_yield: float  # tonnes per desyatina sown in a normal year
    ration: float  # tonnes a villager eats in a year
    seed: float  # tonnes of seed kept per desyatina sown


@twin("peasants.reap")
def reap(
    hh: Population, k: Reaping, yields: np.ndarray, pph: np.ndarray, season_r: np.ndarray
) -> tuple[float, np.ndarray]:
    """The grain harvest (the area sown times this year's yield by region, ``yields``), what is
    left over the ration (``pph``: persons per household by region) and the seed, to sell or
    lose; nothing taken yet. Returns the total grain and each technical crop's output (its area
    times the weather and the war, ``season_r``, by region), in tonnes."""
    r = hh["region"]
    grain = hh["sown"] * k.grain_yield * yields[r]
    hh["harvest"] = grain
    subsistence = k.ration * pph[r] + k.seed * hh["sown"]
    hh["stock"] = np.maximum(grain - subsistence, 0.0)  # the year's surplus, to sell or lose
    hh["surplus"] = hh["stock"]
    hh["taken"] = 0.0
    weight = hh["weight"].astype(np.float64)
    crops = [(hh[f"area_{crop}"] * season_r[r] * weight).sum() for crop in CROPS]
    return float((grain * weight).sum()), np.array(crops, dtype=np.float64)


def _record_harvest(w: World, total: float) -> None:
    w.flows["grain_harvest"] = total
    w.peasants.harvest_ratio = total / w.base["grain_prewar"]
    w.peasants.last_harvest = total
    w.food.sold_since_harvest = 0.0


def support(w: World, p: Params, ctx: Context) -> None:
    """Support for the regime relaxes toward what threat, burden, hunger and the market give."""
    gained = 1.0 - w.peasants.estates_left
    threat = w.war.white_threat
    nep = 1.0 if w.decided("new_economic_policy") else 0.0
    # aid from a revolution abroad helps reconcile the peasantry (§1)
    abroad = 0.5 * p["world.aid"] * min(1.0, float(w.abroad.revolutions))
    land = p["support.land_gain"] * threat * gained
    rate = 1.0 - np.exp(-p["support.rate"] * ctx.dt)
    k = Mood(
        base=p["support.base"], land=float(land), burden=p["support.burden"],
        hunger=p["support.hunger"], market=p["support.nep"] * nep, abroad=abroad,
        rate=float(rate),
    )  # fmt: skip
    w.peasants.unrest = relax_support(w.households, normal_harvest(w, p), k)


class Mood(NamedTuple):
    """The week's scalars of the villages' support (``relax_support``)."""

    base: float  # support with nothing gained nor lost
    land: float  # the land gained, while the Whites threaten to take it back
    burden: float  # support lost per unit of burden felt
    hunger: float  # support lost by a hungry household
    market: float  # the market reopened (NEP)
    abroad: float  # the aid of a revolution abroad
    rate: float  # share of the way to its target support moves this week


@twin("peasants.relax_support")
def relax_support(hh: Population, normal: np.ndarray, k: Mood) -> float:
    """Each household's support relaxes toward its target: the base, its village's lean, the
    land, less the burden felt and hunger (below ``HUNGER_BELOW`` of a normal harvest left),
    §4. Returns the unrest: the share of households (by weight) against the regime."""
    felt = felt_burden(hh, normal)
    left = hh["harvest"] - hh["taken"]
    hungry = (left < HUNGER_BELOW * normal).astype(np.float32)
    target = (
        k.base + hh["disposition"] + k.land - k.burden * felt - k.hunger * hungry + k.market
        + k.abroad
    )  # fmt: skip
    s = hh["support"]
    hh["support"] = np.clip(s + k.rate * (target - s), -1, 1)
    return hh.share(hh["support"] < 0.0)


def livestock(w: World, p: Params, ctx: Context) -> None:
    """Livestock and implements are lost where the war passes and regrow slowly in peace."""
    regrow = 0.04 * (1.0 - w.war.civil_war)
    zone = w.war.war_zone + 0.5 * w.war.civil_war  # by region
    factor = 1.0 + ctx.dt * (regrow - p["peasants.livestock_loss"] * zone)
    scale_wealth(w.households, np.asarray(factor, dtype=np.float64))
    if ctx.step % 4 == 0:  # the strata's yardstick, refreshed monthly
        w.peasants.median_wealth = weighted_median(w.households["wealth"], w.households["weight"])


@twin("peasants.scale_wealth")
def scale_wealth(hh: Population, factor: np.ndarray) -> None:
    """Each household's wealth times its region's ``factor``."""
    hh["wealth"] = hh["wealth"] * factor[hh["region"]]
