"""The core's agents, one Python object each (Mesa 3): households, workers, members, secretaries.

The rules are those of ``benchmarks.core_spec``, written agent by agent; the model
(``model.py``) computes the aggregates each stage reads before the stage begins, so every agent
of a stage sees the same state (simultaneous updates), and uses ``step``/``advance`` pairs where
an agent reads another agent of the same stage.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import mesa

from benchmarks.core_spec import (
    AVAILABLE,
    CELL,
    LENINGRAD,
    NF,
    PEASANT,
    PROVINCE,
    WORKER,
    beta_ab,
)

if TYPE_CHECKING:
    from benchmarks.mesa_reference.model import CoreModel


class Household(mesa.Agent):
    """A peasant household: land, labour, grain, and its support for the regime."""

    model: CoreModel

    def __init__(self, model: CoreModel) -> None:
        super().__init__(model)
        p = model.p
        rnd = self.random
        self.region = rnd.choices(range(len(p.region_share)), weights=p.region_share)[0]
        self.wealth = math.exp(rnd.gauss(0.0, p.wealth_sigma))
        mean_wealth = math.exp(0.5 * p.wealth_sigma**2)
        self.land = p.land_per_household * (0.5 + 0.5 * self.wealth) / (0.5 + 0.5 * mean_wealth)
        self.persons = 1.0 + float(self.rng.poisson(p.persons_extra))
        self.kulak = self.wealth > p.kulak_above
        regional = p.region_yield[self.region]
        self.normal = self.land * p.sown_share * p.grain_yield * regional
        self.sown = self.land * p.sown_share * self._sowing_factor(p.initial_taken)
        self.harvest = self.sown * p.grain_yield * regional
        self.surplus = max(self.harvest - (p.ration * self.persons + p.seed * self.sown), 0.0)
        self.stock = p.initial_stock * self.surplus
        self.taken = p.initial_taken * self.surplus
        self.support = p.support_initial
        self.disposition = rnd.gauss(0.0, p.support_dispersion)
        self.taken_now = 0.0
        self.sold_now = 0.0

    def burden(self) -> float:
        return min(max(self.taken / max(self.surplus + 0.1 * self.normal, 1e-3), 0.0), 1.5)

    def _sowing_factor(self, felt: float) -> float:
        p = self.model.p
        incentive = min(max(1.0 - p.burden_sowing_cut * min(felt, 1.0), 0.25), 1.0)
        labour = min(self.persons / (1.0 + p.persons_extra), 1.0) ** p.labour_elasticity
        draught = min(max(self.wealth / 0.5, 0.2), 1.0) ** 0.5
        return labour * incentive * draught

    def sow(self) -> None:
        p = self.model.p
        wanted = self.land * p.sown_share * self._sowing_factor(self.burden())
        self.sown = min(wanted, self.sown * (1.0 + p.sown_recovery))

    def reap(self) -> None:
        p = self.model.p
        sd = p.harvest_noise
        luck = self.random.lognormvariate(-0.5 * sd * sd, sd)
        weather = self.model.weather[self.region]
        self.harvest = self.sown * p.grain_yield * p.region_yield[self.region] * weather * luck
        self.surplus = max(self.harvest - (p.ration * self.persons + p.seed * self.sown), 0.0)
        self.stock = self.surplus
        self.taken = 0.0

    def market(self) -> None:
        """Requisition (kulaks pressed harder), then sales at the model's terms of trade."""
        p = self.model.p
        subsistence = p.ration * self.persons + p.seed * self.sown
        bias = p.kulak_bias if self.kulak else 1.0
        quota = p.requisition_rate * bias * (self.surplus + 0.05 * subsistence)
        taken = min(quota * p.dt, self.stock)
        sold = min(self.surplus * self.model.sell * p.dt, self.stock - taken)
        self.stock -= taken + sold
        self.taken += taken
        self.taken_now = taken
        self.sold_now = sold

    def update_support(self) -> None:
        p = self.model.p
        hungry = 1.0 if self.harvest - self.taken < p.hunger_below * self.normal else 0.0
        target = (
            p.support_base
            + self.disposition
            - p.support_burden * self.burden()
            - p.support_hunger * hungry
        )
        s = self.support + self.model.k_support * (target - self.support)
        self.support = min(max(s, -1.0), 1.0)


class Worker(mesa.Agent):
    """A worker: a city, a sector, a job or none, and a consciousness."""

    model: CoreModel

    def __init__(self, model: CoreModel) -> None:
        super().__init__(model)
        p = model.p
        rnd = self.random
        hereditary = rnd.random() < p.hereditary_share
        c0 = p.consciousness_hereditary if hereditary else p.consciousness_fresh
        self.sector = rnd.choices(range(len(p.sector_share)), weights=p.sector_share)[0]
        self.city = rnd.choices(range(len(p.city_share)), weights=p.city_share)[0]
        self.employed = rnd.random() < p.employed_initial
        self.consciousness = min(max(c0 + rnd.gauss(0.0, p.consciousness_noise), 0.0), 1.0)

    def update_consciousness(self) -> None:
        p, m = self.model.p, self.model
        c = self.consciousness
        pull = (1.0 - p.contagion) + 2.0 * p.contagion * m.city_mean[self.city]
        growth = p.grievance_rate * p.grievance * (1.0 - c) * pull
        idle = 0.0 if self.employed else 1.0
        decay = p.atomisation_rate * (max(0.0, 1.0 - m.food) + idle) * c
        self.consciousness = min(max(c + p.dt * (growth - decay), 0.0), 1.0)

    def update_employment(self) -> None:
        m = self.model
        u = self.random.random()
        if self.employed:
            self.employed = u >= m.p_off[self.sector]
        else:
            self.employed = u < m.p_on[self.sector]


class Organ(mesa.Agent):
    """A secretary of the apparatus: elected from below or appointed by his patron."""

    model: CoreModel

    def __init__(self, model: CoreModel, level: int, parent: Organ | None, province: int) -> None:
        super().__init__(model)
        self.level = level
        self.parent = parent
        self.province = province
        self.appointed = False
        self.patron: Organ | None = None
        self.faction = 0
        self.head = False  # the Leningrad head: never replaced, never elected
        self.children: list[Organ] = []
        self.members: list[Member] = []
        self._next: tuple[bool, Organ | None, int] | None = None
        if parent is not None:
            parent.children.append(self)

    def consider_appointment(self) -> None:
        """Stage 1 of 2: an elected secretary may be replaced by an appointee of the organ above."""
        self._next = None
        if self.appointed or self.level < PROVINCE or self.head:
            return
        if self.random.random() < self.model.p_appoint:
            assert self.parent is not None
            self._next = (True, self.parent, self.parent.faction)

    def follow_patron(self) -> None:
        """Stage 1 of 2: an appointed secretary takes his patron's line."""
        self._next = None
        patron = self.patron
        if self.appointed and patron is not None and self.random.random() < self.model.p_follow:
            self._next = (True, patron, patron.faction)

    def advance(self) -> None:
        if self._next is not None:
            self.appointed, self.patron, self.faction = self._next
            self._next = None

    def elect(self) -> None:
        """An elected secretary takes the plurality of those below (lowest faction on a tie)."""
        if self.appointed or self.head:
            return
        below = self.members if self.level == CELL else self.children
        if not below:
            return
        counts = [0] * NF
        for agent in below:
            counts[agent.faction] += 1
        self.faction = max(range(NF), key=counts.__getitem__)


class Member(mesa.Agent):
    """A party member: conviction, origin, post, a cell, and a faction."""

    model: CoreModel

    def __init__(self, model: CoreModel) -> None:
        super().__init__(model)
        p = model.p
        rnd = self.random
        self.old = rnd.random() < p.old_bolshevik_share
        self.conviction = rnd.betavariate(
            *beta_ab(*(p.conviction_old if self.old else p.conviction_new))
        )
        self.origin = rnd.choices(range(len(p.origin_share)), weights=p.origin_share)[0]
        self.apparatus = rnd.random() < p.apparatus_share
        self.province = rnd.choices(range(len(model.province_shares)), model.province_shares)[0]
        self.cell: Organ = rnd.choice(model.cells_by_province[self.province])
        self.cell.members.append(self)
        self.faction = 0

    def align(self) -> None:
        """Take the available faction of highest pull (the lowest index on a tie)."""
        p, m = self.model.p, self.model
        conv = self.conviction
        worker = self.origin == WORKER
        tradition = min(1.0, 0.6 + 0.4 * self.old + 0.2 * worker)
        left = p.left_appeal * conv * tradition * (m.crisis + m.appointed_share)
        contact = 0.5 * (self.origin == PEASANT) + 0.5 * self.apparatus
        score = [
            p.centre_pull * (0.4 + 0.6 * self.apparatus),
            left,
            p.right_pull * contact * m.nep_market,
            left if self.province == LENINGRAD else 0.0,
            left if worker and not self.apparatus else 0.0,
        ]
        score[self.cell.faction] += p.loyalty * (1.0 - conv)
        best, best_score = 0, -math.inf
        for f in range(NF):
            if AVAILABLE[f] and score[f] > best_score:
                best, best_score = f, score[f]
        self.faction = best
