"""The core as a Mesa 3 model: ``Model``, ``AgentSet``s by kind, a ``DataCollector``.

Each stage of a step is an ``AgentSet.do`` over one kind of agent; the aggregates a stage reads
(city means, jobs, terms of trade, the party's signals) are computed by the model before it.
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable

import mesa
import pandas as pd
from mesa.agent import AgentSet

from benchmarks.core_spec import (
    CELL,
    DISTRICT,
    FACTIONS,
    LENINGRAD,
    NF,
    PARAMS,
    PROVINCE,
    ROOT,
    CoreParams,
    Size,
    hazard,
    month_of,
    province_shares,
    scissors,
    weather,
)
from benchmarks.mesa_reference.agents import Household, Member, Organ, Worker


class CoreModel(mesa.Model):
    """Households, workers, members and the apparatus tree, one object per agent."""

    def __init__(self, size: Size, seed: int, p: CoreParams = PARAMS) -> None:
        super().__init__(seed=seed)
        self.size, self.p, self.seed_value = size, p, seed
        self.t = 0
        self.weather: list[float] = []
        self.households = Household.create_agents(self, size.households)
        self.workers = Worker.create_agents(self, size.workers)
        self._build_tree(size)
        self.province_shares = province_shares(p, size.provinces)
        self.members = Member.create_agents(self, size.members)

        by_sector = Counter(self.workers.get("sector"))
        self.jobs_base = [p.jobs_share * by_sector[s] for s in range(len(p.sector_share))]
        self.food = p.food_initial
        self.last_harvest = sum(self.households.get("harvest"))
        self.sold_since_harvest = 0.0
        self.kulak_share = statistics.fmean(self.households.get("kulak"))
        self.employment_rate = statistics.fmean(self.workers.get("employed"))
        self.marketed = self.delivered = 0.0
        self.sell = 0.0
        self.city_mean: list[float] = []
        self.p_off: list[float] = []
        self.p_on: list[float] = []
        self.crisis = self.nep_market = self.appointed_share = 0.0
        self.p_appoint = 0.0
        self.p_follow = hazard(p.follow_rate, p.dt)
        self.k_support = hazard(p.support_rate, p.dt)
        self.shares = [0.0] * NF
        self.datacollector = mesa.DataCollector(
            model_reporters={
                "mean_consciousness": lambda m: m.workers.agg("consciousness", statistics.fmean),
                "employment_rate": "employment_rate",
                "marketed_grain": lambda m: m.marketed / len(m.households),
                "mean_support": lambda m: m.households.agg("support", statistics.fmean),
                "food": "food",
                **{f"share_{f}": _share_of(i) for i, f in enumerate(FACTIONS)},
            }
        )

    def _build_tree(self, size: Size) -> None:
        root = Organ(self, ROOT, None, -1)
        organs = [root]
        self.cells_by_province: list[list[Organ]] = []
        for prov in range(size.provinces):
            committee = Organ(self, PROVINCE, root, prov)
            organs.append(committee)
            cells: list[Organ] = []
            for _ in range(size.districts_per_province):
                district = Organ(self, DISTRICT, committee, prov)
                organs.append(district)
                for _ in range(size.cells_per_district):
                    cell = Organ(self, CELL, district, prov)
                    cells.append(cell)
            self.cells_by_province.append(cells)
        # ids in the numpy order: root, provinces, districts, cells (only the sets matter here)
        self.organs = AgentSet(organs + [c for cs in self.cells_by_province for c in cs],
                                    random=self.random)  # fmt: skip
        head = organs[1 + LENINGRAD]
        head.head = True
        head.faction = FACTIONS.index("leningrad_opposition")
        self.by_level = {
            lvl: self.organs.select(lambda o, lvl=lvl: o.level == lvl)
            for lvl in (PROVINCE, DISTRICT, CELL)
        }

    def step(self) -> None:
        p = self.p
        year, month = month_of(p, self.t)
        if month == p.sow_month:
            self.households.do("sow")
        if month == p.harvest_month:
            self.weather = weather(p, self.seed_value, year)
            self.households.do("reap")
            self.last_harvest = self.households.agg("harvest", sum)
            self.sold_since_harvest = 0.0

        terms = 1.0 / scissors(p, self.t)
        self.sell = p.market_sales * min(1.0, terms * self.employment_rate) ** p.price_elasticity
        self.households.do("market")
        self.marketed = self.households.agg("sold_now", sum)
        self.delivered = self.households.agg("taken_now", sum) + self.marketed
        self.sold_since_harvest += self.marketed
        need = p.urban_ration * p.urban_per_household * len(self.households) * p.dt
        self.food = min(
            1.0, max(0.0, self.food + (self.delivered / need - self.food) / p.food_memory)
        )
        self.households.do("update_support")

        self._workers_stage()
        self._party_stage()
        counts = Counter(self.members.get("faction"))
        self.shares = [counts[f] / max(len(self.members), 1) for f in range(NF)]
        self.datacollector.collect(self)
        self.t += 1

    def _workers_stage(self) -> None:
        p = self.p
        by_city = self.workers.groupby("city")
        mean = by_city.agg("consciousness", statistics.fmean)
        self.city_mean = [mean.get(c, 0.0) for c in range(len(p.city_share))]
        self.workers.do("update_consciousness")

        n_s = len(p.sector_share)
        jobs_f = min(1.0, max(0.05, self.food)) ** p.food_elasticity
        on_books, everyone = [0] * n_s, [0] * n_s
        for w in self.workers:
            everyone[w.sector] += 1
            on_books[w.sector] += w.employed
        self.p_off, self.p_on = [], []
        for s in range(n_s):
            jobs = self.jobs_base[s] * jobs_f
            excess = min(max((on_books[s] - jobs) / max(on_books[s], 1.0), 0.0), 1.0)
            free = min(max((jobs - on_books[s]) / max(everyone[s] - on_books[s], 1.0), 0.0), 1.0)
            self.p_off.append(hazard(p.layoff_rate, p.dt) * excess)
            self.p_on.append(hazard(4.0 * p.hiring_rate, p.dt) * free)
        self.workers.do("update_employment")
        self.employment_rate = statistics.fmean(self.workers.get("employed"))

    def _party_stage(self) -> None:
        p = self.p
        below = [o.appointed for lvl in (PROVINCE, DISTRICT, CELL) for o in self.by_level[lvl]]
        self.appointed_share = statistics.fmean(below)
        self.crisis = (
            max(0.0, scissors(p, self.t) - 1.0) / 2.0
            + (1.0 - self.employment_rate)
            + max(0.0, 1.0 - self.food)
        )
        marketed_share = self.sold_since_harvest / max(self.last_harvest, 1e-9)
        self.nep_market = (4.0 * marketed_share + 5.0 * self.kulak_share) / 2.0
        control = p.control_base + (1.0 - p.control_base) * self.appointed_share
        self.p_appoint = hazard(p.appointment_rate * control * control, p.dt)

        self.organs.do("consider_appointment").do("advance")
        self.organs.do("follow_patron").do("advance")
        self.members.do("align")
        for lvl in (CELL, DISTRICT, PROVINCE):
            self.by_level[lvl].do("elect")


def _share_of(faction: int) -> Callable[[CoreModel], float]:
    def share(m: CoreModel) -> float:
        return m.shares[faction]

    return share


def run(size: Size, seed: int, p: CoreParams = PARAMS, steps: int | None = None) -> pd.DataFrame:
    """Run the Mesa core; one row per step (the DataCollector's model variables)."""
    model = CoreModel(size, seed, p)
    for _ in range(size.steps if steps is None else steps):
        model.step()
    return model.datacollector.get_model_vars_dataframe().reset_index(drop=True)


__all__ = ["CoreModel", "run"]
