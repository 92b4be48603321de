"""M16 the grain strike and the turn of 1928 (§7, §9).

Peasants hold back their grain when the terms of trade are bad and their stocks allow; when the
state's procurements fall well below the year before, that is a grain strike. A consolidated
bureaucracy answers by subordinating the last part of society outside its control: planned
industrialisation and forced collectivisation against every stratum of the peasantry, the Left's
first plank carried out against its intentions. Expelled oppositionists then make their peace
(mechanisms/capitulation.py), and the Right splits from the Centre (mechanisms/right.py).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.params import Params
from thermidor.model.world import World

WINDOW = 8  # weeks over which procurements are compared with the year before


def grain_strike(w: World, p: Params, ctx: Context) -> None:
    history = w.turn.procurement_history
    history.append(float(w.food.procured_this_week))
    nep = w.decisions.get("new_economic_policy")
    if nep is None or ctx.step - nep < 2 * 52:  # compare market years only
        decide(w, ctx, "grain_strike", False, "Grain strike (forced)")  # a forced date still acts
        return
    now = sum(history[-WINDOW:])
    before = sum(history[-52 - WINDOW : -52])
    if before <= 0 or ctx.date.month not in (10, 11, 12, 1, 2):
        return
    ratio = now / before
    w.turn.procurement_ratio = ratio
    falling = ratio < p["grain.strike_ratio"]
    if "grain_strike" in w.decisions or not (falling or w.forced.get("grain_strike") == ctx.step):
        return  # nothing to decide: the households' stocks (a pass over them all) are not needed
    hh = w.households
    stocks = float(np.average(hh["stock"], weights=hh["weight"])) if hh.n else 0.0
    decide(w, ctx, "grain_strike", falling and stocks > 0.05,
           "Grain strike: the peasants refuse to sell at the state's prices",
           procurement_ratio=round(ratio, 4), stocks_t_per_household=round(stocks, 4),
           scissors=round(float(w.nep.scissors), 4))  # fmt: skip


def the_turn(w: World, p: Params, ctx: Context) -> None:
    consolidated = "bureaucracy_consolidated" in w.decisions
    struck = w.decided("grain_strike")
    ready = consolidated and struck
    if ready and not w.decided("forced_collectivisation"):
        u = float(ctx.rng("turn.readiness").random())
        ready = bool(u < hazard(4.0 * p["turn.readiness"], ctx.dt))
    decide(
        w, ctx, "forced_collectivisation",
        ready,
        "The turn: planned industrialisation and forced collectivisation of all the peasantry",
        consolidated=consolidated, grain_strike=struck,
    )  # fmt: skip
    if w.decided("forced_collectivisation"):
        hh = w.households
        lose = hazard(p["turn.collectivisation"], ctx.dt)
        hh["wealth"] = hh["wealth"] * (1.0 - lose)
        hh["support"] = hh["support"] - 0.5 * lose
