"""The state the mechanisms share, in small typed groups, and caches that know when they are stale.

Each group holds what one mechanism group writes (its writer is named in the class docstring);
any mechanism may read it. A field's comment gives its meaning and unit. ``World`` has one
attribute per group (``w.food.supply``, ``w.war.cut_off``); nothing else is shared between
mechanisms except the populations and the institutions. Shapes: ``by region`` is
``(len(REGIONS),)``, ``by city`` ``(len(CITIES),)``, ``by sector`` ``(len(SECTORS),)``.

A value computed from a population's columns is held in a :class:`ColumnCache`, which recomputes
it when one of those columns (or the population's rows) has changed since: a
:class:`TrackedPopulation` counts the writes to each column made through its API (``pop[c] = x``,
``append``, ``remove``); a kernel that writes a column in place says so with :func:`touched`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar, cast

import numpy as np
import numpy.typing as npt

from thermidor.engine import Population

N_REGIONS, N_CITIES, N_SECTORS = 10, 3, 5  # len(REGIONS), len(CITIES), len(SECTORS) (world.py)
T = TypeVar("T")


# -- populations that count their writes, and caches keyed on the counts --------------------------
class TrackedPopulation(Population):
    """A population that counts the writes to each column and the changes of its rows."""

    def __init__(
        self,
        name: str,
        schema: Mapping[str, npt.DTypeLike],
        unit: str = "persons",
        capacity: int = 1024,
    ) -> None:
        super().__init__(name, schema, unit, capacity)
        self.rows = 0  # changes of the rows (agents added or removed)
        self.versions = dict.fromkeys(self.dtypes, 0)  # writes to each column

    def __setitem__(self, column: str, values: npt.ArrayLike) -> None:
        super().__setitem__(column, values)
        self.versions[column] += 1

    def append(self, **columns: npt.ArrayLike) -> int:
        m = super().append(**columns)
        self.rows += m > 0
        return m

    def remove(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        out = super().remove(mask)
        self.rows += out["weight"].size > 0
        return out

    def touched(self, *columns: str) -> None:
        """Columns written in place (by a kernel, or ``pop[c][mask] = x``)."""
        for c in columns:
            self.versions[c] += 1

    def version(self, columns: tuple[str, ...]) -> tuple[int, ...]:
        return (self.rows, *(self.versions[c] for c in columns))


def touched(pop: Population, *columns: str) -> None:
    """Mark ``columns`` of ``pop`` written in place (nothing to mark on an untracked population:
    no cache can rest on it)."""
    if isinstance(pop, TrackedPopulation):
        pop.touched(*columns)


class ColumnCache(Generic[T]):
    """A value computed from some columns of one population, recomputed only when one of them
    (or the population's rows) has changed since it was computed."""

    __slots__ = ("_key", "_owner", "_value", "columns", "computed")

    def __init__(self, *columns: str) -> None:
        self.columns = columns
        self.computed = 0  # how many times the value was computed
        self._owner: TrackedPopulation | None = None
        self._key: tuple[int, ...] = ()
        self._value: T | None = None

    def __getstate__(self) -> tuple[Any, ...]:
        return self.columns, self.computed, self._owner, self._key, self._value

    def __setstate__(self, state: tuple[Any, ...]) -> None:
        self.columns, self.computed, self._owner, self._key, self._value = state

    def stale(self, pop: Population) -> bool:
        """Whether ``get`` would compute the value again for ``pop``."""
        if not isinstance(pop, TrackedPopulation):
            raise TypeError(f"{pop.name}: a ColumnCache needs a TrackedPopulation")
        return (
            self._value is None or self._owner is not pop or pop.version(self.columns) != self._key
        )

    def get(self, pop: Population, compute: Callable[[], T]) -> T:
        """The value for ``pop``: the one held while fresh, else ``compute()`` (then held)."""
        if not self.stale(pop):
            return cast(T, self._value)
        tracked = cast(TrackedPopulation, pop)
        self._value, self._owner, self._key = compute(), tracked, tracked.version(self.columns)
        self.computed += 1
        return self._value


def _zeros(n: int) -> Callable[[], np.ndarray]:
    return lambda: np.zeros(n)


# -- the groups ---------------------------------------------------------------------------------
@dataclass(slots=True)
class War:
    """M4 fronts (``fronts.read_fronts``, weekly): the war as the rest of the model sees it,
    inputs damped by a revolution abroad."""

    civil_war: float = 0.0  # intensity of the civil war, [0, 1]
    white_threat: float = 0.0  # the Whites' threat to the land and the regime, [0, 1]
    cut_off: np.ndarray = field(
        default_factory=_zeros(N_REGIONS)
    )  # share held by the enemy, by region
    war_zone: np.ndarray = field(default_factory=_zeros(N_REGIONS))  # fighting, [0, 1] by region
    world_war: float = 0.0  # Russia in the World War, [0, 1]


@dataclass(slots=True)
class Abroad:
    """M17 world revolution (``world_revolution.episodes``)."""

    revolutions: float = 0.0  # revolutions won abroad (count; aid and protection saturate at 1)


@dataclass(slots=True)
class WorkingClass:
    """M1/M2 consciousness (``consciousness.class_capacity``, weekly)."""

    K: float = 1.0  # the working class's capacity to act as a class, 1917 = 1
    K_city: np.ndarray = field(default_factory=lambda: np.ones(N_CITIES))  # K by city


@dataclass(slots=True)
class SovietDemocracy:
    """M6 workers' democracy (``soviets.workers_democracy``, weekly)."""

    workers_democracy: float = 1.0  # W = K x the soviets' responsiveness, [0, 1]
    soviet_months: float = 0.0  # months since the capitals' soviets were last elected (the longer)


@dataclass(slots=True)
class Food:
    """M3 grain (``grain.procurement``, weekly): the towns' food and the grain sold."""

    supply: float = 1.0  # the towns' food, smoothed share of their need met, [0, 1]
    by_city: np.ndarray = field(default_factory=lambda: np.ones(N_CITIES))  # supply by city, [0, 1]
    urban_stock: float = 0.0  # grain held in the towns, tonnes
    rural_hungry: np.ndarray = field(
        default_factory=_zeros(N_REGIONS)
    )  # share of villagers short, by region
    procured_this_week: float = 0.0  # grain the state took this week, tonnes
    sold_since_harvest: float = (
        0.0  # grain taken or sold since the last harvest, tonnes (reset at harvest)
    )
    marketed_share: float = 0.0  # sold_since_harvest over the last harvest, fraction


@dataclass(slots=True)
class Peasants:
    """M3 land, season, support and livestock (``peasants``)."""

    estates_left: float = 1.0  # share of the estates not yet divided, [0, 1]
    harvest_ratio: float = 0.9  # the last grain harvest against the prewar one
    last_harvest: float = 0.0  # the last grain harvest, tonnes
    unrest: float = 0.0  # share of households (by weight) against the regime, [0, 1]
    median_wealth: float = 1.0  # the households' weighted median wealth (1917 median = 1), monthly
    # the households' weight by region (float64), from their region and weight
    households_by_region: ColumnCache[np.ndarray] = field(
        default_factory=lambda: ColumnCache("region", "weight")
    )
    # each household's grain in a normal year, tonnes (float64), from its land and region
    normal_harvest: ColumnCache[np.ndarray] = field(
        default_factory=lambda: ColumnCache("land", "region")
    )


@dataclass(slots=True)
class Industry:
    """M5 capacity, labour and output (``industry``)."""

    productivity: float = 1.0  # output per worker against prewar, from the war's disruption
    inputs: np.ndarray = field(
        default_factory=lambda: np.ones(N_SECTORS)
    )  # inputs reaching each sector, 1917 = 1
    sector_output: np.ndarray | None = None  # output by sector against prewar (None: none yet)
    industrial_output: float | None = None  # industry's output against prewar (None: none yet)
    goods: float = 1.0  # industry's output against 1917: the goods the towns offer


@dataclass(slots=True)
class Nep:
    """M8 market and managers (``nep``)."""

    markup: float = 1.0  # the trusts' price markup, 1 = none
    scissors: float = 1.0  # industrial against agricultural prices, 1 = 1913 parity
    khozraschet: float = 0.0  # pressure of commercial accounting on the trusts, 0 or 1
    crisis: float = 0.0  # the economic crisis: the scissors' gap, unemployment and hunger, >= 0
    nep_market: float = 0.0  # the market's pull on the party (sales and kulaks), >= 0
    managers_from_workers: float = 0.0  # share of managers who came from the workers, [0, 1]


@dataclass(slots=True)
class Parties:
    """M6 parties (``parties.legality``)."""

    left_sr_grievance: float = 0.0  # the Left SRs' grievance accumulated, years of full grievance
    # a banned party that kept its seats: the greatest threat it posed since its ban, and the step
    # its press was given back (once)
    threat_peak: dict[str, float] = field(default_factory=dict)
    reprieved: dict[str, int] = field(default_factory=dict)
    # while its press is back: the critical articles it has printed, and how many the regime
    # bears (the support's worth against the Whites when the press was given back)
    criticism: dict[str, float] = field(default_factory=dict)
    worth: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Peace:
    """M12 the Left Communists and the peace of Brest-Litovsk (``brest.peace``)."""

    voted: int | None = None  # the step a congress voted on the peace (None: not yet)
    left_communist_share: float = 0.0  # members (by weight) leaning to a revolutionary war, [0, 1]
    # body -> share of its voting delegates not voting for the peace, [0, 1]
    opposition_vote_share: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Kronstadt:
    """M7 rising (``kronstadt.rising``)."""

    garrison_discontent: float = 0.0  # Kronstadt's peasant share times the unrest, [0, 1]


@dataclass(slots=True)
class InnerParty:
    """M11 secretaries and democracy (``inner_party``)."""

    press_share: float = 0.0  # the opposition's share of the party press, [0, 1]
    opposition_member_share: float = 0.0  # members (by weight) in an opposition, [0, 1]
    party_democracy: float = 1.0  # D: elected secretaries x a fair press x tolerance, [0, 1]
    appointed_share: float = 0.0  # secretaries below the centre appointed, [0, 1]
    cc_opposition: int = 0  # the opposition's seats in the last Central Committee elected


@dataclass(slots=True)
class Factions:
    """M12 factions, M13 patronage and M14 confrontations: the oppositions' history."""

    formed: dict[str, int] = field(default_factory=dict)  # opposition -> step it came out
    expelled: dict[str, int] = field(default_factory=dict)  # opposition -> step it was expelled
    defeated: set[str] = field(default_factory=set)  # oppositions (and blocs) defeated
    confronted: dict[str, int] = field(
        default_factory=dict
    )  # opposition -> step of its defeat in a vote
    ratchet: float = 0.0  # the apparatus's control gained from past defeats, [0, 1]
    leningrad_head: int = 0  # the faction of Leningrad's secretary (tree.FACTIONS index)
    expelled_total: int = 0  # oppositionists expelled and not readmitted, persons
    industrial_drive: int | None = None  # step the Centre took up the Left's industrial drive
    leaning: dict[str, float] = field(
        default_factory=dict
    )  # opposition -> members leaning to it, share
    # body -> share of its votes against the Central Committee's line at its first vote, [0, 1]
    vote_share: dict[str, float] = field(default_factory=dict)


@dataclass(slots=True)
class Bureaucracy:
    """M15 bureaucracy (``bureaucracy.components``)."""

    control: float = 0.0  # the apparatus's control over the party, [0, 1]
    control_elsewhere: float = 0.0  # control with the appointed share outside Leningrad, [0, 1]
    cohesion: float = 0.0  # the bureaucracy's cohesion as a class for itself, [0, 1]
    police: float = 0.0  # the apparatus's hold over the police, [0, 1] (a stock)
    production_hold: float = 0.0  # its hold over production, [0, 1]
    opposition_strength: float = 0.0  # members (by weight) in any opposition or the Right, [0, 1]
    apparatus_tradition: float = 0.0  # mean conviction of the members in posts, [0, 1]


@dataclass(slots=True)
class Right:
    """M12/M14 the Right's split and defeat (``right``)."""

    wealth_peak: float = 0.0  # the peasants' highest mean wealth since the NEP (1917 median = 1)
    harm: float = 0.0  # the share of that wealth since lost: what the Centre's course costs, [0, 1]
    plenum: int | None = None  # the step of the last Central Committee plenum (None: none yet)
    # the Right's share of the votes at its defeat over the Left's at the 13th Conference (O7;
    # None: not defeated yet, or undefined)
    strength_vs_left: float | None = None


@dataclass(slots=True)
class Exiles:
    """M16 the expelled Left and its capitulations (``capitulation``): one entry per expelled
    agent (a handful: the leaders and those who would not recant)."""

    weight: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))  # persons
    conviction: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    expelled: int = 0  # persons expelled in all
    capitulated: int = 0  # persons who made their peace, readmitted
    declared: int | None = None  # the step the capitulators' declaration was made (None: not yet)


@dataclass(slots=True)
class Turn:
    """M16 grain strike and the turn (``turn``)."""

    procurement_history: list[float] = field(
        default_factory=list
    )  # grain procured each week, tonnes
    procurement_ratio: float = 0.0  # the last weeks' procurement against a year before


@dataclass(slots=True)
class Readings:
    """The indicators' own (``indicators.observe``): alignments read monthly."""

    delegations: np.ndarray | None = None  # delegates by province and faction (None: not yet read)
