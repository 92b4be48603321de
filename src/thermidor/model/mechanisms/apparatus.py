"""M10 the state apparatus (§5), as far as 1921: it grows with its tasks.

War communism (requisitions, rationing, the army's supply) multiplies the apparatus's staff. Its
posts are filled from the old Tsarist officials and the old middle classes of the towns, and a
share from the workers, the most militant first (§2, §5), who thereby leave the class.
"""

from __future__ import annotations

from thermidor.engine import Context, bernoulli, chunks, transfer
from thermidor.model.mechanisms.civil_war import hazard, leading_posts, militant_weights
from thermidor.model.params import Params
from thermidor.model.world import World


def growth(w: World, p: Params, ctx: Context) -> None:
    if not w.decided("insurrection"):
        return
    rng = ctx.rng("apparatus.growth")
    if w.decided("new_economic_policy") and not w.decided("forced_collectivisation"):
        target = w.base["officials"] * (1.0 + p["apparatus.nep_size"])
    else:
        war_communism = (0.5 + 0.5 * w.war.civil_war) if w.decided("requisitioning") else 0.25
        target = w.base["officials"] * (1.0 + p["apparatus.war_growth"] * war_communism)
    short = target - w.officials.total()
    if short <= 0:
        return
    n = short * hazard(p["apparatus.hiring_rate"], ctx.dt)
    wk = w.workers
    from_workers = n * p["apparatus.workers_share"]
    if wk.total() > 0 and from_workers > 0:
        pw = (
            from_workers
            / wk.total()
            * militant_weights(wk["consciousness"], p["war.militant_bias"])
        )
        go = bernoulli(rng, pw)
        transfer(
            w.ledger,
            "lifted_into_apparatus",
            wk,
            w.officials,
            go,
            ex_tsarist=False,
            communist=True,
            from_workers=True,
            responsible=leading_posts(rng, p, int(go.sum()), communist=True),
        )
    others = rng.binomial(
        w.townsfolk,
        min(1.0, n * (1 - p["apparatus.workers_share"]) / max(int(w.townsfolk.sum()), 1)),
    )
    w.townsfolk -= others
    weights, city = chunks(others, w.scales["officials"])
    w.officials.append(
        weight=weights,
        city=city,
        ex_tsarist=bernoulli(rng, 0.5, n=weights.size),
        responsible=leading_posts(rng, p, weights.size, communist=False),
    )
    w.ledger.flow("hired_into_apparatus", "townsfolk", "officials", int(others.sum()))
