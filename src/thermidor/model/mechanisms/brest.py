"""M12 the Left Communists and the peace of Brest-Litovsk (§5, §1).

The question of peace is open from the armistice (the war's intensity falls after October) until a
party congress ratifies a treaty. Each member weighs a revolutionary war, which pulls by his
conviction (the militants of 1917 expected the German revolution, §1), against the peace, which
the German army's threat presses on an army that will not fight (the soldiers' war weariness, M1):
the members whose conviction outweighs the threat are the Left Communists, and those near the
balance waver. Lenin was in a minority while the threat was low (§5: "nearly a year later during
the Brest Litovsk negotiations"); the German offensive (record: 18 February 1918) turns the
balance. The congress votes delegate by delegate: each of its voting delegates (the record's
number) is drawn from his province's members, so the split has its own chance.

The vote's consequence is recorded, not acted out: the war with the Central Powers is an input
(record), so a congress that rejected the peace would not renew the war in the model.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, sum_by
from thermidor.model.mechanisms.congress import meeting, voting_delegates
from thermidor.model.mechanisms.delegations import largest_remainder
from thermidor.model.mechanisms.soviets import army_sympathy
from thermidor.model.params import Params
from thermidor.model.tree import N_PROVINCES
from thermidor.model.world import World

WAR, WAVER, PEACE = 0, 1, 2
RECENT_WEEKS = 4  # the threat members weigh: the war's intensity over the past month


def question_open(w: World, ctx: Context) -> bool:
    """After October and the armistice, until a congress has voted on the peace."""
    if not w.decided("insurrection") or w.peace.voted is not None:
        return False
    since = w.decisions["insurrection"]
    return bool(np.any(w.inputs.world_war[since : ctx.step + 1] < 1.0))


def threat(w: World, p: Params, ctx: Context) -> float:
    """The pressure for peace: the German army's threat on an army that will not fight.

    The threat is the war's greatest intensity over the past month (record: the offensive of
    18 February 1918 forced the treaty of 3 March, ratified a week later)."""
    recent = w.inputs.world_war[max(0, ctx.step - RECENT_WEEKS) : ctx.step + 1]
    return float(recent.max()) * army_sympathy(w, p)


def stances(w: World, p: Params, ctx: Context) -> np.ndarray:
    """Each member's chances of standing for war, wavering and for peace, shape ``(n, 3)``.

    The balance ``x`` = war's pull - peace's pull decides by a logistic of width
    ``brest.spread`` (what the model does not know of each member's reasons); within
    ``brest.waver_margin`` of the balance a member wavers."""
    conv = w.members["conviction"].astype(np.float64)
    x = p["brest.war_appeal"] * conv - threat(w, p, ctx)
    m, s = p["brest.waver_margin"], p["brest.spread"]
    war = 1.0 / (1.0 + np.exp(-(x - m) / s))
    peace = 1.0 / (1.0 + np.exp((x + m) / s))
    out = np.empty((w.members.n, 3))
    out[:, WAR], out[:, PEACE] = war, peace
    out[:, WAVER] = np.clip(1.0 - war - peace, 0.0, 1.0)
    return out


def peace(w: World, p: Params, ctx: Context) -> None:
    """The Left Communists come out against the German terms; a congress votes on the peace."""
    if w.members.n == 0 or not question_open(w, ctx):
        return
    stance = stances(w, p, ctx)
    mem = w.members
    weight = mem["weight"].astype(np.float64)
    share = float(weight @ stance[:, WAR] / max(weight.sum(), 1.0))
    w.peace.left_communist_share = share
    if "left_communists" not in w.factions.formed:
        needed = p["factions.formation_share"] * 0.4  # platforms taken for granted before the ban
        if share >= needed:
            w.factions.formed["left_communists"] = ctx.step
            ctx.emit(
                "left_communists_formed",
                "The Left Communists (Bukharin) come out for a revolutionary war against the "
                f"German terms: {share:.0%} of the party leans their way.",
                leaning_share=round(share, 4),
                threat=round(threat(w, p, ctx), 4),
            )
    body = meeting(w, ctx)
    if not body or body not in w.inputs.congress.values():
        return
    _vote(w, p, ctx, body, stance)


def _vote(w: World, p: Params, ctx: Context, body: str, stance: np.ndarray) -> None:
    mem = w.members
    total = voting_delegates(body) or max(1, round(mem.total() / 1000))
    prov = mem["province"].astype(np.int64)
    weight = mem["weight"].astype(np.float64)
    by = np.stack([sum_by(prov, weight * stance[:, k], N_PROVINCES) for k in range(3)], axis=1)
    members = by.sum(axis=1)
    seats = largest_remainder(total * members / max(float(members.sum()), 1.0), total)
    rng = ctx.rng("brest.delegates")
    counts = np.zeros(3, dtype=np.int64)
    for_prov = np.flatnonzero(seats)
    probs = by[for_prov] / np.maximum(members[for_prov], 1.0)[:, None]
    for n, pr in zip(seats[for_prov].astype(np.int64), probs, strict=True):
        counts += rng.multinomial(n, pr / pr.sum())
    n_for, n_against, n_abstained = int(counts[PEACE]), int(counts[WAR]), int(counts[WAVER])
    ratified = n_for > n_against
    w.peace.voted = ctx.step
    w.peace.left_communist_share = 0.0  # the question is closed
    w.peace.opposition_vote_share["7th_congress" if body == "7th Congress" else body] = (
        n_against + n_abstained
    ) / max(int(counts.sum()), 1)
    verdict = "ratifies" if ratified else "rejects"
    ctx.emit(
        "vote",
        f"The {body} {verdict} the peace of Brest-Litovsk by {n_for} votes to {n_against}, "
        f"{n_abstained} abstaining: the Left Communists are in "
        f"{'a minority' if ratified else 'the majority'}.",
        body=body,
        motion="ratifying the peace of Brest-Litovsk",
        **{"for": n_for, "against": n_against, "abstained": n_abstained},
        by_faction={"centre": n_for, "left_communists": n_against},
    )
    ctx.emit(
        "brest_peace",
        f"The {body} {verdict} the peace of Brest-Litovsk.",
        ratified=ratified,
        body=body,
    )
