"""What is observed each step: the indicator row, with units.

Persons are persons (not agents); shares are fractions; ``_vs_`` columns are ratios. Harvest
indicators (``grain_harvest_vs_prewar``, ``crop_output_vs_prewar:*``) are recorded in the week of
the harvest and are NaN between harvests; a year's value is then the mean of its recorded steps.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from thermidor.engine import Context, twin
from thermidor.model.mechanisms.confrontations import open_vote_against
from thermidor.model.mechanisms.delegations import delegations
from thermidor.model.mechanisms.grain import urban_persons
from thermidor.model.mechanisms.party import OLD_BOLSHEVIK_BEFORE
from thermidor.model.mechanisms.peasants import strata_weights
from thermidor.model.mechanisms.soviets import free_months, legal_opposition_in_soviets, plural
from thermidor.model.params import Params
from thermidor.model.tree import FACTIONS, LENINGRAD, OPPOSITIONS
from thermidor.model.world import CITIES, CROPS, PARTIES, SECTORS, STRATA, G, World

UNITS: dict[str, str] = {
    "working_class": "persons",
    "working_class_vs_1917": "ratio",
    "industrial_output_vs_prewar": "ratio",
    "labour_productivity_vs_prewar": "ratio",
    "unemployed": "persons",
    "red_army": "persons",
    "army": "persons",
    "peasant_households": "households",
    "grain_harvest_vs_prewar": "ratio",
    "marketed_grain_share": "fraction",
    "grain_procurement": "tonnes per step",
    "peasant_unrest": "fraction",
    "party_members": "persons",
    "old_bolshevik_share": "fraction",
    "state_officials": "persons",
    "legal_parties": "count",
    "legal_opposition_in_soviets": "parties",
    "menshevik_press_months": "months per year (12 while the press is legal)",
    "class_capacity": "index",
    "workers_democracy": "index",
    "food_supply": "ratio",
    "mean_consciousness": "index",
    "army_sympathy": "fraction",
    "transport": "index",
    "urban_population": "persons",
    "rural_population": "persons",
    **{f"city_population:{c}": "persons" for c in ("petrograd", "moscow")},
    **{f"sector_output_vs_prewar:{s}": "ratio" for s in SECTORS},
    **{f"crop_output_vs_prewar:{c}": "ratio" for c in CROPS},
    **{f"peasant_share:{s}": "fraction" for s in STRATA},
    **{f"party_origin_share:{o}": "fraction" for o in ("worker", "peasant", "other")},
    **{f"soviet_months_since_election:{c}": "months" for c in ("petrograd", "moscow")},
    **{f"soviet_bolshevik_share:{c}": "fraction" for c in ("petrograd", "moscow")},
    "price_scissors": "ratio",
    "apparatus_ex_tsarist_share": "fraction",
    "responsible_communists:moscow": "persons",
    "managers_from_workers_share": "fraction",
    "opposition_press_share": "fraction",
    **{f"faction_share:{f}": "fraction" for f in FACTIONS},
    "appointed_secretaries_share": "fraction",
    "expelled_oppositionists": "persons",
    "party_democracy": "index",
    "bureaucratic_control": "index",
    "bureaucratic_cohesion": "index",
    "apparatus_hold:production": "index",
    "apparatus_hold:police": "index",
    "opposition_strength": "fraction",
    "apparatus_tradition": "index",
    "bureaucratic_consolidation": "indicator (0/1)",
    "opposition_delegate_share:leningrad": "fraction",
    "leningrad_members_still_opposition": "persons",
    "opposition_members_elected_to_central_committee": "persons",
    "opposition_vote_share:7th_congress": "fraction",
    "left_communist_share": "fraction",
    "kulak_share": "fraction",
    "right_vs_left_strength_at_defeat": "ratio",
    "right_grievance": "fraction",
}
WEEKS_PER_MONTH = 365.25 / 12 / 7


def observe(w: World, p: Params, ctx: Context) -> dict[str, float]:
    wk, sd, hh, off = w.workers, w.soldiers, w.households, w.officials
    row: dict[str, float] = {}
    workers = float(wk.total())
    row["working_class"] = workers
    row["working_class_vs_1917"] = workers / w.base["workers"]
    out = w.industry.industrial_output
    if out is None:
        out = np.nan
    row["industrial_output_vs_prewar"] = out
    row["labour_productivity_vs_prewar"] = out / max(
        workers / w.base["workers"] * w.base["workforce_1917_vs_1913"], 1e-9
    )
    by_sector = w.industry.sector_output
    if by_sector is None:
        by_sector = np.full(len(SECTORS), np.nan)
    for s, v in zip(SECTORS, by_sector, strict=True):
        row[f"sector_output_vs_prewar:{s}"] = float(v)
    row["unemployed"] = float(wk.total(~wk["employed"]))
    row["red_army"] = float(sd.total(sd["red"]))
    row["army"] = float(sd.total())
    by_stratum = strata_weights(hh["wealth"], hh["weight"], float(w.peasants.median_wealth))
    # every household is in one stratum, and the strata's weights are exact integer sums: their
    # total is ``hh.total()`` to the bit, without another pass over the households
    row["peasant_households"] = float(by_stratum.sum())
    for i, s in enumerate(STRATA):
        row[f"peasant_share:{s}"] = float(by_stratum[i] / max(by_stratum.sum(), 1.0))
    harvest = w.flows.pop("grain_harvest", None)
    row["grain_harvest_vs_prewar"] = harvest / w.base["grain_prewar"] if harvest else np.nan
    for c in CROPS:
        v = w.flows.pop(f"crop:{c}", None)
        row[f"crop_output_vs_prewar:{c}"] = (
            v / w.base["crop_prewar"][c] if v is not None else np.nan
        )
    last = w.peasants.last_harvest
    row["marketed_grain_share"] = w.food.sold_since_harvest / last if last else np.nan
    row["grain_procurement"] = w.flows.pop("grain_procurement", 0.0)
    row["peasant_unrest"] = float(w.peasants.unrest)
    census = member_census(w, p)
    members = census["members"]
    row["party_members"] = members
    row["old_bolshevik_share"] = census["old_bolshevik_share"]
    by_origin = census["by_origin"]
    for i, o in enumerate(("worker", "peasant", "other")):
        row[f"party_origin_share:{o}"] = float(by_origin[i] / max(by_origin.sum(), 1.0))
    row["state_officials"] = float(off.total())
    row["legal_parties"] = 1.0 + sum(w.legal[x] for x in PARTIES)
    k = float(w.working_class.K)
    row["class_capacity"] = k
    months = {}
    for c in ("petrograd", "moscow"):
        sov = w.soviets[c]
        months[c] = (ctx.step - sov.last_election) / WEEKS_PER_MONTH
        row[f"soviet_months_since_election:{c}"] = months[c]
        row[f"soviet_bolshevik_share:{c}"] = sov.bolshevik_share
    free = max(free_months(w, ctx.step, c) for c in ("petrograd", "moscow"))
    regular = float(np.clip((18.0 - free) / 12.0, 0.0, 1.0))  # front elections do not count
    row["workers_democracy"] = k * regular * plural(w)
    row["legal_opposition_in_soviets"] = float(legal_opposition_in_soviets(w))
    row["menshevik_press_months"] = 12.0 * w.press["mensheviks"]  # months a year at this rate
    row["food_supply"] = float(w.food.supply)
    # a class that war and the apparatus have wholly absorbed (a corner of the documented
    # ranges) has no consciousness left to measure: 0, not the mean of nobody
    row["mean_consciousness"] = wk.mean("consciousness") if wk.total() > 0 else 0.0
    row["army_sympathy"] = sd.share(sd["consciousness"] > p["soviets.bolshevik_threshold"])
    row["transport"] = w.transport
    garrison = sd.sum_by("garrison", len(G))
    for c in ("petrograd", "moscow"):
        i = CITIES.index(c)
        row[f"city_population:{c}"] = float(
            wk.total(wk["city"] == i)
            + off.total(off["city"] == i)
            + w.townsfolk[i]
            + garrison[G[c]]
        )
    row["urban_population"] = float(urban_persons(w))
    _second_half(w, ctx, row, census)
    row["rural_population"] = float(w.villagers.sum())
    return row


def _second_half(w: World, ctx: Context, row: dict[str, float], census: dict[str, Any]) -> None:
    """The NEP, the apparatus, the factions and the bureaucracy (1921-1929)."""
    off = w.officials
    row["price_scissors"] = float(w.nep.scissors)
    row["apparatus_ex_tsarist_share"] = off.share(off["ex_tsarist"]) if off.n else np.nan
    moscow = CITIES.index("moscow")
    row["responsible_communists:moscow"] = float(
        off.total(off["communist"] & off["responsible"] & (off["city"] == moscow))
    )
    row["managers_from_workers_share"] = float(w.nep.managers_from_workers)
    row["opposition_press_share"] = float(w.inner_party.press_share)
    by_faction = census["by_faction"]
    for i, f in enumerate(FACTIONS):
        row[f"faction_share:{f}"] = float(by_faction[i] / max(by_faction.sum(), 1.0))
    row["appointed_secretaries_share"] = float(w.inner_party.appointed_share)
    row["expelled_oppositionists"] = float(w.factions.expelled_total)
    row["party_democracy"] = float(w.inner_party.party_democracy)
    row["bureaucratic_control"] = float(w.bureaucracy.control)
    row["bureaucratic_cohesion"] = float(w.bureaucracy.cohesion)
    row["apparatus_hold:production"] = float(w.bureaucracy.production_hold)
    row["apparatus_hold:police"] = float(w.bureaucracy.police)
    row["opposition_strength"] = float(w.bureaucracy.opposition_strength)
    row["apparatus_tradition"] = float(w.bureaucracy.apparatus_tradition)
    row["bureaucratic_consolidation"] = 1.0 if "bureaucracy_consolidated" in w.decisions else 0.0
    d = w.readings.delegations
    if ctx.step % 4 == 0 or d is None:  # alignments change monthly
        d = w.readings.delegations = delegations(w)
    opp = sum(d[LENINGRAD, f] for f in OPPOSITIONS)
    row["opposition_delegate_share:leningrad"] = float(opp / max(d[LENINGRAD].sum(), 1.0))
    # those who still vote with the opposition in an open meeting ("Who is against?")
    row["leningrad_members_still_opposition"] = census["leningrad_against"]
    row["opposition_members_elected_to_central_committee"] = float(w.inner_party.cc_opposition)
    row["kulak_share"] = row["peasant_share:kulak"]
    row["opposition_vote_share:7th_congress"] = float(
        w.peace.opposition_vote_share.get("7th_congress", np.nan)
    )
    row["left_communist_share"] = float(w.peace.left_communist_share)
    # the Right's share of the votes at its defeat over the Left's at the 13th Conference (O7):
    # undefined (NaN) until the Right is defeated (mechanisms/right.py)
    ratio = w.right.strength_vs_left
    row["right_vs_left_strength_at_defeat"] = np.nan if ratio is None else float(ratio)
    row["right_grievance"] = float(w.right.harm)


@twin("indicators.member_census")
def member_census(w: World, p: Params) -> dict[str, Any]:
    """The party's members counted for the indicators: their weight, the old Bolsheviks' share,
    the weight by origin and by faction, and the Leningrad members who still vote against the
    line in an open meeting."""
    mem = w.members
    in_len = mem["province"] == LENINGRAD
    return {
        "members": float(mem.total()),
        "old_bolshevik_share": mem.share(mem["joined"] < OLD_BOLSHEVIK_BEFORE),
        "by_origin": mem.sum_by("origin", 3),
        "by_faction": mem.sum_by("faction", len(FACTIONS)),
        "leningrad_against": float(mem.total(in_len & open_vote_against(w, p))),
    }
