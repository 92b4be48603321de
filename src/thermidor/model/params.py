"""Every parameter of the model, declared once: name, unit, default, range, meaning, source, class.

``source`` is an essay section (``§2``), ``record`` (the historical record, named), or
``modelling`` (a modelling choice). ``cls`` is ``structural`` (war, harvests, foreign revolutions,
initial conditions, rates of social processes), ``political`` (the readiness of a decision rule,
a policy a faction could choose) or ``definition`` (what an outcome means, such as M15's
thresholds: declared before calibration, never calibrated, held fixed in sensitivity analysis and
never counted as structure or choice); sensitivity analysis groups by it. ``calibrated_for`` names the
targets this value was set with in view (a target none of whose parameters names it is
``emergent``). Validation messages are generated from these declarations.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from thermidor.model.errors import ScenarioError

Class = Literal["structural", "political", "definition"]


BOUNDED_UNITS = frozenset({
    "fraction", "fraction of harvest", "fraction of land", "fraction of peasant land",
    "probability", "food ratio",
})  # fmt: skip
"""Units of shares: the model accepts at most 1 for them."""


@dataclass(frozen=True)
class Param:
    name: str
    default: float
    lo: float
    hi: float
    unit: str
    meaning: str
    source: str
    cls: Class
    calibrated_for: tuple[str, ...] = ()
    alternatives: tuple[float, ...] = ()
    """Other values a reader might defend (a ``definition``'s lower and higher threshold,
    declared before the analysis that uses them): the sensitivity analysis repeats its indices
    with every definition at its first and at its last alternative."""

    @property
    def calibrated(self) -> bool:
        """Whether the value was set with targets in view (``calibrated_for``): what an ensemble
        over prior or posterior uncertainty draws (lab/uncertainty.py)."""
        return bool(self.calibrated_for)

    @property
    def group(self) -> str:
        return self.name.split(".", 1)[0]

    @property
    def hard_lo(self) -> float:
        """The smallest value the model accepts: the documented minimum."""
        return float(self.lo)

    @property
    def hard_hi(self) -> float:
        """The largest value the model can take (the documented range is the plausible one).

        1 for shares, probabilities and for indices and ratios declared within [0, 1]; no upper
        limit for rates, elasticities, exponents, durations and counts. Values beyond the
        documented range need ``[run] ranges = "hard"`` in the scenario (a sensitivity analysis's
        widened ranges set it).
        """
        if self.unit in BOUNDED_UNITS or (self.unit in ("index", "ratio") and self.hi <= 1.0):
            return 1.0
        return math.inf

    def allowed(self, hard: bool = False) -> str:
        if not hard:
            return f"a number in [{self.lo:g}, {self.hi:g}] {self.unit}"
        top = "no upper limit" if math.isinf(self.hard_hi) else f"at most {self.hard_hi:g}"
        return f'a number of at least {self.hard_lo:g} ({top}) {self.unit} (run.ranges = "hard")'

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "default": self.default,
            "min": self.lo,
            "max": self.hi,
            "unit": self.unit,
            "meaning": self.meaning,
            "source": self.source,
            "class": self.cls,
            "calibrated_for": list(self.calibrated_for),
            "alternatives": list(self.alternatives),
        }


def _p(
    name: str,
    default: float,
    lo: float,
    hi: float,
    unit: str,
    meaning: str,
    source: str,
    cls: Class = "structural",
    calibrated_for: tuple[str, ...] = (),
    alternatives: tuple[float, ...] = (),
) -> Param:
    return Param(name, default, lo, hi, unit, meaning, source, cls, calibrated_for, alternatives)


# fmt: off
PARAMS: tuple[Param, ...] = (
    # --- M1 consciousness and the soviets (§1, §3) -------------------------------------
    _p("consciousness.grievance_rate", 0.65, 0.0, 10.0, "1/year",
       "growth of a worker's consciousness per unit of grievance, toward 1", "§1; modelling",
       calibrated_for=("T27",)),
    _p("consciousness.contagion", 0.7, 0.0, 1.0, "fraction",
       "share of growth that depends on the city's mean consciousness (contagion)",
       "§1; modelling"),
    _p("consciousness.atomisation_rate", 0.9, 0.0, 5.0, "1/year",
       "decay of consciousness per unit of hunger or unemployment (atomisation, barter)",
       "§2, §7; modelling"),
    _p("consciousness.soldier_rate", 1.6, 0.0, 10.0, "1/year",
       "growth of a soldier's sympathy for peace, land and soviet power per unit of war weariness",
       "§1; modelling"),
    _p("consciousness.fresh_worker", 0.12, 0.0, 1.0, "index",
       "consciousness of a new worker fresh from the village", "§2, §7; modelling"),
    _p("soviets.bolshevik_threshold", 0.5, 0.1, 0.9, "index",
       "consciousness above which an elector backs the Bolsheviks", "§3; modelling"),
    _p("soviets.recall_weeks", 4, 1, 26, "weeks",
       "interval of (re)elections and recalls in 1917", "record: delegates recallable at will"),
    _p("soviets.term_weeks", 13, 4, 52, "weeks",
       "term of a city soviet after October", "record: 1918 constitution, three months"),
    _p("soviets.election_capacity", 0.55, 0.0, 1.0, "index",
       "class capacity K below which a due soviet election lapses (scaled by the war)",
       "§3; modelling", "political"),
    _p("soviets.front_hold", 0.12, 0.0, 1.0, "index",
       "the party's hold (the apparatus's control) times the White threat's easing above which "
       "it has a lapsed soviet re-elected as a front",
       "§3; modelling: set with T10 in view", "political", ("T10",)),
    _p("soviets.front_rate", 100.0, 0.0, 1000.0, "1/year",
       "rate of front elections per unit of the hold above soviets.front_hold (a weekly draw)",
       "§3; modelling: set with T10 in view", "political", ("T10",)),
    _p("insurrection.soviet_support", 0.5, 0.3, 0.9, "fraction",
       "Bolshevik share of the Petrograd soviet the party waits for before it times the "
       "insurrection to a Congress of Soviets (the rule was set with T28 in view: the 2nd "
       "Congress's date is record)", "§1, §3", "political", ("T28",)),
    _p("insurrection.army_sympathy", 0.5, 0.1, 0.9, "fraction",
       "share of the army sympathising without which no insurrection is tried", "§1", "political"),
    # --- M2 class capacity (§2, §3) -----------------------------------------------------
    _p("capacity.w_size", 0.35, 0.0, 1.0, "exponent", "weight of the class's size in K",
       "§2; modelling"),
    _p("capacity.w_consciousness", 0.25, 0.0, 1.0, "exponent",
       "weight of mean consciousness in K", "§2; modelling"),
    _p("capacity.w_hereditary", 0.15, 0.0, 1.0, "exponent",
       "weight of the hereditary workers' share in K", "§2, §7; modelling"),
    _p("capacity.w_employment", 0.15, 0.0, 1.0, "exponent", "weight of employment in K",
       "§5, §7; modelling"),
    _p("capacity.w_food", 0.10, 0.0, 1.0, "exponent", "weight of food in K", "§2; modelling"),
    # --- M3 peasants and the alliance (§1, §4) ------------------------------------------
    _p("land.estate_share", 0.25, 0.0, 1.0, "fraction of peasant land",
       "landlord, state and church land seized and divided", "record: about a quarter more land"),
    _p("land.seizure_rate_1917", 0.4, 0.0, 5.0, "1/year per unit grievance",
       "spontaneous seizure of estates before October", "§1; record: summer 1917"),
    _p("land.seizure_rate", 3.0, 0.1, 20.0, "1/year",
       "pace of division of the remaining estates after the Decree on Land", "§1; record"),
    _p("land.kulak_repartition", 0.9, 0.0, 1.0, "fraction",
       "share of a kulak household's excess wealth the commune repartitions", "§1; record"),
    _p("peasants.sown_share", 0.62, 0.2, 1.0, "fraction of land",
       "share of a household's land sown to grain in a normal year", "record"),
    _p("peasants.burden_sowing_cut", 0.5, 0.0, 2.0, "per unit burden",
       "cut in sowing per unit of last year's requisition burden", "§4; record"),
    _p("peasants.sown_recovery", 0.12, 0.0, 1.0, "fraction/year",
       "most a household can widen its sowing in a year (seed, draught animals)",
       "record: the sown area regained its prewar extent only by 1927"),
    _p("peasants.labour_elasticity", 0.7, 0.0, 2.0, "elasticity",
       "elasticity of sowing to the men left in the village", "§2; modelling"),
    _p("peasants.livestock_loss", 0.18, 0.0, 1.0, "1/year",
       "loss of livestock and implements per unit of civil war in a region", "§2; record"),
    _p("peasants.yield", 0.75, 0.3, 1.5, "t/desyatina", "prewar grain yield", "record"),
    _p("peasants.ration", 0.36, 0.1, 0.5, "t/person/year", "rural grain consumption", "record"),
    _p("peasants.seed", 0.12, 0.0, 0.3, "t/desyatina", "seed kept for sowing", "record"),
    _p("crops.adjust", 0.8, 0.0, 1.0, "fraction per year",
       "how far a household moves its technical crops toward the new target each spring",
       "modelling"),
    _p("crops.elasticity_hemp", 2.6, 0.0, 5.0, "elasticity",
       "response of hemp sowing to the market for it", "§2; modelling", calibrated_for=("T05",)),
    _p("crops.elasticity_flax", 1.45, 0.0, 5.0, "elasticity",
       "response of flax sowing to the market for it", "§2; modelling", calibrated_for=("T06",)),
    _p("crops.elasticity_cotton", 1.2, 0.0, 5.0, "elasticity",
       "response of cotton sowing to the market (and irrigation) for it", "§2; modelling",
       calibrated_for=("T07",)),
    _p("crops.elasticity_sugar_beet", 1.15, 0.0, 5.0, "elasticity",
       "response of sugar-beet sowing to the market (the mills) for it", "§2; modelling",
       calibrated_for=("T08",)),
    _p("support.base", 0.25, -1.0, 1.0, "index",
       "a peasant household's support for the regime with no threat and no burden",
       "§4; modelling"),
    _p("support.land_gain", 0.35, 0.0, 2.0, "index",
       "support for the regime that gave the land, while the land is threatened", "§1, §4"),
    _p("support.burden", 1.0, 0.0, 5.0, "index per unit burden",
       "loss of support per unit of requisition burden", "§4", calibrated_for=("T13",)),
    _p("support.hunger", 0.8, 0.0, 5.0, "index", "loss of support from rural hunger", "§4"),
    _p("support.nep", 0.4, 0.0, 2.0, "index",
       "support regained from the free market under the NEP", "§4"),
    _p("support.dispersion", 0.25, 0.0, 1.0, "index",
       "spread of villages' own leanings (local grievances, village politics)", "modelling"),
    _p("support.rate", 3.0, 0.1, 20.0, "1/year", "speed of adjustment of support", "modelling"),
    # --- M4 civil war (§2) --------------------------------------------------------------
    _p("war.old_army_demobilisation", 5.0, 0.5, 20.0, "1/year",
       "dissolution of the old army after October and the peace", "record"),
    _p("war.conscription_peasants", 0.045, 0.0, 0.3, "1/year at full intensity",
       "conscription of villagers into the Red Army", "§2; record", calibrated_for=("T01",)),
    _p("war.conscription_workers", 0.25, 0.0, 0.5, "1/year at full intensity",
       "conscription and volunteering of workers", "§2; record", calibrated_for=("T01",)),
    _p("war.militant_bias", 2.0, 0.0, 5.0, "exponent",
       "how far volunteers, casualties and promotions come from the most conscious", "§2"),
    _p("war.casualties", 0.12, 0.0, 0.5, "1/year at full intensity",
       "deaths (battle, typhus) among Red Army soldiers", "record"),
    _p("war.desertion", 0.35, 0.0, 2.0, "1/year at full intensity",
       "desertion of peasant soldiers back to the village", "record"),
    _p("war.peace_army", 600_000, 100_000, 3_000_000, "persons",
       "strength of the peacetime Red Army", "record: about 560,000 by 1924"),
    _p("war.red_demobilisation", 1.5, 0.0, 10.0, "1/year",
       "demobilisation of the Red Army above its peacetime strength when the war ends", "record"),
    _p("war.commissar_rate", 0.25, 0.0, 2.0, "1/year at full intensity",
       "promotion of conscious worker-soldiers to commissars and cadres (they leave the class)",
       "§2"),
    _p("war.kronstadt_rotation", 0.6, 0.0, 5.0, "1/year at full intensity",
       "departure of the fleet's militants to the front", "§4"),
    _p("war.kronstadt_garrison", 20_000, 5_000, 60_000, "persons",
       "establishment of the Kronstadt garrison, refilled with conscripts", "record"),
    _p("hunger.return_rate", 2.5, 0.0, 3.0, "1/year per unit food deficit",
       "return of workers with village ties to the land when the towns starve", "§2",
       calibrated_for=("T01",)),
    _p("hunger.flight_rate", 1.0, 0.0, 3.0, "1/year per unit food deficit",
       "flight of other townsfolk to the villages", "§2; record"),
    _p("hunger.urban_mortality", 0.02, 0.0, 0.2, "1/year", "urban deaths in a normal year",
       "record"),
    _p("hunger.famine_mortality", 0.08, 0.0, 0.5, "1/year per unit food deficit",
       "extra deaths from hunger and typhus", "record"),
    _p("hunger.rural_births", 0.043, 0.0, 0.08, "1/year", "rural births", "record"),
    _p("hunger.rural_deaths", 0.028, 0.0, 0.08, "1/year", "rural deaths in a normal year",
       "record"),
    _p("hunger.partition", 0.02, 0.0, 0.1, "1/year",
       "partition of peasant households (new households)", "record"),
    # --- M5 industry (§2, §5) -----------------------------------------------------------
    _p("industry.war_damage", 0.9, 0.0, 5.0, "1/year at full fighting",
       "destruction of mines, furnaces and mills in a war zone", "§2; record",
       calibrated_for=("T04",)),
    _p("industry.restoration", 0.35, 0.0, 1.0, "1/year",
       "restoration of destroyed capacity in peace", "record"),
    _p("industry.transport_decay", 0.25, 0.0, 3.0, "1/year at full intensity",
       "wear of the railways in the war", "record: the transport crisis of 1920"),
    _p("industry.transport_recovery", 0.3, 0.0, 2.0, "1/year", "repair of the railways",
       "record"),
    _p("industry.food_elasticity", 0.3, 0.0, 3.0, "elasticity",
       "elasticity of labour productivity to food", "§2", calibrated_for=("T02", "T03")),
    _p("industry.skill_elasticity", 0.3, 0.0, 3.0, "elasticity",
       "elasticity of productivity to the share of skilled, hereditary workers", "§2"),
    _p("industry.fuel_elasticity", 0.5, 0.0, 2.0, "elasticity",
       "elasticity of other sectors' output to fuel", "§2; record"),
    _p("industry.coke_elasticity", 1.5, 0.0, 4.0, "elasticity",
       "elasticity of pig iron to fuel (coke: a blast furnace cannot run on firewood)",
       "§2; record", calibrated_for=("T04",)),
    _p("industry.productivity_recovery", 0.3, 0.0, 2.0, "1/year",
       "recovery of output per worker toward its prewar level in peace", "§5; record"),
    _p("industry.hiring_rate", 0.6, 0.0, 5.0, "1/year",
       "refilling of factories with peasants when jobs outnumber workers", "§2, §5"),
    _p("industry.layoff_rate", 0.3, 0.0, 5.0, "1/year",
       "dismissal of workers when workers outnumber jobs", "§5"),
    # --- M6 single-party state (§3) ----------------------------------------------------
    _p("parties.ban_readiness", 0.85, 0.0, 1.0, "index",
       "readiness to outlaw a party whose members stand on both sides of a civil war",
       "§3", "political", ("T09",)),
    _p("parties.white_share_kadets", 0.9, 0.0, 1.0, "fraction",
       "share of the Kadets on the side of the counter-revolution", "§3; record"),
    _p("parties.white_share_right_srs", 0.55, 0.0, 1.0, "fraction",
       "share of the Right SRs on the side of the counter-revolution", "§3"),
    _p("parties.white_share_mensheviks", 0.3, 0.0, 1.0, "fraction",
       "share of the Mensheviks sympathetic to the Whites (Volga, Samara)", "§3"),
    _p("parties.reprieve_margin", 0.15, 0.0, 1.0, "fraction",
       "how far below its peak since the ban the threat of a banned party must ease for its "
       "press to be given back", "§3; modelling", "political"),
    _p("parties.press_criticism", 312.0, 0.0, 1000.0, "articles/year",
       "critical articles a reprieved press prints at full civil-war intensity (the terror and "
       "the requisitions to criticise; a Poisson draw each week)",
       "§3; record: the Mensheviks' Vsegda Vpered, a daily (six issues a week), and Martov's "
       "'Down with the death penalty!' (February 1919); modelling: one such article an issue",
       "structural", ("T32",)),
    _p("parties.press_tolerance", 126.0, 0.0, 1000.0, "articles",
       "critical articles the regime bears from a reprieved press per unit of the White threat "
       "when it gave the press back (their support against the Whites)",
       "§3; modelling: set with T32 in view", "political", ("T32",)),
    _p("parties.left_sr_tolerance", 0.45, 0.05, 3.0, "years of grievance",
       "how long the Left SRs bear the peace and the requisitions before resorting to terror",
       "§3; record"),
    # --- M7 Kronstadt and the NEP (§4) --------------------------------------------------
    _p("kronstadt.threshold", 0.415, 0.0, 1.0, "index",
       "discontent of the garrison at which it rises",
       "§4; record: the rising of 1 March 1921 (0.417 -> 0.415 in issue 17 with the meeting's "
       "majority rule, T13 and O2 in view)",
       calibrated_for=("T13", "O2")),
    _p("kronstadt.threat_ceiling", 0.15, 0.0, 1.0, "index",
       "White threat above which peasant-soldiers hold to the regime", "§4"),
    _p("kronstadt.repression_deaths", 0.1, 0.0, 1.0, "fraction",
       "share of the garrison killed or shot when the rising is put down", "record"),
    _p("nep.readiness", 0.5, 0.0, 1.0, "index",
       "readiness to give the peasants a market once unrest (or a rising) presses",
       "§4", "political"),
    _p("nep.tax_share", 0.1, 0.0, 0.5, "fraction of harvest",
       "the tax in kind that replaces requisitions", "record"),
    # --- grain and requisitions (§4) ----------------------------------------------------
    _p("grain.market_sales", 0.7, 0.0, 5.0, "fraction/year",
       "share of a household's yearly surplus sold when industry has goods to offer (the rest is eaten, fed to livestock or distilled)", "record"),
    _p("grain.requisition_rate", 0.3, 0.0, 5.0, "fraction/year",
       "share of the assessed surplus (and a fifth of the ration) that the squads take in a year", "§4; record"),
    _p("grain.kulak_bias", 1.5, 1.0, 5.0, "ratio",
       "extra pressure of requisitions on kulak households", "record"),
    _p("grain.black_market", 0.08, 0.0, 2.0, "fraction/year",
       "share of the surplus sold through bagmen and the black market under requisition", "record"),
    _p("grain.urban_drawdown", 8.0, 1.0, 52.0, "weeks",
       "the towns' grain stock is drawn down over this many weeks", "modelling"),
    _p("grain.distance_petrograd", 1.6, 0.0, 4.0, "exponent",
       "how much worse Petrograd eats than the towns' average (far from the grain)",
       "§2; record: Petrograd lost two thirds of its people by 1920"),
    _p("grain.distance_moscow", 0.8, 0.0, 4.0, "exponent",
       "how much worse Moscow eats than the towns' average", "record"),
    _p("grain.distance_other", 0.6, 0.0, 4.0, "exponent",
       "how the provincial towns, nearer the grain, eat against the average", "record"),
    _p("grain.urban_ration", 0.2, 0.1, 0.4, "t/person/year", "urban grain need", "record"),
    _p("grain.army_ration", 0.6, 0.1, 0.6, "t/person/year", "army grain need", "record"),
    _p("grain.food_memory", 4.0, 1.0, 52.0, "weeks",
       "time over which towns average their food supply (stocks, queues)", "modelling"),
    _p("requisition.food_trigger", 0.45, 0.0, 1.0, "food ratio",
       "urban food ratio below which the regime turns to requisitions", "§4", "political"),
    # --- M9 the party (§5) --------------------------------------------------------------
    _p("party.militant_recruitment", 0.045, 0.0, 5.0, "1/year",
       "joining of conscious workers and soldiers in 1917", "§5; record"),
    _p("party.need_recruitment", 4.0, 0.0, 5.0, "1/year",
       "recruitment to staff the state and the army (members per official short)",
       "§5; record: the party's size at the 8th-11th Congresses (Rigby 1968), the 1919 party "
       "weeks (record check, not a TARGETS.csv figure: data/party_membership.csv)"),
    _p("party.careerist_recruitment", 0.006, 0.0, 0.02, "1/year",
       "joining of those who see who is winning (share of the urban and army population)",
       "§5", calibrated_for=("T11",)),
    _p("party.lapse_rate", 0.5, 0.0, 3.0, "1/year",
       "lapsing of weakly convinced members under hardship", "record: 1918"),
    _p("party.front_mortality", 2.0, 0.0, 5.0, "ratio",
       "mortality of communists at the front against other soldiers",
       "§2 (the most militant fought most); modelling: the ratio is not recorded; 2.0 was set "
       "before any target was scored"),
    _p("party.purge_1919", 0.1, 0.0, 0.5, "fraction", "share removed in the 1919 re-registration",
       "record"),
    _p("party.purge_1921", 0.24, 0.0, 0.5, "fraction", "share removed in the 1921 purge",
       "record: about a quarter"),
    # --- M10 the state apparatus (§5) ---------------------------------------------------
    _p("apparatus.war_growth", 3.0, 0.0, 10.0, "ratio",
       "growth of the apparatus's staff per unit of war communism", "§5; record"),
    _p("apparatus.hiring_rate", 0.8, 0.0, 5.0, "1/year", "speed of staffing the apparatus",
       "modelling"),
    _p("apparatus.workers_share", 0.12, 0.0, 1.0, "fraction",
       "share of new officials lifted from the workers (the most militant)", "§2, §5"),
    # --- M17 world revolution (§1, §2, §7) ---------------------------------------------
    _p("world.p_germany_1918", 0.0, 0.0, 1.0, "probability",
       "success of the German and Austrian revolution of 1918-19", "§2", "structural"),
    _p("world.p_hungary_bavaria_1919", 0.0, 0.0, 1.0, "probability",
       "the Hungarian and Bavarian soviet republics hold", "§2", "structural"),
    _p("world.p_italy_1920", 0.0, 0.0, 1.0, "probability",
       "the Italian factory occupations become a revolution", "§2; record", "structural"),
    _p("world.aid", 0.4, 0.0, 1.0, "index",
       "material aid from a revolution abroad (inputs to industry, an end to intervention)",
       "§1, §2"),
    # --- M8 the NEP economy (§4, §5) ---------------------------------------------------
    _p("nep.migration", 0.006, 0.0, 0.1, "1/year",
       "villagers coming to the towns for work under the NEP (rural overpopulation)",
       "§5, §7; record", calibrated_for=("T20",)),
    _p("nep.unemployed_return", 0.3, 0.0, 3.0, "1/year",
       "return of unemployed newcomers with village ties to the land", "§5; record: seasonal work"),
    _p("nep.markup_growth", 1.0, 0.0, 5.0, "1/year",
       "growth of the trusts' markup once industry works on commercial account", "§5; record"),
    _p("nep.price_adjustment", 2.5, 0.1, 10.0, "1/year",
       "speed at which relative prices follow the balance of town and country supply", "modelling"),
    _p("nep.scissors_tolerance", 2.6, 1.0, 5.0, "ratio",
       "price scissors at which the regime imposes price cuts on the trusts", "§5", "political"),
    _p("nep.differentiation", 0.02, 0.0, 0.5, "1/year",
       "how much faster richer households grow under the market (kulak differentiation)",
       "§4, §8; modelling"),
    _p("managers.turnover", 2.2, 0.0, 5.0, "1/year",
       "replacement of managers from the workers once industry works on commercial account",
       "§5", calibrated_for=("T19",)),
    _p("managers.khozraschet_years", 1.9, 0.1, 5.0, "years",
       "how long after the NEP commercial accounting (the trusts) takes effect", "§5; record",
       calibrated_for=("T18",)),
    _p("managers.from_workers_hiring", 0.1, 0.0, 1.0, "fraction",
       "share of new managers drawn from the workers under one-man management", "§5"),
    _p("managers.from_workers_1921", 0.68, 0.0, 1.0, "fraction",
       "share of managers classed as workers when the NEP begins", "record (§5's 1922 figure)"),
    # --- M10 the apparatus and the old officials (§5) -----------------------------------
    _p("apparatus.responsible_share", 0.04, 0.0, 0.5, "fraction",
       "share of the apparatus's posts that are leading ('responsible') posts", "record"),
    _p("apparatus.communist_responsible_bias", 6.0, 1.0, 50.0, "ratio",
       "how much likelier a communist official is to hold a responsible post", "§5"),
    _p("apparatus.norm_drift", 0.25, 0.0, 3.0, "1/year",
       "drift of communist officials' convictions toward the old officials' norms", "§5"),
    _p("apparatus.nep_size", 1.2, 0.0, 10.0, "ratio",
       "the apparatus's staff under the NEP against 1917", "§5; record"),
    # --- M11 democracy inside the party (§5) --------------------------------------------
    _p("factions.ban_readiness", 0.6, 0.0, 1.0, "index",
       "readiness of a congress to ban factions when isolation and peasant revolt press",
       "§5", "political"),
    _p("party.appointment_rate", 0.5, 0.0, 10.0, "1/year",
       "replacement of elected secretaries by appointees, per unit of control squared",
       "§5; 0.35 -> 0.5 in issue 17 so that the Left is confronted in autumn 1923 on the new "
       "control", "political", ("T23",)),
    _p("party.election_contest", 0.3, 0.0, 2.0, "per unit K",
       "chance that a secretary's election is contested, per unit of the class's capacity K plus "
       "half the share of the province's members in an opposition from below",
       "§5, §7; modelling: set before any target was scored"),
    _p("party.election_term", 1.0, 0.25, 4.0, "years",
       "term of an elected secretary once elections are restored (the Left's platform)",
       "record: party conferences met yearly; modelling"),
    _p("party.fear", 0.15, 0.01, 1.0, "exponent",
       "open votes ('Who is against?'): a member votes against the line only if his conviction "
       "exceeds control ** fear", "§5; modelling: 0.2 -> 0.15 in issue 17 on the new control",
       "structural", ("T22",)),
    _p("party.cc_opposition_inclusion", 1.0, 0.0, 2.0, "ratio",
       "how far the leadership's slate names opposition candidates for the Central Committee, "
       "per unit of the opposition's share of the members (rounded up)", "§5",
       "political"),
    # --- M12 factions (§6-§8) -----------------------------------------------------------
    _p("factions.left_appeal", 0.8, 0.0, 5.0, "index",
       "pull of the Left's programme on convinced members per unit of crisis and bureaucracy",
       "§7"),
    _p("factions.right_pull", 0.6, 0.0, 5.0, "index",
       "pull toward the Right of contact with peasants, kulaks and traders", "§8"),
    _p("factions.right_rally", 75.0, 0.0, 100.0, "index",
       "pull toward the Right, per unit of contact and of conviction, of the harm done to the "
       "peasants (the share of their wealth lost since its height under the NEP; a harm of 0.2 "
       "at rally 75 adds 15 to the market's pull, about 0.3-0.8)", "§8, §9; modelling: set in "
       "issue 17 with the split's date in view (at 3 the Right never came out)",
       calibrated_for=("T39",)),
    _p("factions.centre_pull", 0.5, 0.0, 5.0, "index",
       "pull toward the Centre of a post in the apparatus", "§8"),
    # --- M12 the Left Communists and Brest (§5) ------------------------------------------
    _p("brest.war_appeal", 0.68, 0.0, 2.0, "index",
       "pull of a revolutionary war on a member, per unit of conviction (the militants of 1917 "
       "expected the German revolution)", "§1, §5; modelling", calibrated_for=("T30",)),
    _p("brest.waver_margin", 0.05, 0.0, 1.0, "index",
       "how near the two pulls must be for a member to waver (abstain)", "modelling"),
    _p("brest.spread", 0.2, 0.01, 1.0, "index",
       "width of the logistic by which the balance of the pulls decides a member's stance "
       "(what the model does not know of each member's reasons)", "modelling"),
    _p("factions.formation_share", 0.17, 0.0, 1.0, "fraction",
       "share of members an opposition needs to come out with a platform (after the faction ban; "
       "factions.platforms_free of it before)", "§5, §7; modelling", "structural", ("T29",)),
    _p("factions.platforms_free", 0.25, 0.05, 1.0, "fraction",
       "the fraction of factions.formation_share an opposition needs before the faction ban "
       "(platforms were taken for granted)", "§5; 0.4 -> 0.25 in issue 17 with T29 in view: "
       "the Workers' Opposition, about 5% of members, comes out", "structural", ("T29",)),
    _p("factions.scissors_trigger", 2.25, 1.0, 5.0, "ratio",
       "price scissors (the economic crisis of 1923) past which the Left may come out", "§5, §7; "
       "2.2 -> 2.25 in issue 17 with T33 in view (the platform of mid-October 1923)",
       "structural", ("T23", "T33")),
    _p("factions.left_rate", 400.0, 0.0, 2000.0, "1/year per unit ratio",
       "hazard of the Left's platform coming out, per unit of the scissors past the trigger",
       "§5, §7; modelling: set in issue 17 with T33 in view (record: the strikes of Aug-Sept "
       "1923, the Platform of the 46 on 15 October)", "political", ("T33",)),
    _p("factions.unite_rate", 80.0, 0.0, 2000.0, "1/year per (control-year)^2",
       "hazard of Leningrad's defeated leaders and the Left uniting, per unit of the square of the "
       "estrangement (the apparatus's control summed over the years since Leningrad's defeat)",
       "§9; modelling: set in issue 17 with T35 in view (record: spring-summer 1926)",
       "political", ("T35",)),
    _p("patronage.loyalty", 1.0, 0.0, 5.0, "index",
       "pull of one's secretary on a member, times (1 - conviction): careerists follow", "§5, §8"),
    _p("patronage.follow_rate", 20.0, 0.0, 100.0, "1/year",
       "how fast an appointed secretary follows his patron's line (a sub-tree follows its head)",
       "§5 (Leningrad flipped within weeks)"),
    _p("patronage.split_control", 0.63, 0.0, 1.0, "index",
       "control of the apparatus at which a sub-tree's own head turns against the centre",
       "§9; 0.69 -> 0.63 in issue 17 on the new control (then the split at the 14th Conference; "
       "now it only opens the way to the break, a draw before a congress: oppositions.py)",
       "political", ("T21", "T34")),
    _p("patronage.congress_preparation", 0.19, 0.0, 1.0, "years",
       "how long before a congress the Central Committee adopts its theses (the preparation that "
       "Leningrad's head must fight before)",
       "record: the plenum of 3-10 October 1925 prepared the 14th Congress of 18 December (ten "
       "weeks)", "structural"),
    _p("patronage.congress_stakes", 0.002, 0.0, 1.0, "years^2",
       "Leningrad's head's hazard of breaking with the centre is this over the cube of the years "
       "left to the next congress's preparation (the congress elects the Central Committee that "
       "decides his place)",
       "§5, §9; record: the split in the autumn before the 14th Congress; modelling: set in issue "
       "17 with T34 and T21 in view (the delegation is read on 1 December)", "political",
       ("T21", "T34")),
    # --- M14 confrontations and the ratchet (§9) ----------------------------------------
    _p("confrontation.tolerance", 0.42, 0.0, 1.0, "index",
       "opposition strength the centre tolerates, scaled by (1 - control)",
       "§9; 0.45 -> 0.42 in issue 17 with T23 in view", "political", ("T23",)),
    _p("confrontation.discussion_rate", 10.0, 0.0, 200.0, "1/year",
       "hazard of the Politburo opening a party-wide discussion of the Left's platform, per unit "
       "of the Left's support over what the centre tolerates",
       "§7, §9; record: the discussion opened three weeks after the Platform of the 46 (Pravda, 7 "
       "November 1923); modelling: set in issue 17 with T23 in view", "political", ("T23",)),
    _p("confrontation.ratchet", 0.2, 0.0, 1.0, "index",
       "step in the apparatus's control after each confrontation (not undone)",
       "§9; modelling: 0.25 -> 0.2 in issue 17, with the consolidation's date in view (at 0.25 the "
       "last expulsion alone lifted control past its threshold, on the congress's date)",
       calibrated_for=("T24",)),
    _p("confrontation.plenum_rate", 4.0, 0.0, 52.0, "1/year",
       "hazard of a Central Committee plenum meeting (where the Right is confronted)",
       "record: the Central Committee met in plenum three or four times a year, 1926-29"),
    _p("confrontation.demotion", 0.8, 0.0, 1.0, "fraction",
       "share of opposition secretaries replaced by appointees in a confrontation", "§9"),
    _p("confrontation.expulsion", 0.6, 0.0, 1.0, "fraction",
       "share of an opposition's open opponents of the line (its leaders and those who will not "
       "recant) expelled when it persists after a defeat", "§9",
       "political"),
    _p("confrontation.exile_rate", 12.0, 0.0, 52.0, "1/year",
       "hazard of deporting the expelled, per unit of the police's hold", "§9; record: January "
       "1928", "political", ("T37",)),
    # --- M15 the bureaucracy as a class (§8, §9) ----------------------------------------
    _p("bureaucracy.police_rate", 1.0, 0.1, 10.0, "1/year",
       "speed at which the police's hold moves toward what the soviets leave unchecked (1 - W)",
       "§3, §5; modelling (the Cheka outgrew the soviets' control within the civil war)"),
    _p("bureaucracy.control_threshold", 0.8, 0.0, 1.0, "index",
       "control at which the bureaucracy is a class in itself (declared before calibration)",
       "§8, §9; modelling: declared in issue 17 before any run was scored; alternatives 0.7 and "
       "0.9 declared in issue 18 before the robustness table was run", "definition", (),
       (0.7, 0.9)),
    _p("bureaucracy.cohesion_threshold", 0.8, 0.0, 1.0, "index",
       "cohesion at which it is a class for itself (declared before calibration)",
       "§8, §9; modelling: declared in issue 17 before any run was scored; alternatives 0.7 and "
       "0.9 declared in issue 18 before the robustness table was run", "definition", (),
       (0.7, 0.9)),
    _p("bureaucracy.opposition_scale", 0.2, 0.01, 1.0, "fraction",
       "share of the members in opposition at which no cohesion is left (it falls linearly to it)",
       "§9; modelling: the old rule's factor 5 (1/0.2), kept; alternatives 0.1 and 0.3 declared "
       "in issue 18 before the robustness table was run", "definition", (), (0.1, 0.3)),
    # --- M16 the grain strike and the turn (§7, §9) -------------------------------------
    _p("grain.strike_ratio", 0.75, 0.0, 1.0, "ratio",
       "procurements against the year before below which peasants are on strike", "§9; modelling"),
    _p("grain.price_elasticity", 1.5, 0.0, 5.0, "elasticity",
       "response of peasant sales to the terms of trade (scissors) and the goods on offer", "§7"),
    _p("turn.goods_famine", 0.5, 0.0, 1.0, "fraction",
       "cut in consumer goods for the villages once the centre drives industrialisation", "§7, §9"),
    _p("turn.price_cut", 0.15, 0.0, 0.5, "fraction",
       "cut in the state's grain prices to pay for industrialisation", "§9; record: 1926-27"),
    _p("turn.readiness", 0.5, 0.0, 1.0, "index",
       "readiness of a consolidated bureaucracy to answer a grain strike by force (a weekly hazard of "
       "4 x readiness per year once both hold)", "§9",
       "political"),
    _p("turn.extraction", 0.5, 0.0, 1.0, "fraction/year",
       "share of the surplus taken by force after the turn", "§9"),
    _p("turn.collectivisation", 0.3, 0.0, 3.0, "1/year",
       "pace at which households of every stratum lose their holdings after the turn", "§9"),
    _p("capitulation.rate", 150.0, 0.0, 1000.0, "1/year",
       "hazard of an expelled oppositionist's recanting, per unit of the Left's programme adopted, "
       "of pressure and of (1 - conviction) (the expelled are the most convinced: their "
       "1 - conviction is a few hundredths)", "§9; modelling: set in issue 17 with the "
       "declaration's date in view (60 -> 150)", "political", ("T40",)),
    _p("capitulation.declared_share", 0.5, 0.0, 1.0, "fraction",
       "share of the expelled who have recanted when the capitulators declare (declared before "
       "calibration)", "§9; record: most of the exiled Left had made their peace by the end of "
       "1929; modelling: declared in issue 17 before any run was scored; alternatives a third and "
       "two thirds declared in issue 18", "definition", (), (1 / 3, 2 / 3)),
    # --- M17 (continued) -----------------------------------------------------------------
    _p("world.p_germany_1923", 0.0, 0.0, 1.0, "probability",
       "success of the German revolution of 1923", "§7; record", "structural"),
    _p("world.isolation_years", 7.5, 1.0, 20.0, "years",
       "years of isolation after which the apparatus takes up 'socialism in one country'",
       "§7 (orthodoxy rejected for good in 1925)"),
    _p("policy.planned_industry", 0.0, 0.0, 1.0, "index",
       "planned industrialisation with a squeeze on the rich peasant from 1923 (the Left's plank)",
       "§7", "political"),
    _p("policy.peasant_concessions", 0.0, 0.0, 1.0, "index",
       "continued concessions to the peasantry after 1927 (higher grain prices, goods)",
       "§8", "political"),
)
# fmt: on

BY_NAME: dict[str, Param] = {p.name: p for p in PARAMS}
CALIBRATED: tuple[Param, ...] = tuple(p for p in PARAMS if p.calibrated and p.cls != "definition")
"""The parameters set with targets in view, in declaration order (never one that defines an
outcome: class ``definition``). No parameter declares a prior of its own: an ensemble over prior
uncertainty draws each uniformly over its documented range."""


class Params(Mapping[str, float]):
    """Resolved parameter values: defaults overridden by a scenario, validated."""

    def __init__(
        self,
        overrides: Mapping[str, Any] | None = None,
        prefix: str = "params",
        hard: bool = False,
    ) -> None:
        values = {p.name: float(p.default) for p in PARAMS}
        for name, value in (overrides or {}).items():
            values[name] = validate_value(name, value, prefix, hard)
        self._values = values

    def __getitem__(self, name: str) -> float:
        return self._values[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values)

    def __len__(self) -> int:
        return len(self._values)

    def changed(self) -> dict[str, float]:
        return {k: v for k, v in self._values.items() if v != BY_NAME[k].default}


def suggest(name: object, options: list[str]) -> str:
    close = difflib.get_close_matches(str(name), options, n=1, cutoff=0.5)
    return f"did you mean {close[0]!r}?" if close else ""


def validate_value(name: str, value: Any, prefix: str = "params", hard: bool = False) -> float:
    """The value as a float, within the documented range (``hard``: within the hard bounds)."""
    path = f"{prefix}.{name}"
    param = BY_NAME.get(name)
    if param is None:
        raise ScenarioError(path, value, "a declared parameter", suggest(name, list(BY_NAME)))
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ScenarioError(path, value, param.allowed(hard), "wrong type")
    v = float(value)
    lo, hi = (param.hard_lo, param.hard_hi) if hard else (param.lo, param.hi)
    if not (lo <= v <= hi):  # also rejects NaN
        raise ScenarioError(path, value, param.allowed(hard))
    return v


def json_schema() -> dict[str, Any]:
    """JSON Schema of the ``[params]`` table of a scenario."""
    props: dict[str, Any] = {}
    for p in PARAMS:
        props[p.name] = {
            "type": "number",
            "minimum": p.lo,
            "maximum": p.hi,
            "x-hard-bounds": [p.hard_lo, None if math.isinf(p.hard_hi) else p.hard_hi],
            "default": p.default,
            "description": f"{p.meaning} [{p.unit}] (source: {p.source}; class: {p.cls})",
            "x-unit": p.unit,
            "x-source": p.source,
            "x-class": p.cls,
        }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "thermidor scenario parameters",
        "type": "object",
        "properties": props,
        "additionalProperties": False,
    }


def schema_json() -> str:
    return json.dumps(json_schema(), indent=2, sort_keys=True)
