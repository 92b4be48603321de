"""M13 patronage (§5, §9): secretaries appoint their subordinates and a sub-tree follows its head.

An appointed secretary follows his patron's line within weeks, so a change at the head of a
sub-tree runs down it level by level. Leningrad has a head of its own: once the centre's control of
the rest of the apparatus makes his position precarious (and the Left, the common enemy, is
beaten), he turns against it, and his machine turns with him (§5, §9). Nothing here is scripted:
the flip and the delegates follow from the tree.
"""

from __future__ import annotations

from thermidor.engine import Context, bernoulli
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.params import Params
from thermidor.model.tree import F
from thermidor.model.world import World


def follow(w: World, p: Params, ctx: Context) -> None:
    org = w.organs
    if not org["appointed"].any():
        return
    rng = ctx.rng("patronage.follow")
    patron = org["patron"]
    has = org["appointed"] & (patron >= 0)
    go = bernoulli(rng, hazard(p["patronage.follow_rate"], ctx.dt), has)
    faction = org["faction"]
    faction[go] = faction[patron[go]]


def leningrad_head(w: World, p: Params, ctx: Context) -> None:
    """The head of the Leningrad organisation turns to opposition (record: 1925).

    The clash comes in the open at a party body (a conference or congress), once the centre's
    control of the rest of the apparatus leaves the ostensible leader no part of it (§9).
    """
    if w.factions.leningrad_head != F["centre"] or "leningrad_opposition" in w.factions.formed:
        return
    if "left_opposition" not in w.factions.defeated:
        return
    body = w.inputs.congress.get(ctx.step) or w.inputs.conference.get(ctx.step)
    if body and w.bureaucracy.control_elsewhere >= p["patronage.split_control"]:
        w.factions.leningrad_head = F["leningrad_opposition"]
        w.factions.formed["leningrad_opposition"] = ctx.step
        ctx.emit(
            "leningrad_opposition_formed",
            "The head of the Leningrad organisation turns against the centre; his machine follows",
            control_elsewhere=round(float(w.bureaucracy.control_elsewhere), 4),
        )
