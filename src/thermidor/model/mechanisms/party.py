"""M9 recruitment and dilution of the party (§5).

The party grows for three reasons with three kinds of recruit: the militancy of 1917 (conscious
workers and soldiers, firm convictions), the state's need to staff every Soviet-run area and the
army, and the careerism of those who see who is winning (weak convictions). Communists die at the
front more than others; weakly convinced members lapse under hardship; the purges (record: their
dates) remove the least convinced. Old Bolsheviks are those who joined before February 1917.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, bernoulli, chunks
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.params import Params
from thermidor.model.tree import cells_for
from thermidor.model.world import ROLES, World

ROLE = {name: i for i, name in enumerate(ROLES)}
OLD_BOLSHEVIK_BEFORE = 1917.15  # joined before the February revolution (8 March 1917 NS)


def beta(rng: np.random.Generator, mean: float, sd: float, n: int) -> np.ndarray:
    """Convictions in (0, 1) with the given mean and spread (no mass piled at 0 or 1)."""
    k = mean * (1.0 - mean) / (sd * sd) - 1.0
    return rng.beta(mean * k, (1.0 - mean) * k, size=n)


def _recruit(
    w: World,
    ctx: Context,
    rng: np.random.Generator,
    n: int,
    origin_p: np.ndarray,
    role: int,
    conviction: tuple[float, float],
    cause: str,
) -> None:
    if n <= 0:
        return
    weights, _ = chunks(np.array([n]), w.scales["members"])
    m = weights.size
    mem = w.members
    cell, province = cells_for(rng, m)
    mem.append(
        weight=weights,
        cell=cell,
        province=province,
        joined=ctx.calendar.year_fraction(ctx.step),
        origin=rng.choice(3, size=m, p=origin_p),
        role=role,
        conviction=beta(rng, conviction[0], conviction[1], m),
    )
    w.ledger.flow(cause, "outside", "members", int(weights.sum()))


def recruitment(w: World, p: Params, ctx: Context) -> None:
    rng = ctx.rng("party.recruitment")
    mem = w.members
    members = mem.total()
    theta = p["soviets.bolshevik_threshold"]
    wk, sd = w.workers, w.soldiers
    conscious = wk.total(wk["consciousness"] > theta) + sd.total(sd["consciousness"] > theta)
    grievance = float(w.inputs.grievance[ctx.step])

    militant = p["party.militant_recruitment"] * grievance * max(0.0, conscious - members)
    n = rng.poisson(militant * ctx.dt)
    _recruit(
        w,
        ctx,
        rng,
        n,
        np.array([0.6, 0.35, 0.05]),
        ROLE["worker"],
        (0.8, 0.1),
        "recruitment_militant",
    )

    if w.decided("insurrection"):
        staff = sd.total(sd["red"]) + w.officials.total()
        short = max(0.0, 0.1 * staff - members)
        n = rng.poisson(p["party.need_recruitment"] * short * ctx.dt)
        _recruit(
            w,
            ctx,
            rng,
            n,
            np.array([0.35, 0.45, 0.2]),
            ROLE["official"],
            (0.55, 0.15),
            "recruitment_need",
        )
        winning = max(0.0, 1.0 - w.war.white_threat - w.war.civil_war * 0.5)
        pool = wk.total() + w.officials.total() + sd.total() + int(w.townsfolk.sum())
        n = rng.poisson(p["party.careerist_recruitment"] * winning * pool * ctx.dt)
        _recruit(
            w,
            ctx,
            rng,
            n,
            np.array([0.2, 0.3, 0.5]),
            ROLE["official"],
            (0.25, 0.12),
            "recruitment_careerist",
        )

    levy = w.inputs.levy.get(ctx.step)
    if levy:
        # the Lenin levy (record): workers recruited en masse, to be led rather than to lead
        _recruit(
            w,
            ctx,
            rng,
            int(levy),
            np.array([0.9, 0.05, 0.05]),
            ROLE["worker"],
            (0.35, 0.12),
            "recruitment_levy",
        )
        ctx.emit("levy", f"Recruitment levy: {int(levy):,} workers join the party", recruits=levy)

    purge = w.inputs.purge.get(ctx.step)
    if purge is not None:
        share = p[f"party.{purge}"]
        x = (1.0 - mem["conviction"]) ** 2
        pp = np.clip(share * x / max(float(np.average(x, weights=mem["weight"])), 1e-9), 0, 1)
        lost = mem.thin(rng, pp)
        w.ledger.flow("purge", "members", "outside", int(lost.sum()))
        ctx.emit(
            "purge",
            f"Party purge: {int(lost.sum()):,} members removed",
            removed=int(lost.sum()),
            share=round(float(lost.sum()) / max(members, 1), 4),
        )
    mem.compact()


def membership(w: World, p: Params, ctx: Context) -> None:
    """Monthly: members' posts, deaths at the front, lapses, and the apparatus's norms (§5)."""
    rng = ctx.rng("party.membership")
    mem = w.members
    # communists go to the front and die there; the weakly convinced lapse
    war = w.war.civil_war
    if war > 0:
        go = bernoulli(rng, hazard(0.5 * war, ctx.dt), mem["role"] == ROLE["worker"])
        mem["role"][go] = ROLE["soldier"]
        pdie = np.zeros(len(ROLES))  # by role: only the soldiers die at the front
        pdie[ROLE["soldier"]] = hazard(
            p["war.casualties"] * p["party.front_mortality"] * war, ctx.dt
        )
        lost = mem.thin(rng, pdie, by="role")
        w.ledger.flow("war_death", "members", "outside", int(lost.sum()))
    hardship = max(0.0, 1.0 - w.food.supply)
    # the weakly convinced only (the others have p = 0: they draw nothing, as outside a mask)
    plapse = hazard(p["party.lapse_rate"] * hardship, ctx.dt)
    lost = mem.thin(rng, plapse, mask=mem["conviction"] < 0.5)
    w.ledger.flow("lapse", "members", "outside", int(lost.sum()))

    # members are drawn into the apparatus as it staffs the state (§5)
    if w.decided("insurrection"):
        pull = hazard(0.15, ctx.dt)
        go = bernoulli(rng, pull, mem["role"] == ROLE["worker"])
        mem["role"][go] = ROLE["functionary"]
        # communists in the apparatus take on the old officials' norms ("who is leading whom")
        off = w.officials
        ex = off.share(off["ex_tsarist"]) if off.n else 0.0
        posted = (mem["role"] == ROLE["official"]) | (mem["role"] == ROLE["functionary"])
        drift = p["apparatus.norm_drift"] * ex * ctx.dt
        conviction = mem["conviction"]  # in place, in float32 (a Python float's NEP 50 dtype)
        np.multiply(conviction, np.float32(1.0 - drift), out=conviction, where=posted)

    mem.compact()
