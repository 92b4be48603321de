"""The state of the Russian system: populations (structs of arrays) and institutions.

Shapes: every population column is ``(n_agents,)``; regional arrays are ``(len(REGIONS),)``,
city arrays ``(len(CITIES),)``, sector arrays ``(len(SECTORS),)``, crop arrays ``(len(CROPS),)``.
Persons are persons (integers); households are households.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from thermidor.engine import Ledger, Population
from thermidor.model.state import (
    Abroad,
    Bureaucracy,
    Exiles,
    Factions,
    Food,
    Industry,
    InnerParty,
    Kronstadt,
    Nep,
    Parties,
    Peace,
    Peasants,
    Readings,
    Right,
    SovietDemocracy,
    TrackedPopulation,
    Turn,
    War,
    WorkingClass,
)

if TYPE_CHECKING:
    from thermidor.model.inputs import Inputs

REGIONS = (
    "centre", "black_earth", "volga", "urals", "siberia",
    "ukraine", "south", "turkestan", "transcaucasia", "west",
)  # fmt: skip
CITIES = ("petrograd", "moscow", "other")
SECTORS = ("fuel", "pig_iron", "other_metal", "textiles", "other")
CROPS = ("hemp", "flax", "cotton", "sugar_beet")
GARRISONS = ("front", "petrograd", "moscow", "kronstadt", "rear")
ORIGINS = ("worker", "peasant", "other")
ROLES = ("worker", "soldier", "official", "functionary", "peasant", "other")
PARTIES = ("kadets", "right_srs", "mensheviks", "left_srs")
STRATA = ("poor", "middle", "kulak")

R = {name: i for i, name in enumerate(REGIONS)}
C = {name: i for i, name in enumerate(CITIES)}
S = {name: i for i, name in enumerate(SECTORS)}
G = {name: i for i, name in enumerate(GARRISONS)}
WORKER, PEASANT, OTHER = 0, 1, 2


def worker_population(capacity: int = 1024) -> Population:
    return Population(
        "workers",
        {
            "city": np.int8,
            "sector": np.int8,
            "employed": np.bool_,
            "consciousness": np.float32,
            "hereditary": np.bool_,
            "ties": np.bool_,  # village ties: can go back to the land
            "region": np.int8,  # the region of the village (if any)
        },
        capacity=capacity,
    )


def soldier_population(capacity: int = 1024) -> Population:
    return Population(
        "soldiers",
        {
            "origin": np.int8,
            "garrison": np.int8,
            "consciousness": np.float32,
            "region": np.int8,  # home region
            "city": np.int8,  # home city (worker origin)
            "sector": np.int8,
            "hereditary": np.bool_,
            "ties": np.bool_,
            "red": np.bool_,  # Red Army (True) or the old army (False)
        },
        capacity=capacity,
    )


def household_population(capacity: int = 1024) -> TrackedPopulation:
    """The households, tracked: the caches of ``w.peasants`` rest on their columns."""
    return TrackedPopulation(
        "households",
        {
            "region": np.int8,
            "land": np.float32,  # desyatinas per household
            "wealth": np.float32,  # livestock and implements, 1917 median = 1
            "stock": np.float32,  # grain held, tonnes per household
            "sown": np.float32,  # grain area sown this year, desyatinas
            "harvest": np.float32,  # last grain harvest, tonnes
            "taken": np.float32,  # grain requisitioned or taxed since the last harvest
            "surplus": np.float32,  # what the last harvest left above the ration and the seed
            "support": np.float32,  # support for the regime, [-1, 1]
            "disposition": np.float32,  # a village's own lean for or against (fixed)
            "area_hemp": np.float32,
            "area_flax": np.float32,
            "area_cotton": np.float32,
            "area_sugar_beet": np.float32,
        },
        unit="households",
        capacity=capacity,
    )


def member_population(capacity: int = 1024) -> Population:
    return Population(
        "members",
        {
            "joined": np.float32,  # year (fractional) of joining; < 1917.15 = old Bolshevik
            "origin": np.int8,
            "role": np.int8,
            "conviction": np.float32,  # [0, 1]; low = careerist
            "cell": np.int32,  # the cell of the apparatus tree (model/tree.py)
            "province": np.int16,
            "faction": np.int8,  # tree.FACTIONS
        },
        capacity=capacity,
    )


def official_population(capacity: int = 1024) -> Population:
    return Population(
        "officials",
        {
            "ex_tsarist": np.bool_,
            "communist": np.bool_,
            "from_workers": np.bool_,
            "city": np.int8,
            "responsible": np.bool_,  # a leading post ("responsible worker")
        },
        capacity=capacity,
    )


@dataclass
class Soviet:
    """A city soviet: its delegates' Bolshevik share and its last election."""

    bolshevik_share: float
    last_election: int = 0  # any election, free or a front for the party
    last_free_election: int = 0  # the last election the class decided (workers' democracy)
    majority: bool = False
    lapsed: bool = False
    fronts: int = 0  # elections held as a front for the party (the first is announced)


@dataclass
class World:
    """Everything that changes during a run."""

    workers: Population
    soldiers: Population
    households: TrackedPopulation
    members: Population
    officials: Population
    organs: Population  # the party apparatus (model/tree.py), one agent per secretary
    villagers: np.ndarray  # rural persons by region (int64)
    townsfolk: np.ndarray  # non-worker urban residents by city (int64)
    ledger: Ledger
    scales: dict[str, int]
    inputs: Inputs
    base: dict[str, Any]  # reference values: 1917 levels, prewar levels (read-only)
    # institutions
    soviets: dict[str, Soviet] = field(default_factory=dict)
    legal: dict[str, bool] = field(default_factory=dict)
    press: dict[str, bool] = field(default_factory=dict)
    seated: dict[str, bool] = field(default_factory=dict)  # a party's delegates sit in the soviets
    capacity: np.ndarray = field(default_factory=lambda: np.ones(len(SECTORS)))  # by sector
    regional_capacity: np.ndarray = field(default_factory=lambda: np.ones(len(REGIONS)))
    transport: float = 1.0
    # decisions taken: name -> step
    decisions: dict[str, int] = field(default_factory=dict)
    # decisions forced by the scenario: name -> step (or -1 = never)
    forced: dict[str, int] = field(default_factory=dict)
    # the state the mechanisms share, one typed group per mechanism group (model/state.py)
    war: War = field(default_factory=War)
    abroad: Abroad = field(default_factory=Abroad)
    working_class: WorkingClass = field(default_factory=WorkingClass)
    soviet_democracy: SovietDemocracy = field(default_factory=SovietDemocracy)
    food: Food = field(default_factory=Food)
    peasants: Peasants = field(default_factory=Peasants)
    industry: Industry = field(default_factory=Industry)
    nep: Nep = field(default_factory=Nep)
    parties: Parties = field(default_factory=Parties)
    peace: Peace = field(default_factory=Peace)
    kronstadt: Kronstadt = field(default_factory=Kronstadt)
    inner_party: InnerParty = field(default_factory=InnerParty)
    factions: Factions = field(default_factory=Factions)
    bureaucracy: Bureaucracy = field(default_factory=Bureaucracy)
    turn: Turn = field(default_factory=Turn)
    right: Right = field(default_factory=Right)
    exiles: Exiles = field(default_factory=Exiles)
    readings: Readings = field(default_factory=Readings)
    # per-step stores of flows (tonnes, crop output) to be recorded
    flows: dict[str, float] = field(default_factory=dict)

    def decided(self, name: str) -> bool:
        return name in self.decisions

    def population(self, name: str) -> Population:
        pop = getattr(self, name)
        if not isinstance(pop, Population):
            raise KeyError(name)
        return pop

    def class_totals(self) -> dict[str, int]:
        """Persons by population, each person counted once (members overlap the others)."""
        return {
            "workers": self.workers.total(),
            "soldiers": self.soldiers.total(),
            "officials": self.officials.total(),
            "villagers": int(self.villagers.sum()),
            "townsfolk": int(self.townsfolk.sum()),
        }
