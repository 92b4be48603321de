"""M4 hunger and the towns (§2): who leaves the starving towns, who dies, who is born.

Workers with village ties go back to the land when the towns starve; other townsfolk flee too;
hunger and typhus kill. In the villages people are born and die, and households partition.
Every change is a named flow in the ledger.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, bernoulli, gain
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.params import Params
from thermidor.model.world import REGIONS, World


def _to_villages(w: World, rng: np.random.Generator, n: int) -> np.ndarray:
    """Spread ``n`` persons over the regions in proportion to their villagers."""
    share = w.villagers / max(int(w.villagers.sum()), 1)
    return rng.multinomial(n, share).astype(np.int64)


def towns(w: World, p: Params, ctx: Context) -> None:
    rng = ctx.rng("demography.towns")
    deficit = 1.0 - w.food.by_city  # by city
    wk = w.workers

    # back to the land: workers with village ties
    pr = hazard(p["hunger.return_rate"] * deficit, ctx.dt)  # by city
    go = bernoulli(rng, pr, wk["ties"], by=wk["city"])
    rows = wk.remove(go)
    w.villagers += np.bincount(
        rows["region"], weights=rows["weight"], minlength=len(REGIONS)
    ).astype(np.int64)
    w.ledger.flow("return_to_village", "workers", "villagers", int(rows["weight"].sum()))

    # other townsfolk flee
    fled = rng.binomial(w.townsfolk, hazard(p["hunger.flight_rate"] * deficit, ctx.dt))
    w.townsfolk -= fled
    w.villagers += _to_villages(w, rng, int(fled.sum()))
    w.ledger.flow("flight_from_hunger", "townsfolk", "villagers", int(fled.sum()))

    # deaths in the towns
    pdie = hazard(p["hunger.urban_mortality"] + p["hunger.famine_mortality"] * deficit, ctx.dt)
    lost = wk.thin(rng, pdie, by="city")
    w.ledger.flow("death", "workers", "outside", int(lost.sum()))
    lost_o = w.officials.thin(rng, pdie, by="city")
    w.ledger.flow("death", "officials", "outside", int(lost_o.sum()))
    died = rng.binomial(w.townsfolk, pdie)
    w.townsfolk -= died
    w.ledger.flow("death", "townsfolk", "outside", int(died.sum()))
    born = rng.binomial(w.townsfolk, hazard(p["hunger.urban_mortality"], ctx.dt))
    w.townsfolk += born
    w.ledger.flow("birth", "outside", "townsfolk", int(born.sum()))
    wk.compact()
    w.officials.compact()
    w.soldiers.compact()


def villages(w: World, p: Params, ctx: Context) -> None:
    rng = ctx.rng("demography.villages")
    hungry = w.food.rural_hungry
    born = rng.binomial(w.villagers, hazard(p["hunger.rural_births"], ctx.dt))
    pd = hazard(p["hunger.rural_deaths"] + p["hunger.famine_mortality"] * hungry, ctx.dt)
    died = rng.binomial(w.villagers + born, pd)
    w.villagers += born - died
    w.ledger.flow("birth", "outside", "villagers", int(born.sum()))
    w.ledger.flow("death", "villagers", "outside", int(died.sum()))
    hh = w.households  # households partition (this mechanism runs monthly), in place
    new = gain(rng, hh["weight"], hazard(p["hunger.partition"], ctx.dt))
    hh.touched("weight")  # written in place: the caches on the weights recompute
    w.ledger.flow("partition", "outside", "households", int(new.sum()))
