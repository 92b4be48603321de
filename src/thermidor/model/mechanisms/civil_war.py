"""M4 the civil war (§2): the old army dissolves, the Red Army is raised, fights and dies.

Conscription takes villagers and workers; volunteers, casualties and promotions to commissar and
cadre come disproportionately from the most conscious workers (§2). Peasant soldiers desert. The
militants of the Kronstadt fleet leave for the front and are replaced by peasant conscripts (§4).
When the war ends the army is cut to its peacetime strength.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, Population, bernoulli, chunks, transfer
from thermidor.model.params import Params
from thermidor.model.world import PEASANT, REGIONS, WORKER, G, World


def leading_posts(rng: np.random.Generator, p: Params, n: int, communist: bool) -> np.ndarray:
    """Who of ``n`` new officials takes a leading ("responsible") post (§5)."""
    share = p["apparatus.responsible_share"]
    if communist:
        share = min(1.0, share * p["apparatus.communist_responsible_bias"])
    return bernoulli(rng, share, n=n)


def militant_weights(c: np.ndarray, bias: float) -> np.ndarray:
    """Relative propensity of each agent, mean 1 over the agents given, rising with c."""
    x = np.power(np.clip(c, 1e-3, 1.0), bias)
    m = x.mean() if x.size else 1.0
    return x / m if m > 0 else np.ones_like(x)


def hazard(rate: float | np.ndarray, dt: float) -> np.ndarray:
    return 1.0 - np.exp(-np.asarray(rate, dtype=np.float64) * dt)


def soldiers_home(w: World, rows: dict[str, np.ndarray], cause: str) -> None:
    """Return soldiers' rows to their villages or their towns, weight exactly."""
    peasants = rows["origin"] != WORKER
    w.villagers += np.bincount(
        rows["region"][peasants], weights=rows["weight"][peasants], minlength=len(REGIONS)
    ).astype(np.int64)
    w.ledger.flow(cause, "soldiers", "villagers", int(rows["weight"][peasants].sum()))
    wk = ~peasants
    if wk.any():
        w.workers.append(
            weight=rows["weight"][wk],
            city=rows["city"][wk],
            sector=rows["sector"][wk],
            employed=False,
            consciousness=rows["consciousness"][wk],
            hereditary=rows["hereditary"][wk],
            ties=rows["ties"][wk],
            region=rows["region"][wk],
        )
        w.ledger.flow(cause, "soldiers", "workers", int(rows["weight"][wk].sum()))


def _leave(w: World, sd: Population, mask: np.ndarray, cause: str) -> None:
    if not mask.any():  # nobody leaves (most weeks after the old army is gone)
        return
    rows = sd.remove(mask)
    soldiers_home(w, rows, cause)


def army(w: World, p: Params, ctx: Context) -> None:
    rng = ctx.rng("civil_war.army")
    sd = w.soldiers
    war = w.war.civil_war
    bias = p["war.militant_bias"]

    # the old army: world-war casualties, then dissolution after October
    old = ~sd["red"] & (sd["garrison"] != G["kronstadt"])
    if w.war.world_war > 0:
        lost = sd.thin(rng, hazard(0.04 * w.war.world_war, ctx.dt), mask=old)
        w.ledger.flow("war_death", "soldiers", "outside", int(lost.sum()))
    if w.decided("insurrection"):
        go = bernoulli(rng, hazard(p["war.old_army_demobilisation"], ctx.dt), old)
        _leave(w, sd, go, "demobilisation")

    if war <= 0 and sd.total(sd["red"]) <= 1.01 * p["war.peace_army"]:
        return  # peacetime: nothing to do but keep the army
    # conscription of villagers, region by region, where the regime reaches
    reach = 1.0 - w.war.cut_off
    p_v = hazard(p["war.conscription_peasants"] * war, ctx.dt) * reach
    drafted = rng.binomial(w.villagers, p_v)
    w.villagers -= drafted
    weights, region = chunks(drafted, w.scales["soldiers"])
    sd.append(
        weight=weights, origin=PEASANT, garrison=G["front"], region=region,
        consciousness=p["consciousness.fresh_worker"], red=True,
    )  # fmt: skip
    w.ledger.flow("conscription", "villagers", "soldiers", int(drafted.sum()))

    # workers: volunteers and mobilised, the most conscious first
    wk = w.workers
    pw = hazard(p["war.conscription_workers"] * war, ctx.dt) * militant_weights(
        wk["consciousness"], bias
    )
    go = bernoulli(rng, pw)
    transfer(w.ledger, "conscription", wk, sd, go, origin=WORKER, garrison=G["front"], red=True)

    front = sd["red"] & (sd["garrison"] == G["front"])
    if front.any():
        # casualties fall hardest on the most conscious
        pc = np.zeros(sd.n)
        pc[front] = hazard(p["war.casualties"] * war, ctx.dt) * militant_weights(
            sd["consciousness"][front], bias * 0.5
        )
        lost = sd.thin(rng, pc)
        w.ledger.flow("war_death", "soldiers", "outside", int(lost.sum()))
        # conscious worker-soldiers become commissars and cadres: they leave the class
        # (drawn over the candidates alone: the others, at p = 0, would draw nothing)
        cand = np.flatnonzero(front & (sd["origin"] == WORKER))
        pm = hazard(p["war.commissar_rate"] * war, ctx.dt) * militant_weights(
            sd["consciousness"][cand], bias
        )
        go = np.zeros(sd.n, dtype=bool)
        go[cand[bernoulli(rng, pm, n=cand.size)]] = True
        transfer(
            w.ledger, "promotion", sd, w.officials, go,
            ex_tsarist=False, communist=True, from_workers=True,
            responsible=leading_posts(rng, p, int(go.sum()), communist=True),
        )  # fmt: skip
        # peasant soldiers desert
        front = sd["red"] & (sd["garrison"] == G["front"])
        pd = hazard(p["war.desertion"] * war, ctx.dt) * (1.0 - sd["consciousness"])
        go = bernoulli(rng, pd, front & (sd["origin"] == PEASANT))
        _leave(w, sd, go, "desertion")

    _kronstadt_rotation(w, p, ctx, rng)

    # demobilisation of the Red Army above its peacetime strength once the war is over
    red_total = sd.total(sd["red"])
    if war < 0.3 and red_total > p["war.peace_army"]:
        excess = (red_total - p["war.peace_army"]) / red_total
        pdm = hazard(p["war.red_demobilisation"], ctx.dt) * excess
        go = bernoulli(rng, pdm, sd["red"] & (sd["garrison"] == G["front"]))
        _leave(w, sd, go, "demobilisation")


def _kronstadt_rotation(w: World, p: Params, ctx: Context, rng: np.random.Generator) -> None:
    """The fleet's militants go to the front; peasant conscripts fill their places (§4)."""
    sd = w.soldiers
    war = w.war.civil_war
    kr = np.flatnonzero(sd["garrison"] == G["kronstadt"])
    if kr.size and war > 0:  # drawn over the garrison alone (the others would draw nothing)
        pk = hazard(p["war.kronstadt_rotation"] * war, ctx.dt) * militant_weights(
            sd["consciousness"][kr], p["war.militant_bias"]
        )
        sd["garrison"][kr[bernoulli(rng, pk, n=kr.size)]] = G["front"]
    deficit = p["war.kronstadt_garrison"] - sd.total(sd["garrison"] == G["kronstadt"])
    recruits = sd["red"] & (sd["garrison"] == G["front"]) & (sd["origin"] == PEASANT)
    pool = sd.total(recruits)
    if deficit > 0 and pool > 0:
        pr = min(1.0, deficit / pool)
        sd["garrison"][bernoulli(rng, pr, recruits)] = G["kronstadt"]
