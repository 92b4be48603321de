"""The fixed core of the model, declared once for its two implementations.

The core keeps three of the model's mechanisms in a form small enough to write twice, once as a
Mesa 3 model with one Python object per agent (``mesa_reference``) and once as vectorised numpy on
the engine's populations (``core_numpy``), with the same rules, parameters and scenario:

(a) peasant households (M3): sowing from land, labour and draught, cut by last year's burden; a
    harvest with regional weather and a household's own luck; subsistence and seed kept back; the
    surplus requisitioned (kulaks pressed harder) and sold at a rate set by the terms of trade;
    support for the regime relaxing toward what burden and hunger allow. The towns' food ratio is
    what the villages deliver against what the towns need.
(b) workers (M1, M5): consciousness grows with grievance and contagion from the city's mean and
    decays with hunger and unemployment; factories lay off the workers their jobs cannot use and
    rehire toward the jobs, which food limits.
(c) party members and the apparatus tree (M11-M13): provinces -> districts -> cells, each with a
    secretary elected from below or appointed from above; a member takes the faction of highest
    pull, his secretary's faction pulling by ``loyalty * (1 - conviction)``; appointed secretaries
    follow their patron; elected ones take the plurality below them.

One step is a month; every agent stands for one household or person (weight 1). The order of a
step (both implementations): sow (April) -> harvest (August) -> market -> food -> support ->
consciousness -> employment -> appointments -> patrons followed -> members align -> elections
(cells, then districts, then provinces) -> observe. Within a stage every agent reads the state
as it was when the stage began (simultaneous updates).

The weather is an input of the scenario, a function of (seed, year) shared by both
implementations, so runs with the same seed face the same harvests; every other draw is each
implementation's own.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

FACTIONS = ("centre", "left_opposition", "right", "leningrad_opposition", "workers_opposition")
CENTRE, LEFT, RIGHT, LENINGRAD_OPP, WORKERS_OPP = range(len(FACTIONS))
NF = len(FACTIONS)
# the scenario's period: the Right and the Leningrad opposition are out, factions are banned
AVAILABLE = (True, True, True, True, False)
ROOT, PROVINCE, DISTRICT, CELL = 0, 1, 2, 3
LENINGRAD = 0  # province index; its head is an oppositionist and is never replaced
WORKER, PEASANT, OTHER = 0, 1, 2
N_CITIES, N_SECTORS = 3, 5

OUTPUTS = (
    "mean_consciousness",
    "employment_rate",
    "marketed_grain",
    "mean_support",
    *(f"share_{f}" for f in FACTIONS),
)
"""Columns of both implementations' output table, one row per step (also ``food``)."""


@dataclass(frozen=True)
class Size:
    """How many agents of each kind, the shape of the tree, and how many monthly steps."""

    households: int
    workers: int
    members: int
    provinces: int
    districts_per_province: int
    cells_per_district: int
    steps: int

    @property
    def organs(self) -> int:
        p, d = self.provinces, self.provinces * self.districts_per_province
        return 1 + p + d + d * self.cells_per_district

    @property
    def agents(self) -> int:
        return self.households + self.workers + self.members + self.organs


BENCH = Size(64_000, 24_000, 16_000, 20, 8, 12, steps=6)
"""The fixed scenario timed against Mesa: 106,101 agents, April to September (a sowing, a harvest)."""

TEST = Size(9_000, 4_000, 2_500, 4, 8, 10, steps=10)
"""The equivalence test's scenario: 15,857 agents, April to January (a sowing, a harvest, sales).

Smaller populations cannot show equivalence within the margins of ``equivalence.py`` with 30
seeds: at 2,000 agents the 90% interval of the difference in marketed grain alone is as wide as
its margin (measured: a half-width of 3% of the mean).
"""


@dataclass(frozen=True)
class CoreParams:
    """Rates are per year unless marked.

    Values are the model's defaults where it has them, except ``right_pull``, ``loyalty`` and
    ``appointment_rate``, set so that all four available factions hold members within the test's
    14 months. The apparatus's control, which the model takes from M15, is here
    ``control_base + (1 - control_base) * appointed share``.
    """

    dt: float = 1.0 / 12.0  # years per step
    start_month: int = 3  # April (0 = January)
    sow_month: int = 3
    harvest_month: int = 7
    # households
    region_share: tuple[float, ...] = (0.30, 0.25, 0.20, 0.15, 0.10)
    region_yield: tuple[float, ...] = (1.0, 1.2, 0.9, 0.8, 1.1)
    wealth_sigma: float = 0.9
    land_per_household: float = 7.0
    persons_extra: float = 4.4  # persons per household = 1 + Poisson(4.4)
    sown_share: float = 0.62
    grain_yield: float = 0.75  # t per desyatina
    ration: float = 0.36  # t per person per year
    seed: float = 0.12  # t per desyatina sown
    labour_elasticity: float = 0.7
    burden_sowing_cut: float = 0.5
    sown_recovery: float = 0.12
    harvest_noise: float = 0.25  # a household's luck, lognormal sd
    weather_sd: float = 0.15  # a region's year, lognormal sd
    requisition_rate: float = 0.3
    kulak_bias: float = 1.5
    kulak_above: float = 2.5  # x the median wealth
    market_sales: float = 0.7
    price_elasticity: float = 1.5
    scissors_start: float = 1.0
    scissors_growth: float = 0.4  # per year
    initial_stock: float = 0.4  # of last year's surplus, left in April
    initial_taken: float = 0.3  # of last year's surplus, taken since that harvest
    support_initial: float = 0.2
    support_base: float = 0.25
    support_dispersion: float = 0.25
    support_burden: float = 1.0
    support_hunger: float = 0.8
    support_rate: float = 3.0
    hunger_below: float = 0.6  # of a normal harvest
    urban_per_household: float = 3.5  # town persons fed per peasant household
    urban_ration: float = 0.2  # t per person per year
    food_memory: float = 1.5  # steps
    food_initial: float = 0.8
    # workers
    city_share: tuple[float, ...] = (0.13, 0.07, 0.80)
    sector_share: tuple[float, ...] = (0.15, 0.10, 0.25, 0.30, 0.20)
    hereditary_share: float = 0.55
    consciousness_hereditary: float = 0.32
    consciousness_fresh: float = 0.14
    consciousness_noise: float = 0.08
    employed_initial: float = 0.9
    grievance: float = 0.6
    grievance_rate: float = 0.85
    contagion: float = 0.7
    atomisation_rate: float = 0.9
    jobs_share: float = 0.92  # jobs per 1917 worker at full food
    food_elasticity: float = 0.3
    layoff_rate: float = 0.3
    hiring_rate: float = 0.6  # rehiring runs at 4x this
    # members and the apparatus
    old_bolshevik_share: float = 0.1
    conviction_old: tuple[float, float] = (0.9, 0.05)  # mean, sd (Beta)
    conviction_new: tuple[float, float] = (0.45, 0.2)
    origin_share: tuple[float, ...] = (0.5, 0.3, 0.2)  # worker, peasant, other
    apparatus_share: float = 0.35
    leningrad_share: float = 0.15  # of members, in province 0
    left_appeal: float = 0.8
    right_pull: float = 1.8
    centre_pull: float = 0.5
    loyalty: float = 0.5
    control_base: float = 0.6
    appointment_rate: float = 3.0
    follow_rate: float = 20.0


PARAMS = CoreParams()


def hazard(rate: float, dt: float) -> float:
    """Probability of an event at ``rate`` per year within ``dt`` years."""
    return 1.0 - math.exp(-rate * dt)


def month_of(p: CoreParams, step: int) -> tuple[int, int]:
    """(year index, month 0-11) of a step."""
    k = p.start_month + step
    return k // 12, k % 12


def scissors(p: CoreParams, step: int) -> float:
    """Industrial against agricultural prices (an input of the scenario)."""
    return p.scissors_start + p.scissors_growth * step * p.dt


def weather(p: CoreParams, seed: int, year: int) -> list[float]:
    """Each region's harvest weather in a year (1 = average): an input shared by both."""
    rng = np.random.default_rng([seed, 1917, year])
    sd = p.weather_sd
    return [float(x) for x in np.exp(rng.normal(-0.5 * sd * sd, sd, len(p.region_yield)))]


def beta_ab(mean: float, sd: float) -> tuple[float, float]:
    """Beta shape parameters for a mean and a standard deviation."""
    k = mean * (1.0 - mean) / (sd * sd) - 1.0
    return mean * k, (1.0 - mean) * k


def province_shares(p: CoreParams, n: int) -> list[float]:
    rest = (1.0 - p.leningrad_share) / (n - 1)
    return [p.leningrad_share] + [rest] * (n - 1)
