"""M13 patronage (§5, §9): secretaries appoint their subordinates and a sub-tree follows its head.

An appointed secretary follows his patron's line within weeks, so a change at the head of a
sub-tree runs down it level by level. Leningrad has a head of its own; when he turns against the
centre (oppositions.py), his machine turns with him (§5, §9). Nothing here is scripted: the flip
and the delegates follow from the tree.
"""

from __future__ import annotations

from thermidor.engine import Context, bernoulli
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.params import Params
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
