"""One week: the ordered list of mechanisms (the step function is just this list)."""

from __future__ import annotations

from thermidor.engine import Mechanism
from thermidor.model.mechanisms import (
    apparatus,
    civil_war,
    consciousness,
    demography,
    fronts,
    grain,
    industry,
    kronstadt,
    parties,
    party,
    peasants,
    soviets,
    world_revolution,
)  # fmt: skip

STEP: tuple[tuple[str, Mechanism], ...] = (
    ("M17 world revolution", world_revolution.episodes),
    ("M4 fronts", fronts.read_fronts),
    ("M1 consciousness", consciousness.update_consciousness),
    ("M1 soviets", soviets.elections),
    ("M1 insurrection", soviets.insurrection),
    ("M3 land", peasants.land_seizure),
    ("M4 army", civil_war.army),
    ("M4 towns", demography.towns),
    ("M4 villages", demography.villages),
    ("M5 capacity", industry.capacity),
    ("M5 labour", industry.labour),
    ("M5 output", industry.output),
    ("M3 season", peasants.season),
    ("M3 livestock", peasants.livestock),
    ("M3 grain", grain.procurement),
    ("M3 support", peasants.support),
    ("M6 parties", parties.legality),
    ("M9 party", party.recruitment),
    ("M10 apparatus", apparatus.growth),
    ("M7 rising", kronstadt.rising),
    ("M7 NEP", kronstadt.nep),
    ("M2 capacity", consciousness.class_capacity),
)
MECHANISMS: tuple[Mechanism, ...] = tuple(m for _, m in STEP)
