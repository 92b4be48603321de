"""The closed list of event kinds a run may record, with what each means."""

from __future__ import annotations

EVENT_KINDS: dict[str, str] = {
    "bolshevik_majority_in_soviets": "a city soviet's delegates are in majority Bolshevik (data: city)",
    "insurrection": "the soviets take power (decision rule)",
    "land_decree": "the estates pass to the peasants",
    "kadets_banned": "the Kadets are outlawed (decision rule)",
    "right_srs_banned": "the Right SRs are outlawed (decision rule)",
    "left_srs_banned": "the Left SRs turn to terror and are outlawed (decision rule)",
    "mensheviks_lose_legality": "the Mensheviks lose legality and press (decision rule)",
    "soviet_elections_lapse": "a due election to a city soviet is not held (data: city)",
    "requisitioning": "requisition squads are sent for the grain surplus (decision rule)",
    "foreign_revolution": "a revolutionary episode abroad succeeds or fails (data: episode)",
    "purge": "a party purge (record: its date; its victims by conviction)",
    "kronstadt_type_rising": "a garrison of peasant origin rises against the party's monopoly",
    "rising_suppressed": "the rising is put down by force",
    "new_economic_policy": "a tax in kind and a market replace requisitions (decision rule)",
    "congress": "a party congress meets (record: its date)",
}
EVENTS = frozenset(EVENT_KINDS)
