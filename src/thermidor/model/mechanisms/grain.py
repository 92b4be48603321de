"""Grain: the villages eat, sell, are requisitioned or taxed; the towns and the army are fed (§4).

Before requisitions and under the NEP, households sell part of their surplus, more readily when
industry has goods to offer. Requisitioning is a decision rule: once the towns go hungry after
October the regime sends squads for the surplus of every region it reaches, pressing kulaks
hardest (§4). Under the NEP a tax in kind replaces them. The army is fed first; what the towns
get against what they need is the food ratio that drives hunger elsewhere in the model.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from thermidor.engine import Context, Population, twin
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.inner_party import platform
from thermidor.model.mechanisms.peasants import (
    HUNGER_BELOW,
    KULAK_ABOVE,
    households_by_region,
    normal_harvest,
    persons_per_household,
)
from thermidor.model.params import Params
from thermidor.model.world import CITIES, World


def urban_persons(w: World) -> int:
    sd = w.soldiers
    garrisons = sd.total(sd["garrison"] > 0)
    return w.workers.total() + int(w.townsfolk.sum()) + w.officials.total() + garrisons


def procurement(w: World, p: Params, ctx: Context) -> None:
    """A week of the agricultural year: sales, requisitions or tax, and the towns' food."""
    hh = w.households
    by_region = households_by_region(w)
    pph = persons_per_household(w, by_region)
    reach_r = 1.0 - w.war.cut_off
    goods = float(np.clip(w.industry.goods, 0.0, 1.2))
    requisition = w.decided("requisitioning") and not w.decided("new_economic_policy")
    nep = w.decided("new_economic_policy")
    turned = w.decided("forced_collectivisation")
    squads = requisition or turned
    tax = nep and _in_tax_season(ctx) and not squads
    if squads:
        rate = p["turn.extraction"] if turned else p["grain.requisition_rate"]
        sell = p["grain.black_market"]
    else:
        rate = 0.0
        sell = p["grain.market_sales"] * goods
        if nep:
            # the terms of trade: bad prices and empty shops keep the grain in the barn (§7, §9)
            drive = w.factions.industrial_drive
            ramp = 0.0 if drive is None else min(1.0, (ctx.step - drive) * ctx.dt)
            ramp *= 1.0 - p["policy.peasant_concessions"]
            goods = goods * (1.0 - p["turn.goods_famine"] * ramp)
            price = 1.0 - p["turn.price_cut"] * ramp
            terms = price * (1.0 + p["policy.peasant_concessions"]) / max(w.nep.scissors, 0.2)
            sell = p["grain.market_sales"] * min(1.0, terms * goods) ** p["grain.price_elasticity"]
    rules = Rules(
        ration=p["peasants.ration"], seed=p["peasants.seed"], kulak_bias=p["grain.kulak_bias"],
        rate=rate, dt=ctx.dt, sell=sell, tax_share=p["nep.tax_share"],
        squeeze2=2.0 * platform(w, p), hunger=HUNGER_BELOW,
    )  # fmt: skip
    kulak_above = KULAK_ABOVE * float(w.peasants.median_wealth)
    taken_r, sold_r, short_r = week(
        hh, normal_harvest(w, p), pph, reach_r, kulak_above, rules, squads, tax
    )
    w.food.rural_hungry = short_r / np.maximum(by_region, 1.0)
    state_t = float(taken_r.sum())
    market_t = float(sold_r.sum())
    w.flows["grain_procurement"] = state_t if requisition else state_t + market_t
    w.food.procured_this_week = w.flows["grain_procurement"]
    last = w.peasants.last_harvest
    sold_total = w.food.sold_since_harvest + state_t + market_t
    w.food.marketed_share = sold_total / last if last else 0.0
    w.food.sold_since_harvest = sold_total

    army_need = w.soldiers.total() * p["grain.army_ration"] * ctx.dt
    pool = state_t + market_t
    to_army = min(army_need, state_t) if requisition else min(army_need, 0.5 * pool)
    to_towns = (pool - to_army) * w.transport
    need = urban_persons(w) * p["grain.urban_ration"] * ctx.dt
    stock = w.food.urban_stock + to_towns
    eaten = min(need, stock / p["grain.urban_drawdown"]) if need > 0 else 0.0
    # the towns cannot hold more than a season's need (spoilage, the army's reserve)
    w.food.urban_stock = min(stock - eaten, need * 13.0)
    ratio = eaten / need if need > 0 else 1.0
    food = w.food.supply + (ratio - w.food.supply) / p["grain.food_memory"]
    w.food.supply = float(np.clip(food, 0.0, 1.0))
    distance = np.array([p[f"grain.distance_{c}"] for c in CITIES])
    w.food.by_city = np.clip(w.food.supply, 1e-3, 1.0) ** distance

    decide(
        w, ctx, "requisitioning",
        w.decided("insurrection") and w.food.supply < p["requisition.food_trigger"],
        "Food dictatorship: requisition squads sent for the peasants' surplus",
        food_ratio=round(w.food.supply, 4),
    )  # fmt: skip


class Rules(NamedTuple):
    """A week's rules for taking and selling grain (scalars: tonnes per person or household,
    shares, years)."""

    ration: float  # grain a person eats in a year
    seed: float  # grain kept per unit sown
    kulak_bias: float  # how much harder the squads press a kulak household
    rate: float  # the squads' share of the surplus, per year (0 without squads)
    dt: float  # the week, in years
    sell: float  # the share of the surplus sold, per year
    tax_share: float  # the tax in kind, a share of the harvest over its season
    squeeze2: float  # the tax's extra on kulaks (twice the planned industry's weight)
    hunger: float  # short of food below this share of a normal harvest


@twin("grain.week")
def week(
    hh: Population, normal: np.ndarray, pph: np.ndarray, reach_r: np.ndarray,
    kulak_above: float, k: Rules, squads: bool, tax: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """One week's taking and selling per household; updates its stock and what was taken.

    Returns by region: grain taken and sold (tonnes, weighted) and the weight of the households
    short of food (those left with less than ``k.hunger`` of a normal harvest)."""
    r, harvest, sown = hh["region"], hh["harvest"], hh["sown"]
    subsistence = k.ration * pph[r] + np.float32(k.seed) * sown
    surplus = np.maximum(harvest - subsistence, 0.0)  # this agricultural year's
    reach = reach_r[r]
    left = hh["stock"]
    kulak = hh["wealth"] > kulak_above
    if squads:
        bias = np.where(kulak, k.kulak_bias, 1.0)
        # the squads assess the expected harvest and take into the seed and the ration
        quota = k.rate * bias * (surplus + 0.05 * subsistence) * reach
        taken = np.minimum(quota * k.dt, left + 0.05 * subsistence * k.dt)
    elif tax:
        squeeze = 1.0 + k.squeeze2 * kulak
        taken = np.minimum(k.tax_share * squeeze * harvest * reach / 16.0, left)
    else:
        taken = np.zeros(left.shape)
    sold = np.minimum(surplus * k.sell * reach * k.dt, np.maximum(left - taken, 0.0))
    hh["stock"] = left - taken - sold
    hh["taken"] = hh["taken"] + taken
    short = harvest - hh["taken"] < k.hunger * normal
    weight, n_r = hh["weight"], pph.size
    return (
        np.bincount(r, weights=taken * weight, minlength=n_r),
        np.bincount(r, weights=sold * weight, minlength=n_r),
        np.bincount(r[short], weights=weight[short], minlength=n_r),
    )


def _in_tax_season(ctx: Context) -> bool:
    return ctx.date.month in (9, 10, 11, 12)
