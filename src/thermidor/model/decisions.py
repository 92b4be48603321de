"""Decision rules: a decision is taken when the state calls for it, or when a scenario forces it.

A scenario may force a decision (a do-intervention): ``force.<decision> = "YYYY-MM-DD"`` takes it
in the step containing that date whatever the state, ``"never"`` prevents it. A forced decision's
event carries ``forced = true`` so that every result shows the intervention.
"""

from __future__ import annotations

from typing import Any

from thermidor.engine import Context
from thermidor.model.world import World

DECISIONS = (
    "insurrection",
    "kadets_banned",
    "right_srs_banned",
    "left_srs_banned",
    "mensheviks_lose_legality",
    "requisitioning",
    "new_economic_policy",
    "faction_ban",
    "price_cuts",
    "socialism_in_one_country",
    "grain_strike",
    "forced_collectivisation",
    "left_platform",
)
# consequences recorded through decide() but not open to forcing: they act on an opposition
CONSEQUENCES = ("expulsions", "exile", "right_removed")
NEVER = -1


def decide(w: World, ctx: Context, name: str, condition: bool, text: str, **data: Any) -> bool:
    """Take decision ``name`` now if it is due (by the rule, or by force). Returns True if taken."""
    if name in w.decisions:
        return False
    forced = w.forced.get(name)
    if forced is not None:
        if forced == NEVER or forced != ctx.step:
            return False
        data = {**data, "forced": True}
        text = f"{text} [forced by the scenario]"
    elif not condition:
        return False
    w.decisions[name] = ctx.step
    ctx.emit(name, text, **data)
    return True
