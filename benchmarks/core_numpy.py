"""The fixed core (core_spec.py) written as vectorised numpy on the engine's populations.

Populations are ``thermidor.engine.Population`` structs of typed arrays, every weight 1. The
stages' draws are counter-based (``thermidor.engine.accel.counter``): agent ``i``'s draw in a stage is a
function of (seed, stage, step, i) alone, so a fused kernel makes it in its own loop, and only
for the agents that need one. The rules are those of ``core_spec``; ``mesa_reference`` writes them
a second time with one Python object per agent (and Python's own generator).

The stages that sweep the agents run as fused numba kernels (``core_kernels``) under the numba
backend (``with thermidor.engine.using("numba")``); the numpy code here is their definition, run
under the numpy backend (the default), and the two agree to float rounding
(tests/benchmarks/test_core_kernels.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from benchmarks import core_kernels as nb
from benchmarks.core_spec import (
    AVAILABLE,
    CELL,
    DISTRICT,
    FACTIONS,
    LENINGRAD,
    NF,
    PARAMS,
    PEASANT,
    PROVINCE,
    ROOT,
    WORKER,
    CoreParams,
    Size,
    beta_ab,
    hazard,
    month_of,
    province_shares,
    scissors,
    weather,
)
from thermidor.engine import Population, Streams, current, ops
from thermidor.engine.accel import counter

_BLOCKED = ~np.array(AVAILABLE)
F32 = np.float32


@dataclass
class CoreState:
    households: Population
    workers: Population
    members: Population
    organs: Population
    jobs_base: np.ndarray  # jobs by sector at full food, shape (N_SECTORS,)
    head: int  # the Leningrad head's organ
    signals: dict[str, float] = field(default_factory=dict)

    @property
    def populations(self) -> tuple[Population, ...]:
        return (self.households, self.workers, self.members, self.organs)


def build(size: Size, seed: int, p: CoreParams = PARAMS) -> CoreState:
    """The scenario's first April: households, workers, members and the apparatus tree."""
    rng = Streams(seed).get("core.initial", 0)
    n = size.households
    hh = Population(
        "households",
        {
            "region": np.int8, "persons": np.float32, "land": np.float32,
            "wealth": np.float32, "kulak": np.bool_, "normal": np.float32,
            "sown": np.float32, "harvest": np.float32, "surplus": np.float32,
            "stock": np.float32, "taken": np.float32, "support": np.float32,
            "disposition": np.float32,
        },
        unit="households", capacity=n,
    )  # fmt: skip
    region = rng.choice(len(p.region_share), size=n, p=p.region_share)
    wealth = np.exp(rng.normal(0.0, p.wealth_sigma, n))
    mean_wealth = np.exp(0.5 * p.wealth_sigma**2)
    land = p.land_per_household * (0.5 + 0.5 * wealth) / (0.5 + 0.5 * mean_wealth)
    persons = 1.0 + rng.poisson(p.persons_extra, n)
    regional = np.asarray(p.region_yield)[region]
    normal = land * p.sown_share * p.grain_yield * regional
    # last year: sown under the same rules (a burden of last year's share taken), average weather
    sown = land * p.sown_share * _sowing_factor(p, persons, wealth, p.initial_taken)
    grain = sown * p.grain_yield * regional
    surplus = np.maximum(grain - (p.ration * persons + p.seed * sown), 0.0)
    hh.append(
        weight=np.ones(n, dtype=np.int64), region=region, persons=persons, land=land,
        wealth=wealth, kulak=wealth > p.kulak_above, normal=normal, sown=sown, harvest=grain,
        surplus=surplus, stock=p.initial_stock * surplus, taken=p.initial_taken * surplus,
        support=p.support_initial, disposition=rng.normal(0.0, p.support_dispersion, n),
    )  # fmt: skip

    m = size.workers
    wk = Population(
        "workers",
        {"city": np.int8, "sector": np.int8, "employed": np.bool_, "consciousness": np.float32},
        capacity=m,
    )
    hereditary = rng.random(m) < p.hereditary_share
    c0 = np.where(hereditary, p.consciousness_hereditary, p.consciousness_fresh)
    sector = rng.choice(len(p.sector_share), size=m, p=p.sector_share)
    wk.append(
        weight=np.ones(m, dtype=np.int64),
        city=rng.choice(len(p.city_share), size=m, p=p.city_share),
        sector=sector,
        employed=rng.random(m) < p.employed_initial,
        consciousness=np.clip(c0 + rng.normal(0.0, p.consciousness_noise, m), 0.0, 1.0),
    )
    jobs_base = p.jobs_share * np.bincount(sector, minlength=len(p.sector_share))

    org, head = _tree(size)
    k = size.members
    mem = Population(
        "members",
        {
            "conviction": np.float32, "origin": np.int8, "old": np.bool_, "apparatus": np.bool_,
            "province": np.int16, "cell": np.int32, "faction": np.int8,
        },
        capacity=k,
    )  # fmt: skip
    old = rng.random(k) < p.old_bolshevik_share
    conviction = np.where(
        old, rng.beta(*beta_ab(*p.conviction_old), k), rng.beta(*beta_ab(*p.conviction_new), k)
    )
    province = rng.choice(size.provinces, size=k, p=province_shares(p, size.provinces))
    per_province = size.districts_per_province * size.cells_per_district
    first_cell = org.n - size.provinces * per_province
    cell = first_cell + province * per_province + rng.integers(0, per_province, k)
    mem.append(
        weight=np.ones(k, dtype=np.int64), conviction=conviction,
        origin=rng.choice(len(p.origin_share), size=k, p=p.origin_share), old=old,
        apparatus=rng.random(k) < p.apparatus_share, province=province, cell=cell, faction=0,
    )  # fmt: skip

    state = CoreState(hh, wk, mem, org, jobs_base, head)
    state.signals.update(
        food=p.food_initial,
        last_harvest=float((hh["harvest"]).sum()),
        sold_since_harvest=0.0,
        kulak_share=float(hh["kulak"].mean()),
        employment_rate=float(wk["employed"].mean()),
    )
    return state


def _tree(size: Size) -> tuple[Population, int]:
    """Root -> provinces -> districts -> cells; the Leningrad head opposes from the start."""
    org = Population(
        "organs",
        {
            "level": np.int8, "parent": np.int32, "province": np.int16,
            "appointed": np.bool_, "patron": np.int32, "faction": np.int8,
        },
        unit="secretaries", capacity=size.organs,
    )  # fmt: skip
    n_p = size.provinces
    n_d = n_p * size.districts_per_province
    n_c = n_d * size.cells_per_district
    prov_d = np.repeat(np.arange(n_p), size.districts_per_province)
    prov_c = np.repeat(prov_d, size.cells_per_district)
    level = np.concatenate([[ROOT], np.full(n_p, PROVINCE), np.full(n_d, DISTRICT),
                            np.full(n_c, CELL)])  # fmt: skip
    parent = np.concatenate([
        [-1], np.zeros(n_p), 1 + prov_d,
        1 + n_p + np.repeat(np.arange(n_d), size.cells_per_district),
    ])  # fmt: skip
    org.append(
        weight=np.ones(level.size, dtype=np.int64), level=level, parent=parent,
        province=np.concatenate([[-1], np.arange(n_p), prov_d, prov_c]),
        appointed=False, patron=-1, faction=0,
    )  # fmt: skip
    head = 1 + LENINGRAD
    org["faction"][head] = FACTIONS.index("leningrad_opposition")
    return org, head


# -- (a) households --------------------------------------------------------------------------
def burden(hh: Population) -> np.ndarray:
    return np.clip(hh["taken"] / np.maximum(hh["surplus"] + 0.1 * hh["normal"], 1e-3), 0.0, 1.5)


def _sowing_factor(
    p: CoreParams, persons: np.ndarray, wealth: np.ndarray, felt: np.ndarray | float
) -> np.ndarray:
    """The share of ``land * sown_share`` sown: labour, draught and the incentive left."""
    incentive = np.clip(1.0 - p.burden_sowing_cut * np.minimum(felt, 1.0), 0.25, 1.0)
    labour = np.minimum(persons / (1.0 + p.persons_extra), 1.0) ** p.labour_elasticity
    draught = np.clip(wealth / 0.5, 0.2, 1.0) ** 0.5
    return np.asarray(labour * incentive * draught)


def sow(s: CoreState, p: CoreParams) -> None:
    hh = s.households
    if current() != "numpy":
        # numpy's float32 power differs from libm's in the last bit: it stays numpy's
        labour = np.minimum(hh["persons"] / (1.0 + p.persons_extra), 1.0) ** p.labour_elasticity
        nb.sow(
            hh["taken"], hh["surplus"], hh["normal"], hh["wealth"], hh["land"], labour,
            hh["sown"], F32(0.1), F32(1e-3), F32(1.5), F32(p.burden_sowing_cut),
            F32(p.sown_share), F32(1.0 + p.sown_recovery),
        )  # fmt: skip
        return
    factor = _sowing_factor(p, hh["persons"], hh["wealth"], burden(hh))
    wanted = hh["land"] * p.sown_share * factor
    hh["sown"] = np.minimum(wanted, hh["sown"] * (1.0 + p.sown_recovery))


def harvest(s: CoreState, p: CoreParams, seed: int, step: int) -> None:
    hh = s.households
    year, _ = month_of(p, step)
    sd = p.harvest_noise
    k = counter.key(seed, "core.harvest", step)
    if current() != "numpy":
        z = np.empty(hh.n)
        counter.fill_normal(k, z, counter.KI, counter.WI, counter.FI)
    else:
        z = counter.normal(k, hh.n)
    luck = np.exp(-0.5 * sd * sd + sd * z)  # numpy's exp in both: its SIMD exp is not libm's
    regional = np.asarray(p.region_yield) * np.asarray(weather(p, seed, year))
    s.signals["sold_since_harvest"] = 0.0
    if current() != "numpy":
        s.signals["last_harvest"] = nb.harvest(
            hh["sown"], hh["persons"], hh["region"], luck, regional, hh["harvest"],
            hh["surplus"], hh["stock"], hh["taken"], F32(p.grain_yield), F32(p.ration),
            F32(p.seed),
        )  # fmt: skip
        return
    grain = hh["sown"] * p.grain_yield * regional[hh["region"]] * luck
    surplus = np.maximum(grain - (p.ration * hh["persons"] + p.seed * hh["sown"]), 0.0)
    hh["harvest"] = grain
    hh["surplus"] = surplus
    hh["stock"] = surplus
    hh["taken"] = 0.0
    s.signals["last_harvest"] = float(grain.sum(dtype=np.float64))


def market(s: CoreState, p: CoreParams, step: int) -> None:
    """Requisition (kulaks pressed harder), then sales at the terms of trade."""
    hh = s.households
    terms = 1.0 / scissors(p, step)
    sell = p.market_sales * min(1.0, terms * s.signals["employment_rate"]) ** p.price_elasticity
    if current() != "numpy":
        t_sum, m_sum = nb.market(
            hh["persons"], hh["sown"], hh["surplus"], hh["kulak"], hh["stock"], hh["taken"],
            F32(p.ration), F32(p.seed), F32(0.05), p.requisition_rate * p.kulak_bias,
            p.requisition_rate * 1.0, p.dt, F32(sell), F32(p.dt),
        )  # fmt: skip
        _delivered(s, t_sum, m_sum)
        return
    subsistence = p.ration * hh["persons"] + p.seed * hh["sown"]
    bias = np.where(hh["kulak"], p.kulak_bias, 1.0)
    quota = p.requisition_rate * bias * (hh["surplus"] + 0.05 * subsistence)
    stock = hh["stock"]
    taken = np.minimum(quota * p.dt, stock)
    sold = np.minimum(hh["surplus"] * sell * p.dt, stock - taken)
    hh["stock"] = stock - taken - sold
    hh["taken"] = hh["taken"] + taken
    _delivered(s, float(taken.sum(dtype=np.float64)), float(sold.sum(dtype=np.float64)))


def _delivered(s: CoreState, t_sum: float, m_sum: float) -> None:
    s.signals["delivered"] = t_sum + m_sum
    s.signals["marketed"] = m_sum
    s.signals["sold_since_harvest"] += m_sum


def food(s: CoreState, p: CoreParams) -> None:
    need = p.urban_ration * p.urban_per_household * s.households.n * p.dt
    f = s.signals["food"]
    s.signals["food"] = min(1.0, max(0.0, f + (s.signals["delivered"] / need - f) / p.food_memory))


def support(s: CoreState, p: CoreParams) -> None:
    hh = s.households
    if current() != "numpy":
        nb.support(
            hh["harvest"], hh["taken"], hh["surplus"], hh["normal"], hh["disposition"],
            hh["support"], F32(0.1), F32(1e-3), F32(1.5), F32(p.hunger_below),
            F32(p.support_base), F32(p.support_burden), p.support_hunger,
            hazard(p.support_rate, p.dt),
        )  # fmt: skip
        return
    hungry = hh["harvest"] - hh["taken"] < p.hunger_below * hh["normal"]
    target = (
        p.support_base
        + hh["disposition"]
        - p.support_burden * burden(hh)
        - p.support_hunger * hungry
    )
    sup = hh["support"]
    hh["support"] = np.clip(sup + hazard(p.support_rate, p.dt) * (target - sup), -1.0, 1.0)


# -- (b) workers -----------------------------------------------------------------------------
def consciousness(s: CoreState, p: CoreParams) -> None:
    wk = s.workers
    if current() != "numpy":
        nb.consciousness(
            wk["consciousness"], wk["city"], wk["employed"], len(p.city_share),
            1.0 - p.contagion, 2.0 * p.contagion, F32(p.grievance_rate * p.grievance),
            max(0.0, 1.0 - s.signals["food"]), p.atomisation_rate, p.dt,
        )  # fmt: skip
        return
    c = wk["consciousness"]
    city = wk["city"]
    n_city = np.bincount(city, minlength=len(p.city_share))
    mean_city = np.bincount(city, weights=c, minlength=n_city.size) / np.maximum(n_city, 1)
    pull = (1.0 - p.contagion) + 2.0 * p.contagion * mean_city[city]
    growth = p.grievance_rate * p.grievance * (1.0 - c) * pull
    idle = ~wk["employed"]
    decay = p.atomisation_rate * (max(0.0, 1.0 - s.signals["food"]) + idle) * c
    wk["consciousness"] = np.clip(c + p.dt * (growth - decay), 0.0, 1.0)


def employment(s: CoreState, p: CoreParams, seed: int, step: int) -> None:
    """Lay off what the jobs cannot use; rehire toward the jobs."""
    wk = s.workers
    sec = wk["sector"]
    employed = wk["employed"]
    n_s = s.jobs_base.size
    jobs = s.jobs_base * min(1.0, max(0.05, s.signals["food"])) ** p.food_elasticity
    k = counter.key(seed, "core.employment", step)
    if current() != "numpy":
        working = nb.employment(
            employed, sec, k, jobs, hazard(p.layoff_rate, p.dt), hazard(4.0 * p.hiring_rate, p.dt)
        )
        s.signals["employment_rate"] = working / wk.n
        return
    u = counter.uniform(k, wk.n)
    on_books = np.bincount(sec, weights=employed, minlength=n_s)
    everyone = np.bincount(sec, minlength=n_s)
    excess = np.clip((on_books - jobs) / np.maximum(on_books, 1.0), 0.0, 1.0)
    free = np.clip((jobs - on_books) / np.maximum(everyone - on_books, 1.0), 0.0, 1.0)
    p_off = hazard(p.layoff_rate, p.dt) * excess[sec]
    p_on = hazard(4.0 * p.hiring_rate, p.dt) * free[sec]
    wk["employed"] = np.where(employed, u >= p_off, u < p_on)
    s.signals["employment_rate"] = float(wk["employed"].mean())


# -- (c) members and the apparatus -----------------------------------------------------------
def party_signals(s: CoreState, p: CoreParams, step: int) -> None:
    sig = s.signals
    org = s.organs
    if current() != "numpy":
        sig["appointed_share"] = nb.share_from(org["appointed"], org["level"], PROVINCE)
    else:
        sig["appointed_share"] = float(org["appointed"][org["level"] >= PROVINCE].mean())
    sig["crisis"] = (
        max(0.0, scissors(p, step) - 1.0) / 2.0
        + (1.0 - sig["employment_rate"])
        + max(0.0, 1.0 - sig["food"])
    )
    marketed_share = sig["sold_since_harvest"] / max(sig["last_harvest"], 1e-9)
    sig["nep_market"] = (4.0 * marketed_share + 5.0 * sig["kulak_share"]) / 2.0


def appointments(s: CoreState, p: CoreParams, seed: int, step: int) -> None:
    """Elected secretaries below the centre are replaced by appointees of the organ above."""
    org = s.organs
    control = p.control_base + (1.0 - p.control_base) * s.signals["appointed_share"]
    k = counter.key(seed, "core.appointments", step)
    p_go = hazard(p.appointment_rate * control * control, p.dt)
    if current() != "numpy":
        nb.appoint(
            org["appointed"], org["level"], org["parent"], org["patron"], org["faction"], k,
            s.head, p_go, PROVINCE,
        )  # fmt: skip
        return
    u = counter.uniform(k, org.n)
    cand = ~org["appointed"] & (org["level"] >= PROVINCE)
    cand[s.head] = False
    go = cand & (u < p_go)
    before = org["faction"].copy()
    parent = org["parent"]
    org["appointed"][go] = True
    org["patron"][go] = parent[go]
    org["faction"][go] = before[parent[go]]


def follow(s: CoreState, p: CoreParams, seed: int, step: int) -> None:
    """Appointed secretaries take their patron's line."""
    org = s.organs
    patron = org["patron"]
    k = counter.key(seed, "core.follow", step)
    if current() != "numpy":
        nb.follow(org["appointed"], patron, org["faction"], k, hazard(p.follow_rate, p.dt))
        return
    u = counter.uniform(k, org.n)
    go = org["appointed"] & (patron >= 0) & (u < hazard(p.follow_rate, p.dt))
    faction = org["faction"]
    faction[go] = faction[patron[go]]  # the right side is read whole before any write


def align(s: CoreState, p: CoreParams) -> None:
    """Each member takes the available faction of highest pull."""
    mem, sig = s.members, s.signals
    if current() != "numpy":
        nb.align(
            mem["conviction"], mem["origin"], mem["old"], mem["apparatus"], mem["province"],
            mem["cell"], s.organs["faction"], mem["faction"], p.left_appeal,
            sig["crisis"] + sig["appointed_share"], p.centre_pull, p.right_pull,
            sig["nep_market"], p.loyalty, _BLOCKED, WORKER, PEASANT, LENINGRAD,
        )  # fmt: skip
        return
    conv = mem["conviction"].astype(np.float64)
    worker = mem["origin"] == WORKER
    apparatus = mem["apparatus"]
    tradition = np.minimum(1.0, 0.6 + 0.4 * mem["old"] + 0.2 * worker)
    left = p.left_appeal * conv * tradition * (sig["crisis"] + sig["appointed_share"])
    score = np.empty((mem.n, NF))
    score[:, 0] = p.centre_pull * (0.4 + 0.6 * apparatus)
    score[:, 1] = left
    score[:, 2] = (
        p.right_pull * (0.5 * (mem["origin"] == PEASANT) + 0.5 * apparatus) * sig["nep_market"]
    )
    score[:, 3] = left * (mem["province"] == LENINGRAD)
    score[:, 4] = left * worker * ~apparatus
    secretary = s.organs["faction"][mem["cell"]]
    score[np.arange(mem.n), secretary] += p.loyalty * (1.0 - conv)
    score[:, _BLOCKED] = -np.inf
    mem["faction"] = score.argmax(axis=1)


def plurality(groups: np.ndarray, factions: np.ndarray, weight: np.ndarray, n: int) -> np.ndarray:
    """Per group, the faction with most agents, the lowest index on a tie (-1 if empty)."""
    return ops().plurality(groups, factions, weight, n, NF)


def elections(s: CoreState) -> None:
    """Elected cells follow their members, elected committees the organs beneath them."""
    org = s.organs
    level, parent, faction = org["level"], org["parent"], org["faction"]
    if current() != "numpy":
        mem = s.members
        nb.elections(
            mem["cell"], mem["faction"], mem["weight"], level, parent, org["appointed"], faction,
            org["weight"], s.head, NF, CELL,
        )  # fmt: skip
        return
    elected = ~org["appointed"]
    pick = plurality(s.members["cell"], s.members["faction"], s.members["weight"], org.n)
    sel = elected & (level == CELL) & (pick >= 0)
    faction[sel] = pick[sel]
    for lvl in (DISTRICT, PROVINCE):
        child = level == lvl + 1
        pick = plurality(parent[child], faction[child], org["weight"][child], org.n)
        sel = elected & (level == lvl) & (pick >= 0)
        sel[s.head] = False
        faction[sel] = pick[sel]


# -- the step --------------------------------------------------------------------------------
def observe(s: CoreState) -> dict[str, float]:
    hh, wk, mem = s.households, s.workers, s.members
    shares = mem.sum_by("faction", NF) / max(mem.n, 1)  # every weight is 1
    return {
        "mean_consciousness": float(wk["consciousness"].mean(dtype=np.float64)),
        "employment_rate": s.signals["employment_rate"],
        "marketed_grain": s.signals["marketed"] / hh.n,
        "mean_support": float(hh["support"].mean(dtype=np.float64)),
        "food": s.signals["food"],
        **{f"share_{f}": float(shares[i]) for i, f in enumerate(FACTIONS)},
    }


def step(s: CoreState, p: CoreParams, seed: int, t: int) -> dict[str, float]:
    """One month, in the order of core_spec."""
    _, month = month_of(p, t)
    if month == p.sow_month:
        sow(s, p)
    if month == p.harvest_month:
        harvest(s, p, seed, t)
    market(s, p, t)
    food(s, p)
    support(s, p)
    consciousness(s, p)
    employment(s, p, seed, t)
    party_signals(s, p, t)
    appointments(s, p, seed, t)
    follow(s, p, seed, t)
    align(s, p)
    elections(s)
    return observe(s)


def run(size: Size, seed: int, p: CoreParams = PARAMS, steps: int | None = None) -> pd.DataFrame:
    """Run the core; one row per step (the columns of core_spec.OUTPUTS and ``food``)."""
    s = build(size, seed, p)
    rows = [step(s, p, seed, t) for t in range(size.steps if steps is None else steps)]
    return pd.DataFrame(rows)
