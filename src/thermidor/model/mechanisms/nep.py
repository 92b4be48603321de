"""M8 the NEP economy (§4, §5): market, scissors, managers, unemployment, differentiation.

Under the NEP industry works on commercial account: the trusts raise their markup until the
regime, faced with the scissors, imposes price cuts; managers drawn from the workers give way to
specialists under one-man management (§5); villagers come to the towns faster than jobs open, so
unemployment becomes endemic (§5); the market lets richer households grow faster (kulak
differentiation, modelling). A crisis index (scissors and unemployment) feeds the Left (§7).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, chunks
from thermidor.engine import backend as _backend
from thermidor.engine.accel import counter, kernels
from thermidor.engine.accel.draws import key
from thermidor.engine.accel.kernels import prange
from thermidor.engine.draws import bernoulli, normal
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.peasants import strata_weights
from thermidor.model.params import Params
from thermidor.model.world import CITIES, World


def market(w: World, p: Params, ctx: Context) -> None:
    nep = w.decided("new_economic_policy")
    agri = float(w.signals.get("harvest_ratio", 0.8))
    ind = max(float(w.signals.get("industrial_output", 0.2)), 0.05)
    markup = float(w.signals["markup"])
    if nep:
        years = (ctx.step - w.decisions["new_economic_policy"]) * ctx.dt
        pressure = 1.0 if years >= p["managers.khozraschet_years"] else 0.0
        w.signals["khozraschet"] = pressure
        if not w.decided("price_cuts"):
            markup += ctx.dt * p["nep.markup_growth"] * pressure
    if nep:  # relative prices follow the balance of supply, with a lag
        target = (agri / ind) ** 0.7 * markup
        scissors = float(w.signals["scissors"])
        scissors += ctx.dt * p["nep.price_adjustment"] * (target - scissors)
    else:
        scissors = 1.0
    w.signals["scissors"] = scissors
    if nep and decide(
        w,
        ctx,
        "price_cuts",
        scissors >= p["nep.scissors_tolerance"],
        "The scissors crisis: the regime forces the trusts to cut prices",
        scissors=round(scissors, 4),
    ):
        markup = 1.0
    w.signals["markup"] = markup
    unemployed = w.workers.share(~w.workers["employed"]) if w.workers.n else 0.0
    hunger = max(0.0, 1.0 - float(w.signals["food"]))
    w.signals["crisis"] = max(0.0, scissors - 1.0) / 2.0 + unemployed + hunger
    marketed = float(w.signals.get("marketed_share", 0.0))
    w.signals["nep_market"] = (marketed * 4.0 + _kulak_share(w) * 5.0) / 2.0 if nep else 0.0


def _kulak_share(w: World) -> float:
    """The share of households that are kulaks (wealth above ``KULAK_ABOVE`` x the median), from
    the strata's exact integer weights: one pass, no mask the size of the households."""
    hh = w.households
    if not hh.n:
        return 0.0
    by = strata_weights(hh["wealth"], hh["weight"], float(w.signals.get("median_wealth", 1.0)))
    total = by.sum()
    return float(by[2] / total) if total > 0 else float("nan")


def managers(w: World, p: Params, ctx: Context) -> None:
    """Managers from the workers give way to specialists under commercial accounting (§5)."""
    share = float(w.signals["managers_from_workers"])
    pressure = float(w.signals.get("khozraschet", 0.0))
    if pressure > 0:
        turnover = float(hazard(p["managers.turnover"] * pressure, ctx.dt))
        share = share * (1.0 - turnover) + turnover * p["managers.from_workers_hiring"]
    w.signals["managers_from_workers"] = share


def migration(w: World, p: Params, ctx: Context) -> None:
    """Villagers seek work in the towns under the NEP; most find none at first (§5)."""
    if not w.decided("new_economic_policy"):
        return
    rng = ctx.rng("nep.migration")
    food = float(np.clip(w.signals["food"], 0.0, 1.0))
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
    hh = w.households
    rng = ctx.rng("nep.differentiation")
    d, dt_ = float(p["nep.differentiation"]), float(ctx.dt)
    if _backend.current() != "numpy" and hh["wealth"].dtype == np.float32:
        # fused: numpy's log on a float64 buffer (its bits, not libm's), then one pass with the
        # luck drawn inline; the numpy branch below is the reference (the same bits)
        k = key(rng)
        buf = np.empty(hh.n)
        _floor_log_input(hh["wealth"], buf)
        np.log(buf, out=buf)
        worst = _grow(hh["wealth"], buf, d, dt_, k, counter.KI, counter.WI, counter.FI)
        if worst:
            raise OverflowError(
                f"households.wealth: {worst!r} does not fit the column's float32; a mechanism "
                "has let this attribute run away"
            )
        return
    wealth = hh["wealth"].astype(np.float64)
    # the advantage compounds up to e^5 (about 150 times the 1917 median; the baseline's
    # richest household stays below e^4.1): without a bound, wealth grows as exp(exp(d t)) and
    # overflows within the NEP years once ``nep.differentiation`` passes about 0.6 a year
    rel = np.minimum(np.log(np.maximum(wealth, 1e-3)), MAX_ADVANTAGE)
    growth = 0.03 + d * rel + 0.05 * normal(rng, hh.n)
    hh["wealth"] = np.maximum(wealth * (1.0 + dt_ * growth), 0.02)


@kernels.threaded
def _floor_log_input(wealth, out):  # type: ignore[no-untyped-def]
    for i in prange(wealth.size):
        out[i] = max(np.float64(wealth[i]), 1e-3)


@kernels.threaded
def _grow(wealth, log_w, d, dt_, k, ki, wi, fi):  # type: ignore[no-untyped-def]
    """``differentiation``'s update in one pass, draw ``i`` of stream ``k`` for household ``i``
    (so the households may be taken on threads, in blocks). Returns the largest wealth beyond
    float32's range, 0.0 if none (the caller raises)."""
    worst = np.zeros(kernels.chunks_of(wealth.size))
    for c in prange(worst.size):
        lo = c * kernels.CHUNK
        b = slice(lo, lo + kernels.CHUNK)  # indexed from 0 (docs/engine.md, Threads)
        w, lw = wealth[b], log_w[b]
        for j in range(w.size):
            r = counter.word_at(k, lo + j, 0)
            z = counter.normal_fast(r, ki, wi)
            if z != z:
                z = counter.normal_slow(k, lo + j, r, ki, wi, fi)
            growth = (0.03 + d * min(lw[j], MAX_ADVANTAGE)) + 0.05 * z
            x = max(np.float64(w[j]) * (1.0 + dt_ * growth), 0.02)
            y = np.float32(x)
            if y == np.inf:  # numpy's cast would raise: overflow
                worst[c] = max(worst[c], x)
            w[j] = y
    return worst.max() if worst.size else 0.0
