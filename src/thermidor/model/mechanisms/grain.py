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
from thermidor.engine import backend as _backend
from thermidor.engine.accel import kernels
from thermidor.engine.accel.kernels import prange
from thermidor.model.decisions import decide
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
    reach_r = 1.0 - w.signals["cut_off"]
    goods = float(np.clip(w.signals["goods"], 0.0, 1.2))
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
            drive = w.signals.get("industrial_drive")
            ramp = 0.0 if drive is None else min(1.0, (ctx.step - drive) * ctx.dt)
            ramp *= 1.0 - p["policy.peasant_concessions"]
            goods = goods * (1.0 - p["turn.goods_famine"] * ramp)
            price = 1.0 - p["turn.price_cut"] * ramp
            terms = (
                price * (1.0 + p["policy.peasant_concessions"]) / max(w.signals["scissors"], 0.2)
            )
            sell = p["grain.market_sales"] * min(1.0, terms * goods) ** p["grain.price_elasticity"]
    week = _week_numpy if _backend.current() == "numpy" else _week
    taken_r, sold_r, short_r = week(
        hh["region"], hh["harvest"], hh["sown"], hh["stock"], hh["taken"], hh["wealth"],
        hh["weight"], normal_harvest(w, p), pph, reach_r,
        np.float32(KULAK_ABOVE * float(w.signals.get("median_wealth", 1.0))),
        np.array([
            p["peasants.ration"], p["peasants.seed"], p["grain.kulak_bias"], rate, ctx.dt,
            sell, p["nep.tax_share"], 2.0 * p["policy.planned_industry"], HUNGER_BELOW,
        ]),
        squads, tax,
    )  # fmt: skip
    w.signals["rural_hungry"] = short_r / np.maximum(by_region, 1.0)
    # the week's totals: regional totals in agent order (np.bincount's order), then their sum
    state_t = float(taken_r.sum())
    market_t = float(sold_r.sum())
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


def _week_numpy(
    r: np.ndarray, harvest: np.ndarray, sown: np.ndarray, stock: np.ndarray, taken_col: np.ndarray,
    wealth: np.ndarray, weight: np.ndarray, normal: np.ndarray, pph: np.ndarray,
    reach_r: np.ndarray, kulak_above: np.float32, k: np.ndarray, squads: bool, tax: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """One week's taking and selling per household (the reference; updates stock and taken).

    Returns by region: grain taken and sold (tonnes, weighted) and the households short of food
    (weight): ``np.bincount``'s sums over each block of ``kernels.CHUNK`` households, added in
    block order (one block below 65,536 households: plain ``bincount``)."""
    ration, seed, kulak_bias, rate, dt_, sell, tax_share, squeeze2, hunger = k
    subsistence = ration * pph[r] + np.float32(seed) * sown
    surplus = np.maximum(harvest - subsistence, 0.0)  # this agricultural year's
    reach = reach_r[r]
    left = stock
    kulak = wealth > kulak_above
    if squads:
        bias = np.where(kulak, kulak_bias, 1.0)
        # the squads assess the expected harvest and take into the seed and the ration
        quota = rate * bias * (surplus + 0.05 * subsistence) * reach
        taken = np.minimum(quota * dt_, left + 0.05 * subsistence * dt_)
    elif tax:
        squeeze = 1.0 + squeeze2 * kulak
        taken = np.minimum(tax_share * squeeze * harvest * reach / 16.0, left)
    else:
        taken = np.zeros(left.shape)
    sold = np.minimum(surplus * sell * reach * dt_, np.maximum(left - taken, 0.0))
    stock[:] = left - taken - sold
    taken_col[:] = taken_col + taken
    short = harvest - taken_col < hunger * normal
    n_r = pph.size
    totals = np.zeros((3, n_r))
    for lo in range(0, r.size, kernels.CHUNK):  # in blocks, as the threaded kernel adds
        b = slice(lo, lo + kernels.CHUNK)
        rb, wb, sb = r[b], weight[b], short[b]
        totals[0] += np.bincount(rb, weights=taken[b] * wb, minlength=n_r)
        totals[1] += np.bincount(rb, weights=sold[b] * wb, minlength=n_r)
        totals[2] += np.bincount(rb[sb], weights=wb[sb], minlength=n_r)
    return totals[0], totals[1], totals[2]


SPAN = 2048  # households a kernel's span holds at most (its two buffers stay in L1/L2)


@kernels.threaded
def _week(
    r, harvest, sown, stock, taken_col, wealth, weight, normal, pph, reach_r, kulak_above, k,
    squads, tax,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """``_week_numpy`` fused: the same float32/float64 operations in the same order, and no
    array the size of the households. Threads take blocks of ``kernels.CHUNK`` households; a
    block is cut into spans of one region (the households lie grouped by region) of at most
    ``SPAN``. Each span's arithmetic is one loop with the region's values fixed, which LLVM
    compiles to SIMD (``_span``); it writes each household's grain taken and sold, times its
    weight, into two small buffers, which are then added to the region's totals in household
    order: ``np.bincount``'s additions in its order. The hungry households' weights are integers,
    so they are summed as integers (exact in any order, as bincount's float64 sums of them)."""
    ration, seed32, kulak_bias, rate, dt_ = k[0], np.float32(k[1]), k[2], k[3], k[4]
    sell, tax_share, squeeze2, hunger = k[5], k[6], k[7], k[8]
    n_r = pph.size
    nb = kernels.chunks_of(r.size)
    parts = np.zeros((nb, 3 * n_r))
    for c in prange(nb):
        part = parts[c]
        lo, hi = c * kernels.CHUNK, min(r.size, (c + 1) * kernels.CHUNK)
        taken_w, sold_w = np.empty(SPAN), np.empty(SPAN)
        hungry = np.zeros(n_r, dtype=np.int64)
        s = lo
        while s < hi:
            g = r[s]
            e, end = s + 1, min(hi, s + SPAN)
            while e < end and r[e] == g:
                e += 1
            m = e - s
            hungry[g] += _span(
                harvest[s:e], sown[s:e], stock[s:e], taken_col[s:e], wealth[s:e], weight[s:e],
                normal[s:e], taken_w, sold_w, ration * pph[g], reach_r[g], seed32, kulak_above,
                kulak_bias, rate, dt_, sell, tax_share, squeeze2, hunger, squads, tax,
            )  # fmt: skip
            acc_t, acc_s = part[g], part[n_r + g]
            for i in range(m):
                acc_t += taken_w[i]
                acc_s += sold_w[i]
            part[g], part[n_r + g] = acc_t, acc_s
            s = e
        for g in range(n_r):
            part[2 * n_r + g] = np.float64(hungry[g])
    totals = np.zeros(3 * n_r)
    for c in range(nb):
        for j in range(3 * n_r):
            totals[j] += parts[c, j]
    return totals[:n_r].copy(), totals[n_r : 2 * n_r].copy(), totals[2 * n_r :].copy()


@kernels.jit
def _span(
    harvest, sown, stock, taken, wealth, weight, normal, taken_w, sold_w, eat, reach, seed32,
    kulak_above, kulak_bias, rate, dt_, sell, tax_share, squeeze2, hunger, squads, tax,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """One span of ``_week`` (one region, its columns sliced to the span): updates the stock and
    what was taken, writes grain taken and sold times the weight into ``taken_w`` and ``sold_w``,
    and returns the weight of the households short of food (an integer sum)."""
    short = 0
    for i in range(harvest.size):
        subsistence = eat + np.float64(seed32 * sown[i])
        surplus = max(np.float64(harvest[i]) - subsistence, 0.0)
        left = np.float64(stock[i])
        t = 0.0
        if squads:
            bias = kulak_bias if wealth[i] > kulak_above else 1.0
            quota = rate * bias * (surplus + 0.05 * subsistence) * reach
            t = min(quota * dt_, left + 0.05 * subsistence * dt_)
        elif tax:
            squeeze = 1.0 + squeeze2 * (1.0 if wealth[i] > kulak_above else 0.0)
            t = min(tax_share * squeeze * np.float64(harvest[i]) * reach / 16.0, left)
        sd = min(surplus * sell * reach * dt_, max(left - t, 0.0))
        stock[i] = np.float32(left - t - sd)
        tc = np.float32(np.float64(taken[i]) + t)
        taken[i] = tc
        wt = np.float64(weight[i])
        taken_w[i] = t * wt
        sold_w[i] = sd * wt
        short += weight[i] if np.float64(harvest[i] - tc) < hunger * normal[i] else 0
    return short


def _in_tax_season(ctx: Context) -> bool:
    return ctx.date.month in (9, 10, 11, 12)
