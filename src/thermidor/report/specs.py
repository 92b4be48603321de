"""What the report and the dashboard draw, declared once: sections, figures, panels and series.

A panel lists indicator columns; a name ending in ``:*`` stands for every column with that
prefix (``faction_share:*``). A run that lacks a column simply lacks that line; a figure none of
whose columns the run has is not drawn, and the page says so. The web page draws the same
figures from ``as_json()``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from thermidor.model.indicators import UNITS
from thermidor.model.targets import load_targets, window_centre

Kind = Literal["line", "harvest", "annual_sum"]


@dataclass(frozen=True)
class Section:
    id: str
    title: str


SECTIONS: tuple[Section, ...] = (
    Section("runs", "What was run"),
    Section("chronology", "Chronology"),
    Section("targets", "Targets: the model against the essay"),
    Section("outcomes", "Outcomes: the probability of consolidation"),
    Section("classes", "Class structure"),
    Section("output", "Industry and crops against the essay's 1920 figures"),
    Section("party", "The party"),
    Section("indices", "Capacity, democracy and control"),
    Section("factions", "Factions and the votes at each confrontation"),
    Section("grain", "The grain market"),
    Section("sensitivity", "Sensitivity"),
)


@dataclass(frozen=True)
class Panel:
    title: str
    series: tuple[str, ...]
    unit: str
    log: bool = False
    kind: Kind = "line"


@dataclass(frozen=True)
class FigureSpec:
    id: str
    section: str
    title: str
    about: str
    panels: tuple[Panel, ...]


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "fig-classes", "classes", "The classes over time",
        "Workers, officials, party members and soldiers in persons; the working class against "
        "its 1917 level; the peasantry in households and by stratum.",
        (
            Panel("Persons", ("working_class", "state_officials", "party_members", "red_army",
                              "unemployed"), "persons (log scale)", log=True),
            Panel("The working class against 1917", ("working_class_vs_1917",),
                  "ratio to March 1917"),
            Panel("Peasant households", ("peasant_households",), "households"),
            Panel("Peasant strata", ("peasant_share:*",), "fraction of households"),
        ),
    ),
    FigureSpec(
        "fig-industry", "output", "Industrial output against prewar",
        "All industry, output per worker and output by sector, against 1913; the essay's 1920 "
        "figures are marked with their tolerance.",
        (
            Panel("All industry", ("industrial_output_vs_prewar",
                                   "labour_productivity_vs_prewar"), "ratio to 1913"),
            Panel("By sector", ("sector_output_vs_prewar:*",), "ratio to 1913"),
        ),
    ),
    FigureSpec(
        "fig-crops", "output", "Technical crops against prewar",
        "Each harvest of flax, hemp, cotton and sugar beet against 1913; the essay's 1920 "
        "figures are marked with their tolerance.",
        (Panel("Harvests", ("crop_output_vs_prewar:*",), "ratio to 1913", kind="harvest"),),
    ),
    FigureSpec(
        "fig-party", "party", "The party's size and composition",
        "Members; the share of old Bolsheviks (joined before February 1917); members by social "
        "origin; the old officials in the apparatus and the managers risen from the bench.",
        (
            Panel("Members", ("party_members",), "persons"),
            Panel("Old Bolsheviks", ("old_bolshevik_share",), "fraction of members"),
            Panel("Social origin", ("party_origin_share:*",), "fraction of members"),
            Panel("Apparatus and managers", ("apparatus_ex_tsarist_share",
                                             "managers_from_workers_share"), "fraction"),
        ),
    ),
    FigureSpec(
        "fig-indices", "indices", "Indices of capacity, democracy and control",
        "The class's collective capacity, workers' democracy, party democracy, and the "
        "bureaucracy's control and cohesion (0 to 1).",
        (
            Panel("Indices", ("class_capacity", "workers_democracy", "party_democracy",
                              "bureaucratic_control", "bureaucratic_cohesion",
                              "bureaucratic_consolidation"), "index (0-1)"),
        ),
    ),
    FigureSpec(
        "fig-factions", "factions", "Faction shares in the party",
        "Each faction's share of the members' alignment.",
        (Panel("Factions", ("faction_share:*",), "fraction of members"),),
    ),
    FigureSpec(
        "fig-grain", "grain", "The grain market",
        "Grain harvests against prewar, the share of the harvest marketed, the state's "
        "procurements by calendar year (the first and last years of a run may be partial), and "
        "the price scissors between town and country.",
        (
            Panel("Grain harvest", ("grain_harvest_vs_prewar",), "ratio to 1913", kind="harvest"),
            Panel("Marketed share", ("marketed_grain_share",), "fraction of the last harvest"),
            Panel("Procurements", ("grain_procurement",), "tonnes per year", kind="annual_sum"),
            Panel("Price scissors", ("price_scissors",), "industrial / agricultural prices"),
        ),
    ),
)  # fmt: skip

LABELS: dict[str, str] = {
    "working_class": "working class",
    "state_officials": "state officials",
    "party_members": "party members",
    "red_army": "Red Army",
    "unemployed": "unemployed",
    "working_class_vs_1917": "working class",
    "peasant_households": "households",
    "industrial_output_vs_prewar": "industrial output",
    "labour_productivity_vs_prewar": "output per worker",
    "old_bolshevik_share": "old Bolsheviks",
    "apparatus_ex_tsarist_share": "ex-Tsarist officials in the apparatus",
    "managers_from_workers_share": "managers from the workers",
    "class_capacity": "class capacity",
    "workers_democracy": "workers' democracy",
    "party_democracy": "party democracy",
    "bureaucratic_control": "bureaucratic control",
    "bureaucratic_cohesion": "bureaucratic cohesion",
    "bureaucratic_consolidation": "bureaucratic consolidation",
    "grain_harvest_vs_prewar": "grain harvest",
    "marketed_grain_share": "marketed share",
    "grain_procurement": "procurements",
    "price_scissors": "price scissors",
}


# Every event kind (model/events.py) as the words a reader sees; the kind itself is what
# ``--event KIND`` and the store's ``events`` table take, and stays in the page as a tooltip.
EVENT_NAMES: dict[str, str] = {
    "bolshevik_majority_in_soviets": "Bolshevik majority in the soviet",
    "insurrection": "insurrection",
    "land_decree": "land decree",
    "kadets_banned": "Kadets banned",
    "right_srs_banned": "Right SRs banned",
    "press_reprieve": "press reprieved",
    "press_closed": "press closed again",
    "opposition_unseated": "opposition parties unseated",
    "foreign_revolution_begins": "revolution abroad begins",
    "left_communists_formed": "Left Communists formed",
    "brest_peace": "peace of Brest-Litovsk",
    "left_platform": "Left's platform adopted",
    "left_srs_banned": "Left SRs banned",
    "mensheviks_lose_legality": "Mensheviks lose legality",
    "soviet_elections_lapse": "soviet elections lapse",
    "soviet_front_election": "soviet re-elected as a front",
    "requisitioning": "grain requisitioning",
    "foreign_revolution": "revolution abroad",
    "purge": "party purge",
    "kronstadt_type_rising": "Kronstadt-type rising",
    "rising_suppressed": "rising suppressed",
    "new_economic_policy": "NEP",
    "congress": "party congress",
    "faction_ban": "faction ban",
    "central_committee_elected": "Central Committee elected",
    "workers_opposition_formed": "Workers' Opposition formed",
    "left_opposition_formed": "Left Opposition formed",
    "leningrad_opposition_formed": "Leningrad Opposition formed",
    "united_opposition_formed": "United Opposition formed",
    "right_opposition_formed": "Right Opposition formed",
    "vote": "vote",
    "left_opposition_confrontation": "confrontation with the Left",
    "leningrad_confrontation": "confrontation with Leningrad",
    "united_opposition_condemned": "United Opposition condemned",
    "united_opposition_confrontation": "confrontation with the United Opposition",
    "right_condemned": "Right condemned",
    "right_confrontation": "Right condemned at a plenum",
    "expulsions": "expulsions",
    "exile": "exile of oppositionists",
    "right_removed": "Right's leaders removed",
    "price_cuts": "forced price cuts",
    "socialism_in_one_country": "socialism in one country",
    "levy": "recruitment levy",
    "industrial_drive": "industrial drive",
    "bureaucracy_consolidated": "consolidation of the bureaucracy",
    "grain_strike": "grain strike",
    "forced_collectivisation": "forced collectivisation",
    "capitulations": "capitulators' declaration",
}

# The turning points marked on every time series (a vertical line with its name), in the
# essay's order: §2 the insurrection, §4 the NEP, §5 the faction ban, §8 the consolidation,
# §9 the turn of 1928.
MARKED_EVENTS: tuple[str, ...] = ("insurrection", "new_economic_policy", "faction_ban",
                                  "bureaucracy_consolidated", "forced_collectivisation")  # fmt: skip
SHORT_NAMES: dict[str, str] = {"bureaucracy_consolidated": "consolidation",
                               "forced_collectivisation": "turn of 1928"}  # fmt: skip


def event_name(key: str) -> str:
    """An event kind, or a key with its city or episode (``kind:petrograd``), in words."""
    kind, sep, where = key.partition(":")
    name = EVENT_NAMES.get(kind, kind.replace("_", " "))
    return f"{name} ({where.replace('_', ' ')})" if sep else name


def label(column: str) -> str:
    """A short name for a column, in the model's own words."""
    if column in LABELS:
        return LABELS[column]
    _, sep, key = column.partition(":")
    return (key if sep else column).replace("_", " ")


def unit_of(column: str) -> str:
    if column in UNITS:
        return UNITS[column]
    if column.endswith("_share") or column.startswith(("faction_share:", "party_origin_share:")):
        return "fraction"
    if "_vs_" in column:
        return "ratio"
    return "index"


def expand(series: tuple[str, ...], columns: list[str] | set[str]) -> list[str]:
    """The columns a panel's series stand for, in a stable order."""
    out: list[str] = []
    for s in series:
        if s.endswith(":*"):
            prefix = s[:-1]
            out.extend(sorted(c for c in columns if c.startswith(prefix)))
        elif s in columns:
            out.append(s)
    return out


def wanted(spec: FigureSpec) -> list[str]:
    """Every name a figure asks for (patterns kept as patterns), for 'not in this run' notes."""
    return [s for p in spec.panels for s in p.series]


def missing(spec: FigureSpec, columns: list[str] | set[str]) -> list[str]:
    return [s for s in wanted(spec) if not expand((s,), columns)]


# -- the essay's figures, placed on the time axis -------------------------------------------------
@dataclass(frozen=True)
class Mark:
    id: str
    quantity: str
    when: str
    date: dt.date
    value: float
    tolerance: float
    at_least: bool


def marks() -> list[Mark]:
    """Every value target of TARGETS.csv as a point on a chart."""
    return [
        Mark(t.id, t.quantity, t.when, window_centre(t.when), t.value, t.tolerance or 0.0,
             t.compare == "at_least")
        for t in load_targets()
        if t.kind == "value" and t.value is not None
    ]  # fmt: skip


def as_json() -> dict[str, Any]:
    """The figures, units and target marks for the web page."""
    return {
        "sections": [{"id": s.id, "title": s.title} for s in SECTIONS],
        "figures": [
            {
                "id": f.id,
                "section": f.section,
                "title": f.title,
                "about": f.about,
                "panels": [
                    {"title": p.title, "series": list(p.series), "unit": p.unit, "log": p.log,
                     "kind": p.kind}
                    for p in f.panels
                ],
            }
            for f in FIGURES
        ],
        "labels": LABELS,
        "event_names": EVENT_NAMES,
        "marked_events": list(MARKED_EVENTS),
        "marks": [
            {"id": m.id, "quantity": m.quantity, "when": m.when, "date": m.date.isoformat(),
             "value": m.value, "tolerance": m.tolerance, "at_least": m.at_least}
            for m in marks()
        ],
    }  # fmt: skip
