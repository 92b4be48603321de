"""M8 the NEP economy (§4, §5): market, scissors, managers, unemployment, differentiation.

Under the NEP industry works on commercial account: the trusts raise their markup until the
regime, faced with the scissors, imposes price cuts; managers drawn from the workers give way to
specialists under one-man management (§5); villagers come to the towns faster than jobs open, so
unemployment becomes endemic (§5); the market lets richer households grow faster (kulak
differentiation, modelling). A crisis index (scissors and unemployment) feeds the Left (§7).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, Population, bernoulli, chunks, normal, twin
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.peasants import strata_weights
from thermidor.model.params import Params
from thermidor.model.world import CITIES, World


def market(w: World, p: Params, ctx: Context) -> None:
    nep = w.decided("new_economic_policy")
    agri = float(w.peasants.harvest_ratio)
    out = w.industry.industrial_output
    ind = max(0.2 if out is None else float(out), 0.05)
    markup = float(w.nep.markup)
    if nep:
        years = (ctx.step - w.decisions["new_economic_policy"]) * ctx.dt
        pressure = 1.0 if years >= p["managers.khozraschet_years"] else 0.0
        w.nep.khozraschet = pressure
        if not w.decided("price_cuts"):
            markup += ctx.dt * p["nep.markup_growth"] * pressure
    if nep:  # relative prices follow the balance of supply, with a lag
        target = (agri / ind) ** 0.7 * markup
        scissors = float(w.nep.scissors)
        scissors += ctx.dt * p["nep.price_adjustment"] * (target - scissors)
    else:
        scissors = 1.0
    w.nep.scissors = scissors
    if nep and decide(
        w,
        ctx,
        "price_cuts",
        scissors >= p["nep.scissors_tolerance"],
        "The scissors crisis: the regime forces the trusts to cut prices",
        scissors=round(scissors, 4),
    ):
        markup = 1.0
    w.nep.markup = markup
    unemployed = w.workers.share(~w.workers["employed"]) if w.workers.n else 0.0
    hunger = max(0.0, 1.0 - float(w.food.supply))
    w.nep.crisis = max(0.0, scissors - 1.0) / 2.0 + unemployed + hunger
    marketed = float(w.food.marketed_share)
    w.nep.nep_market = (marketed * 4.0 + _kulak_share(w) * 5.0) / 2.0 if nep else 0.0


def _kulak_share(w: World) -> float:
    """The share of households that are kulaks (wealth above ``KULAK_ABOVE`` x the median), from
    the strata's exact integer weights: one pass, no mask the size of the households."""
    hh = w.households
    if not hh.n:
        return 0.0
    by = strata_weights(hh["wealth"], hh["weight"], float(w.peasants.median_wealth))
    total = by.sum()
    return float(by[2] / total) if total > 0 else float("nan")


def managers(w: World, p: Params, ctx: Context) -> None:
    """Managers from the workers give way to specialists under commercial accounting (§5)."""
    share = float(w.nep.managers_from_workers)
    pressure = float(w.nep.khozraschet)
    if pressure > 0:
        turnover = float(hazard(p["managers.turnover"] * pressure, ctx.dt))
        share = share * (1.0 - turnover) + turnover * p["managers.from_workers_hiring"]
    w.nep.managers_from_workers = share


def migration(w: World, p: Params, ctx: Context) -> None:
    """Villagers seek work in the towns under the NEP; most find none at first (§5)."""
    if not w.decided("new_economic_policy"):
        return
    rng = ctx.rng("nep.migration")
    food = float(np.clip(w.food.supply, 0.0, 1.0))
    movers = rng.binomial(w.villagers, hazard(p["nep.migration"] * food, ctx.dt))
    if movers.sum() == 0:
        return
    weights, region = chunks(movers, w.scales["workers"])
    w.villagers -= movers
    city = rng.choice(len(CITIES), size=weights.size, p=w.base["city_share"])
    sector = rng.choice(
        len(w.base["value_share"]),
        size=weights.size,
        p=w.base["workers_by_sector"] / w.base["workers_by_sector"].sum(),
    )
    w.workers.append(
        weight=weights,
        region=region,
        city=city,
        sector=sector,
        employed=False,
        consciousness=p["consciousness.fresh_worker"],
        hereditary=False,
        ties=True,
    )
    w.ledger.flow("migration_to_towns", "villagers", "workers", int(movers.sum()))
    # unemployed newcomers with ties drift back to the land
    wk = w.workers
    back = bernoulli(rng, hazard(p["nep.unemployed_return"], ctx.dt), ~wk["employed"] & wk["ties"])
    rows = wk.remove(back)
    w.villagers += np.bincount(
        rows["region"], weights=rows["weight"], minlength=w.villagers.size
    ).astype(np.int64)
    w.ledger.flow("return_to_village", "workers", "villagers", int(rows["weight"].sum()))


MAX_ADVANTAGE = 5.0
"""The log of wealth (1917 median = 1) beyond which richer households grow no faster."""


def differentiation(w: World, p: Params, ctx: Context) -> None:
    """Under the market richer households grow faster (kulak differentiation, modelling)."""
    if not w.decided("new_economic_policy") or w.decided("forced_collectivisation"):
        return
    grow(w.households, ctx.rng("nep.differentiation"), float(p["nep.differentiation"]), ctx.dt)


@twin("nep.grow")
def grow(hh: Population, rng: np.random.Generator, d: float, dt_: float) -> None:
    """A year's growth of each household's wealth is 3%, plus ``d`` times the log of its wealth
    (the richer grow faster), plus luck (a normal of sd 5%); ``dt_`` of it this step."""
    wealth = hh["wealth"].astype(np.float64)
    # the advantage compounds up to e^5 (about 150 times the 1917 median; the baseline's
    # richest household stays below e^4.1): without a bound, wealth grows as exp(exp(d t)) and
    # overflows within the NEP years once ``nep.differentiation`` passes about 0.6 a year
    rel = np.minimum(np.log(np.maximum(wealth, 1e-3)), MAX_ADVANTAGE)
    growth = 0.03 + d * rel + 0.05 * normal(rng, hh.n)
    hh["wealth"] = np.maximum(wealth * (1.0 + dt_ * growth), 0.02)
