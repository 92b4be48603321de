"""The state of March 1917, built from ``data/initial_conditions.csv`` (a source for each value)."""

from __future__ import annotations

import csv
from functools import cache
from importlib import resources

import numpy as np

from thermidor.engine import Ledger, Streams, chunks
from thermidor.model.inputs import Inputs
from thermidor.model.mechanisms.party import beta
from thermidor.model.params import Params
from thermidor.model.tree import build_organs, cells_for
from thermidor.model.world import (
    CITIES,
    CROPS,
    PARTIES,
    PEASANT,
    REGIONS,
    SECTORS,
    WORKER,
    G,
    Soviet,
    World,
    household_population,
    member_population,
    official_population,
    soldier_population,
    worker_population,
)  # fmt: skip

POPULATIONS = ("workers", "soldiers", "households", "members", "officials")
DEFAULT_SCALES = {
    "workers": 100,
    "soldiers": 200,
    "households": 500,
    "members": 10,
    "officials": 100,
}


@cache
def initial_conditions() -> dict[str, float]:
    with resources.files("thermidor.model.data").joinpath("initial_conditions.csv").open() as f:
        return {row["key"]: float(row["value"]) for row in csv.DictReader(f)}


def _split(total: int, scale: int, shares: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    counts = np.floor(total * shares / shares.sum()).astype(np.int64)
    counts[0] += total - counts.sum()
    return chunks(counts, scale)


def build_world(p: Params, inputs: Inputs, scales: dict[str, int], seed: int) -> World:
    ic = initial_conditions()
    rng = Streams(seed).get("initial", 0)
    ledger = Ledger()
    n_r = len(REGIONS)

    # workers: by sector, then city; hereditary or fresh
    wk = worker_population()
    sec_share = np.array([ic[f"sector_share:{s}"] for s in SECTORS])
    weights, sector = _split(int(ic["workers_1917"]), scales["workers"], sec_share)
    m = weights.size
    city_share = np.array([ic["workers_share:petrograd"], ic["workers_share:moscow"], 0.0])
    city_share[2] = 1.0 - city_share[:2].sum()
    city = rng.choice(len(CITIES), size=m, p=city_share)
    hereditary = rng.random(m) < ic["hereditary_share"]
    ties = np.where(
        hereditary,
        rng.random(m) < ic["ties_share:hereditary"],
        rng.random(m) < ic["ties_share:fresh"],
    )
    c0 = np.where(hereditary, ic["consciousness:hereditary"], ic["consciousness:fresh"])
    consciousness = np.clip(c0 + rng.normal(0, 0.08, m), 0, 1)
    hh_share = np.array([ic[f"region_share:{r}"] for r in REGIONS])
    hh_share /= hh_share.sum()
    region = rng.choice(n_r, size=m, p=hh_share)
    wk.append(
        weight=weights,
        sector=sector,
        city=city,
        employed=True,
        hereditary=hereditary,
        ties=ties,
        consciousness=consciousness,
        region=region,
    )

    # soldiers: garrisons and the front
    sd = soldier_population()
    garrisons = {
        g: ic.get(f"garrison:{g}", 0.0) for g in ("petrograd", "moscow", "kronstadt", "rear")
    }
    front = ic["soldiers_1917"] - sum(garrisons.values())
    for name, total in [("front", front), *garrisons.items()]:
        ws, _ = chunks(np.array([int(total)]), scales["soldiers"])
        k = ws.size
        worker_share = (
            ic["kronstadt_worker_share"] if name == "kronstadt" else ic["soldier_worker_share"]
        )
        origin = np.where(rng.random(k) < worker_share, WORKER, PEASANT)
        c = np.clip(
            ic["consciousness:soldier"]
            + rng.normal(0, 0.08, k)
            + np.where(origin == WORKER, 0.12, 0.0),
            0,
            1,
        )
        sd.append(
            weight=ws,
            origin=origin,
            garrison=G[name],
            consciousness=c,
            region=rng.choice(n_r, size=k, p=hh_share),
            city=rng.choice(len(CITIES), size=k, p=city_share),
            sector=rng.choice(len(SECTORS), size=k, p=sec_share / sec_share.sum()),
            hereditary=origin == WORKER,
            ties=origin != WORKER,
            red=False,
        )

    # peasant households
    hh = household_population()
    weights, region = _split(int(ic["households_1917"]), scales["households"], hh_share)
    k = weights.size
    wealth = np.exp(rng.normal(0.0, ic["wealth_sigma"], k)).astype(np.float32)
    land = ic["land_per_household"] * (0.5 + 0.5 * wealth) / (0.5 + 0.5 * float(wealth.mean()))
    area0: dict[str, np.ndarray] = {}
    for crop in CROPS:
        share = np.array([ic.get(f"crop_area:{crop}:{r}", 0.0) for r in REGIONS])
        area0[crop] = share * ic["land_per_household"]
    hh.append(
        weight=weights,
        region=region,
        wealth=wealth,
        land=land,
        stock=0.45 * 0.5,
        surplus=0.45,  # March: the unsold part of the 1916 surplus (modelling)
        support=0.3,
        disposition=rng.normal(0.0, p["support.dispersion"], k),
        sown=land * p["peasants.sown_share"],
        harvest=land * p["peasants.sown_share"] * p["peasants.yield"],
        **{f"area_{c}": area0[c][region] for c in CROPS},
    )
    yields = np.array([ic[f"yield:{r}"] for r in REGIONS])
    yields /= (yields * hh_share).sum()  # the national mean yield is the parameter's
    villagers = np.round(hh.sum_by("region", n_r) * ic["persons_per_household"]).astype(np.int64)

    # party members (all old Bolsheviks in March 1917)
    mem = member_population()
    ws, _ = chunks(np.array([int(ic["party_members_feb_1917"])]), scales["members"])
    k = ws.size
    cell, province = cells_for(rng, k)
    mem.append(
        weight=ws,
        cell=cell,
        province=province,
        joined=rng.uniform(1898.0, 1917.1, k),
        origin=rng.choice(3, size=k, p=[0.6, 0.1, 0.3]),
        role=0,
        conviction=beta(rng, 0.9, 0.05, k),
    )

    # officials of the old state
    off = official_population()
    osh = np.array([ic["officials_share:petrograd"], ic["officials_share:moscow"], 0.0])
    osh[2] = 1 - osh[:2].sum()
    ws, city_o = _split(int(ic["officials_1917"]), scales["officials"], osh)
    off.append(weight=ws, city=city_o, ex_tsarist=True)

    townsfolk = np.array([int(ic[f"townsfolk:{c}"]) for c in CITIES], dtype=np.int64)

    w = World(
        workers=wk, soldiers=sd, households=hh, members=mem, officials=off, organs=build_organs(),
        villagers=villagers, townsfolk=townsfolk, ledger=ledger, scales=dict(scales),
        inputs=inputs, base={},
    )  # fmt: skip
    w.soviets = {c: Soviet(bolshevik_share=0.0) for c in ("petrograd", "moscow")}
    w.legal = {party: True for party in PARTIES}
    w.press = {party: True for party in PARTIES}
    w.seated = {party: party != "kadets" for party in PARTIES}  # the soviets' socialist parties
    w.transport = ic["transport_1917"]
    # the shared state starts at its groups' defaults (model/state.py) but for what the inputs set
    w.food.supply = ic["food_1917"]
    w.food.by_city = np.full(len(CITIES), ic["food_1917"])
    w.food.urban_stock = 4 * ic["food_1917"] * 20e6 * 0.2 * 7 / 365.25
    w.nep.managers_from_workers = p["managers.from_workers_1921"]
    w.industry.productivity = ic["output_1917_vs_prewar"] / ic["workforce_1917_vs_1913"]
    for name in ("workers", "soldiers", "households", "members", "officials"):
        ledger.open(name, w.population(name).total())
    ledger.open("villagers", int(villagers.sum()))
    ledger.open("townsfolk", int(townsfolk.sum()))
    _set_base(w, p, ic, area0, sec_share, hh_share, city_share)
    w.base["yields"] = yields
    hh["harvest"] = hh["harvest"] * yields[hh["region"]]
    # prewar grain: the peasants' and the estates' (seized in 1917-18)
    w.base["grain_prewar"] = (1.0 + p["land.estate_share"]) * float(
        (
            hh["land"]
            * p["peasants.sown_share"]
            * p["peasants.yield"]
            * yields[hh["region"]]
            * hh["weight"]
        ).sum()
    )
    return w


def _set_base(
    w: World,
    p: Params,
    ic: dict[str, float],
    area0: dict[str, np.ndarray],
    sec_share: np.ndarray,
    hh_share: np.ndarray,
    city_share: np.ndarray,
) -> None:
    wk = w.workers
    n_s = len(SECTORS)
    by_sector = wk.sum_by("sector", n_s)
    supply = np.zeros((n_s, len(REGIONS)))
    for i, s in enumerate(SECTORS):
        for j, r in enumerate(REGIONS):
            supply[i, j] = ic.get(f"supply:{s}:{r}", 0.0)
    supply /= supply.sum(axis=1, keepdims=True)
    hered = wk.sum_by("sector", n_s, values=wk["hereditary"]) / np.maximum(by_sector, 1)
    base = w.base
    base.update(
        workers=float(wk.total()),
        workers_by_city=wk.sum_by("city", len(CITIES)),
        workers_by_sector=by_sector,
        workers_1913_by_sector=by_sector / ic["workforce_1917_vs_1913"],
        workforce_1917_vs_1913=ic["workforce_1917_vs_1913"],
        hereditary_share=float(wk.mean("hereditary")),
        hereditary_by_sector=hered,
        supply=supply,
        inputs_1917=supply @ np.ones(len(REGIONS)) * w.transport,
        value_share=np.array([ic[f"value_share:{s}"] for s in SECTORS]),
        food_1917=ic["food_1917"],
        land_per_household=ic["land_per_household"],
        area0=area0,
        city_share=city_share,
        officials=float(w.officials.total()),
        households=float(w.households.total()),
    )
    base["value_share"] = base["value_share"] / base["value_share"].sum()
    # productivity per worker in 1917 against 1913 such that 1917 output is the record's
    base["productivity"] = ic["output_1917_vs_prewar"] / ic["workforce_1917_vs_1913"]
    base["output_1917"] = ic["output_1917_vs_prewar"]
    sd = w.soldiers
    at_front = sd.sum_by("region", len(REGIONS), mask=sd["origin"] == PEASANT)
    base["labour_1917"] = w.villagers / np.maximum(w.villagers + at_front, 1.0)
    hh = w.households
    weight = hh["weight"].astype(np.float64)
    base["crop_prewar"] = {c: float((hh[f"area_{c}"] * weight).sum()) for c in CROPS}
    base["party_1917"] = float(w.members.total())
