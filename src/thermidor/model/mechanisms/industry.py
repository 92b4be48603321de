"""M5 industry by sector (§2, §5): output is limited by labour and by inputs.

Each sector draws its fuel and raw materials from regions (record: Donbas coal, Baku oil, Ukrainian
and Ural ore, Turkestan cotton). Territory cut off by the fronts gives nothing; fighting destroys
mines, furnaces and mills, which are restored slowly; the railways wear out in the war. A sector
produces what the scarcer of its labour and its inputs allows (a Leontief form of MODEL.md's
capacity x labour x inputs x productivity): hunger and the loss of skilled, hereditary workers cut
what labour can do (§2). Under war communism idle workers stay on the books; under a market the
factories lay off those they cannot use, and they refill with peasants when jobs outnumber
workers (§5).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, Population, bernoulli, chunks, twin
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.inner_party import platform
from thermidor.model.params import Params
from thermidor.model.world import CITIES, SECTORS, World

N_S = len(SECTORS)
FUEL = SECTORS.index("fuel")
PIG_IRON = SECTORS.index("pig_iron")


def sector_inputs(w: World, p: Params) -> np.ndarray:
    """Inputs reaching each sector relative to 1917, shape ``(n_sectors,)``."""
    reach = (1.0 - w.war.cut_off) * w.regional_capacity
    raw = w.base["supply"] @ reach * w.transport
    rel = raw / w.base["inputs_1917"]
    fuel = rel[FUEL]
    elasticity = np.full(N_S, p["industry.fuel_elasticity"])
    elasticity[FUEL] = 0.0
    elasticity[PIG_IRON] = p["industry.coke_elasticity"]
    out = rel * np.minimum(fuel, 1.0) ** elasticity
    aid = 1.0 + p["world.aid"] * min(1.0, float(w.abroad.revolutions))
    return np.asarray(out * aid)


def capacity(w: World, p: Params, ctx: Context) -> None:
    """Destruction in war zones, restoration in peace; the railways."""
    zone = w.war.war_zone
    cap = w.regional_capacity
    planned = 1.0 if w.decided("forced_collectivisation") else 0.0
    if ctx.date.year >= 1923:  # the Left's platform (M11) or the scenario's planned industry
        planned = max(planned, platform(w, p))
    peace = max(0.0, 1.0 - 2.0 * float(w.war.civil_war))
    restore = p["industry.restoration"] * peace * (1.0 + 2.0 * planned)
    w.regional_capacity = np.clip(
        cap + ctx.dt * (
            -p["industry.war_damage"] * zone * cap
            + restore * (1.0 - zone) * (1.0 + 0.5 * planned - cap)
        ),
        0.0, 1.5,
    )  # fmt: skip
    war = w.war.civil_war + 0.5 * w.war.world_war
    if war < 0.2:  # output per worker recovers from the war's disruption in peace
        prod = float(w.industry.productivity)
        w.industry.productivity = prod + ctx.dt * p["industry.productivity_recovery"] * (1.0 - prod)
    t = w.transport
    w.transport = float(
        np.clip(
            t + ctx.dt * (
                -p["industry.transport_decay"] * war * t
                + p["industry.transport_recovery"] * max(0.0, 1.0 - war) * (1.0 - t)
            ),
            0.05, 1.0,
        )
    )  # fmt: skip


@twin("industry.by_sector")
def by_sector(wk: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The workers' weight by sector (float64): all of them, the hereditary, the employed."""
    return (
        wk.sum_by("sector", N_S),
        wk.sum_by("sector", N_S, values=wk["hereditary"]),
        wk.sum_by("sector", N_S, mask=wk["employed"]),
    )


def labour_capacity(
    w: World, p: Params, counts: tuple[np.ndarray, ...] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Output per employed worker (against prewar per 1913 worker) and the inputs' ceiling
    (``counts``: ``by_sector``'s, if known)."""
    everyone, hereditary, _ = by_sector(w.workers) if counts is None else counts
    hered = hereditary / np.maximum(everyone, 1.0)
    base = w.base["hereditary_by_sector"]  # zero only at absurdly coarse scales
    skill = np.clip(np.where(base > 0, hered / np.maximum(base, 1e-9), 1.0), 0.05, 1.5)
    food = float(np.clip(w.food.supply, 0.05, 1.2))
    per_worker = (
        float(w.industry.productivity)
        * (food / w.base["food_1917"]) ** p["industry.food_elasticity"]
        * skill ** p["industry.skill_elasticity"]
    )
    ceiling = w.industry.inputs * w.base["output_1917"]
    return per_worker, ceiling


def labour(w: World, p: Params, ctx: Context) -> None:
    """Jobs are the workers the inputs can use; lay off the rest (not under war communism)."""
    rng = ctx.rng("industry.labour")
    wk = w.workers
    w.industry.inputs = sector_inputs(w, p)
    counts = by_sector(wk)
    everyone, _, employed = counts
    per_worker, ceiling = labour_capacity(w, p, counts)
    jobs = ceiling / per_worker * w.base["workers_1913_by_sector"]
    sec = wk["sector"]
    war_communism = w.decided("requisitioning") and not w.decided("new_economic_policy")
    if not war_communism:
        excess = np.clip((employed - jobs) / np.maximum(employed, 1.0), 0.0, 1.0)
        p_off = hazard(p["industry.layoff_rate"], ctx.dt) * excess  # by sector
        off = bernoulli(rng, p_off, wk["employed"], by=sec)
    else:
        off = np.zeros(wk.n, dtype=bool)
    free = np.clip((jobs - employed) / np.maximum(everyone - employed, 1.0), 0.0, 1.0)
    if war_communism:
        free[:] = 1.0  # labour is mobilised, not dismissed
    p_on = hazard(p["industry.hiring_rate"] * 4, ctx.dt) * free  # by sector
    on = bernoulli(rng, p_on, ~wk["employed"], by=sec)
    wk["employed"] = (wk["employed"] & ~off) | on
    # peasants fill jobs that nobody in the towns can take
    short = np.maximum(jobs - everyone, 0.0)
    food = float(np.clip(w.food.supply, 0.0, 1.0))
    newcomers = rng.poisson(short * hazard(p["industry.hiring_rate"], ctx.dt) * food)
    newcomers = np.minimum(newcomers, int(w.villagers.sum() * 0.001)).astype(np.int64)
    if newcomers.sum() > 0:
        weights, sector = _chunks_by_sector(newcomers, w.scales["workers"])
        city = rng.choice(len(CITIES), size=weights.size, p=w.base["city_share"])
        region = rng.choice(w.villagers.size, size=weights.size, p=w.villagers / w.villagers.sum())
        moved = np.bincount(region, weights=weights, minlength=w.villagers.size).astype(np.int64)
        moved = np.minimum(moved, w.villagers)
        # keep exactness: weights per region must match what villages give
        weights = _rebalance(weights, region, moved)
        keep = weights > 0
        w.villagers -= moved
        wk.append(
            weight=weights[keep], sector=sector[keep], city=city[keep], employed=True,
            consciousness=p["consciousness.fresh_worker"], hereditary=False, ties=True,
            region=region[keep],
        )  # fmt: skip
        w.ledger.flow("hired_from_village", "villagers", "workers", int(moved.sum()))


def _chunks_by_sector(counts: np.ndarray, scale: int) -> tuple[np.ndarray, np.ndarray]:
    weights, sector = chunks(counts, scale)
    return weights, sector.astype(np.int8)


def _rebalance(weights: np.ndarray, region: np.ndarray, moved: np.ndarray) -> np.ndarray:
    """Cut weights so that each region gives exactly ``moved`` persons (when villages run short)."""
    out = weights.copy()
    for r in np.flatnonzero(np.bincount(region, weights=weights, minlength=moved.size) > moved):
        idx = np.flatnonzero(region == r)
        budget = int(moved[r])
        cum = np.cumsum(out[idx])
        out[idx] = np.clip(budget - (cum - out[idx]), 0, out[idx])
    return out


def output(w: World, p: Params, ctx: Context) -> None:
    """Sector output relative to prewar, and the goods the towns can offer the villages."""
    wk = w.workers
    counts = by_sector(wk)
    employed = counts[2]
    per_worker, ceiling = labour_capacity(w, p, counts)
    out = np.minimum(employed / w.base["workers_1913_by_sector"] * per_worker, ceiling)
    w.industry.sector_output = out
    total = float(w.base["value_share"] @ out)
    w.industry.industrial_output = total
    w.industry.goods = total / w.base["output_1917"]
