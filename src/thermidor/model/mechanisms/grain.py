"""Grain: the villages eat, sell, are requisitioned or taxed; the towns and the army are fed (§4).

Before requisitions and under the NEP, households sell part of their surplus, more readily when
industry has goods to offer. Requisitioning is a decision rule: once the towns go hungry after
October the regime sends squads for the surplus of every region it reaches, pressing kulaks
hardest (§4). Under the NEP a tax in kind replaces them. The army is fed first; what the towns
get against what they need is the food ratio that drives hunger elsewhere in the model.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.peasants import (
    HUNGER_BELOW,
    kulaks,
    normal_harvest,
    persons_per_household,
)
from thermidor.model.params import Params
from thermidor.model.world import CITIES, World


def urban_persons(w: World) -> int:
    sd = w.soldiers
    garrisons = int(sd["weight"][(sd["garrison"] > 0)].sum())
    return w.workers.total() + int(w.townsfolk.sum()) + w.officials.total() + garrisons


def procurement(w: World, p: Params, ctx: Context) -> None:
    """A week of the agricultural year: sales, requisitions or tax, and the towns' food."""
    hh = w.households
    r = hh["region"]
    weight = hh["weight"].astype(np.float64)
    pph = persons_per_household(w)
    subsistence = p["peasants.ration"] * pph[r] + p["peasants.seed"] * hh["sown"]
    surplus = np.maximum(hh["harvest"] - subsistence, 0.0)  # this agricultural year's
    reach = (1.0 - w.signals["cut_off"])[r]
    goods = float(np.clip(w.signals["goods"], 0.0, 1.2))
    requisition = w.decided("requisitioning") and not w.decided("new_economic_policy")
    nep = w.decided("new_economic_policy")
    left = hh["stock"]

    turned = w.decided("forced_collectivisation")
    kulak = kulaks(w)
    if requisition or turned:
        bias = np.where(kulak, p["grain.kulak_bias"], 1.0)
        rate = p["turn.extraction"] if turned else p["grain.requisition_rate"]
        # the squads assess the expected harvest and take into the seed and the ration
        quota = rate * bias * (surplus + 0.05 * subsistence) * reach
        taken = np.minimum(quota * ctx.dt, left + 0.05 * subsistence * ctx.dt)
        sell = p["grain.black_market"]
    else:
        taken = np.zeros_like(left)
        if nep and _in_tax_season(ctx):
            squeeze = 1.0 + 2.0 * p["policy.planned_industry"] * kulak
            taken = np.minimum(p["nep.tax_share"] * squeeze * hh["harvest"] * reach / 16.0, left)
        sell = p["grain.market_sales"] * goods
        if nep:
            # the terms of trade: bad prices and empty shops keep the grain in the barn (§7, §9)
            drive = w.signals.get("industrial_drive")
            ramp = 0.0 if drive is None else min(1.0, (ctx.step - drive) * ctx.dt)
            ramp *= 1.0 - p["policy.peasant_concessions"]
            goods = goods * (1.0 - p["turn.goods_famine"] * ramp)
            price = 1.0 - p["turn.price_cut"] * ramp
            terms = (
                price * (1.0 + p["policy.peasant_concessions"]) / max(w.signals["scissors"], 0.2)
            )
            sell = p["grain.market_sales"] * min(1.0, terms * goods) ** p["grain.price_elasticity"]
    sold = np.minimum(surplus * sell * reach * ctx.dt, np.maximum(left - taken, 0.0))
    hh["stock"] = left - taken - sold
    hh["taken"] = hh["taken"] + taken
    short = hh["harvest"] - hh["taken"] < HUNGER_BELOW * normal_harvest(w, p)
    w.signals["rural_hungry"] = hh.sum_by("region", len(pph), mask=short) / np.maximum(
        hh.sum_by("region", len(pph)), 1.0
    )

    state_t = float((taken * weight).sum())
    market_t = float((sold * weight).sum())
    w.flows["grain_procurement"] = state_t if requisition else state_t + market_t
    w.signals["procured_this_week"] = w.flows["grain_procurement"]
    last = w.signals.get("last_harvest", 0.0)
    sold_total = w.signals.get("sold_since_harvest", 0.0) + state_t + market_t
    w.signals["marketed_share"] = sold_total / last if last else 0.0
    w.signals["sold_since_harvest"] = sold_total

    army_need = w.soldiers.total() * p["grain.army_ration"] * ctx.dt
    pool = state_t + market_t
    to_army = min(army_need, state_t) if requisition else min(army_need, 0.5 * pool)
    to_towns = (pool - to_army) * w.transport
    need = urban_persons(w) * p["grain.urban_ration"] * ctx.dt
    stock = w.signals.get("urban_stock", 0.0) + to_towns
    eaten = min(need, stock / p["grain.urban_drawdown"]) if need > 0 else 0.0
    # the towns cannot hold more than a season's need (spoilage, the army's reserve)
    w.signals["urban_stock"] = min(stock - eaten, need * 13.0)
    ratio = eaten / need if need > 0 else 1.0
    food = w.signals["food"] + (ratio - w.signals["food"]) / p["grain.food_memory"]
    w.signals["food"] = float(np.clip(food, 0.0, 1.0))
    distance = np.array([p[f"grain.distance_{c}"] for c in CITIES])
    w.signals["food_city"] = np.clip(w.signals["food"], 1e-3, 1.0) ** distance

    decide(
        w, ctx, "requisitioning",
        w.decided("insurrection") and w.signals["food"] < p["requisition.food_trigger"],
        "Food dictatorship: requisition squads sent for the peasants' surplus",
        food_ratio=round(w.signals["food"], 4),
    )  # fmt: skip


def _in_tax_season(ctx: Context) -> bool:
    return ctx.date.month in (9, 10, 11, 12)
