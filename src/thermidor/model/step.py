"""One week: the ordered list of mechanisms (the step function is just this list)."""

from __future__ import annotations

from thermidor.engine import Mechanism, Step, every
from thermidor.model import merge
from thermidor.model.mechanisms import (
    apparatus,
    brest,
    bureaucracy,
    civil_war,
    confrontations,
    congress,
    consciousness,
    demography,
    factions,
    fronts,
    grain,
    industry,
    inner_party,
    kronstadt,
    nep,
    parties,
    party,
    patronage,
    peasants,
    soviets,
    turn,
    world_revolution,
)  # fmt: skip

MONTH = 4  # slow processes run monthly, covering the month's time

STEP: tuple[Step, ...] = (
    ("M14 congress", congress.opens),
    ("M17 world revolution", world_revolution.episodes),
    ("M4 fronts", fronts.read_fronts),
    ("M1 consciousness", every(MONTH, consciousness.update_consciousness)),
    ("M1 soviets", soviets.elections),
    ("M1 insurrection", soviets.insurrection),
    ("M3 land", peasants.land_seizure),
    ("M4 army", civil_war.army),
    ("M4 towns", every(MONTH, demography.towns)),
    ("M4 villages", every(MONTH, demography.villages)),
    ("M5 capacity", every(MONTH, industry.capacity)),
    ("M5 labour", industry.labour),
    ("M5 output", industry.output),
    ("M8 market", nep.market),
    ("M8 managers", every(MONTH, nep.managers)),
    ("M8 migration", every(MONTH, nep.migration)),
    ("M8 differentiation", every(MONTH, nep.differentiation)),
    ("M3 season", peasants.season),
    ("M3 livestock", every(MONTH, peasants.livestock)),
    ("M3 grain", grain.procurement),
    ("M3 support", peasants.support),
    ("M16 grain strike", turn.grain_strike),
    ("M6 parties", parties.legality),
    ("M9 party", party.recruitment),
    ("M9 membership", every(MONTH, party.membership)),
    ("M10 apparatus", every(MONTH, apparatus.growth)),
    ("M7 rising", kronstadt.rising),
    ("M7 NEP", kronstadt.nep),
    ("M11 platform", inner_party.left_platform),
    ("M11 secretaries", inner_party.secretaries),
    ("M13 patronage", patronage.follow),
    ("M13 Leningrad", patronage.leningrad_head),
    ("M12 factions", factions.alignment),
    ("M11 democracy", inner_party.democracy),
    ("M12 Brest", brest.peace),
    ("M14 votes", confrontations.votes),
    ("M14 discussions", confrontations.discussions),
    ("M14 confrontations", confrontations.confrontations),
    ("M2 capacity", consciousness.class_capacity),
    ("M6 workers' democracy", soviets.workers_democracy),
    ("M15 bureaucracy", bureaucracy.components),
    ("M16 the turn", turn.the_turn),
    ("merge agents", every(MONTH, merge.agents)),  # bookkeeping, no mechanism: model/merge.py
)
MECHANISMS: tuple[Mechanism, ...] = tuple(m for _, m in STEP)
