"""M12/M14 the Right's split and its defeat (§8, §9).

§8: the Right expressed "the interest of all those in the Party and Soviet institutions who found
cooperation with the peasants, including the Kulaks ... and NEPmen, congenial"; while the
bureaucracy feared social disturbance "it quite naturally allied itself with the Right". So the
Right's pull sits inside the majority bloc (mechanisms/factions.py) until the Centre's course
hurts the base it leans on: the harm is the share of the peasants' wealth lost since its height
under the NEP (a rule of the state, read monthly; the turn's collectivisation is what destroys it
in the baseline). The more harm, the more members in contact with the peasants are pulled to the
Right against the Centre; the Right comes out when enough of them lean its way (the rule every
opposition forms by). §9: "When Bukharin and the Right wing split from it ... they found
themselves with even less strength than the Left Oppositions had": the Centre, "turning on the
Right as viciously as he had only months before attacked the Left" (§8), condemns it at a
Central Committee plenum, a small body whose members vote as individuals (their own draws), in
an open vote where only the unafraid vote against the line. Plenums meet with a weekly hazard
(record: three or four a year, 1926-29); the Right is confronted at the first one at which its
strength passes what the centre tolerates. Its share of the votes there over the Left's share at
the 13th Conference is recorded (O7), never set.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.confrontations import (
    after_defeat,
    demote,
    open_vote_against,
)
from thermidor.model.mechanisms.party import ROLE
from thermidor.model.params import Params
from thermidor.model.tree import FACTIONS, F
from thermidor.model.world import World

PLENUM = "Central Committee plenum"
LEFT_MEASURED_AT = "13th Conference"  # where the Left's strength is read for O7 (record: §9)


def harm(w: World, p: Params, ctx: Context) -> None:
    """Monthly: the share of the peasants' wealth lost since its height under the NEP."""
    if not w.decided("new_economic_policy") or w.households.n == 0:
        return
    hh = w.households
    wealth = float(np.average(hh["wealth"], weights=hh["weight"]))
    r = w.right
    r.wealth_peak = max(r.wealth_peak, wealth)
    r.harm = harm_of(wealth, r.wealth_peak)


def harm_of(wealth: float, peak: float) -> float:
    """The share of ``peak`` lost at ``wealth``, in [0, 1]."""
    return float(np.clip(1.0 - wealth / peak, 0.0, 1.0)) if peak > 0 else 0.0


def confront(w: World, p: Params, ctx: Context) -> None:
    """Weekly, once the Right is out: a plenum may meet; it condemns the Right if it has grown past
    what the centre tolerates; a Right that persists is condemned again where the party next
    meets and, at a congress, expelled (mechanisms/confrontations.py's rule for every opposition)."""
    fac = w.factions
    if "right" not in fac.formed or "right" in fac.expelled or w.members.n == 0:
        return
    mem = w.members
    share = mem.share(mem["faction"] == F["right"])
    tolerance = p["confrontation.tolerance"] * (1.0 - float(w.bureaucracy.control))
    u = float(ctx.rng("right.plenum").random())
    plenum = u < hazard(p["confrontation.plenum_rate"], ctx.dt)
    if plenum:
        w.right.plenum = ctx.step
    if "right" not in fac.confronted:
        if plenum and share >= tolerance and ctx.step > fac.formed["right"]:
            _defeat(w, p, ctx, share)
        return
    body = w.inputs.congress.get(ctx.step) or w.inputs.conference.get(ctx.step)
    if share >= 0.2 * tolerance and ctx.step > fac.confronted["right"]:
        after_defeat(w, p, ctx, "right", "right_confrontation", body)


def _defeat(w: World, p: Params, ctx: Context, share: float) -> None:
    vote = plenum_vote(w, p, ctx, "condemning the Right deviation")
    demote(w, p, ctx, F["right"])
    fac = w.factions
    fac.confronted["right"] = ctx.step
    fac.defeated.add("right")
    fac.ratchet = min(1.0, fac.ratchet + p["confrontation.ratchet"])
    total = vote["for"] + vote["against"]
    right_share = vote["against"] / total if total else 0.0
    left_share = fac.vote_share.get(LEFT_MEASURED_AT, float("nan"))
    ratio = strength_ratio(right_share, left_share)
    w.right.strength_vs_left = None if np.isnan(ratio) else ratio
    ctx.emit(
        "right_confrontation",
        f"A Central Committee plenum condemns the Right: {vote['against']} of {total} vote with it",
        opposition="right",
        control=round(float(w.bureaucracy.control), 4),
        member_share=round(share, 4),
        right_vote_share=round(right_share, 4),
        left_vote_share_13th_conference=round(left_share, 4) if left_share >= 0 else None,
        **{k: vote[k] for k in ("body", "for", "against")},
    )


def strength_ratio(right_share: float, left_share: float) -> float:
    """The Right's share of the votes at its defeat over the Left's at the 13th Conference (NaN,
    undefined, when the Left had no votes there or was never measured)."""
    if not left_share > 0:  # zero, or the Left never measured (NaN)
        return float("nan")
    return right_share / left_share


def plenum_vote(w: World, p: Params, ctx: Context, motion: str) -> dict:
    """A Central Committee plenum votes openly: its members are the apparatus's officials as
    individuals (as many as the last congress elected, each drawn by weight), and each votes
    against the line only if he is of the Right and unafraid (mechanisms/confrontations.py's
    ``open_vote_against``)."""
    mem = w.members
    elected = [step for step in w.inputs.cc_size if step <= ctx.step]
    size = w.inputs.cc_size[max(elected)] if elected else 25
    official = np.flatnonzero(mem["role"] == ROLE["official"])
    if official.size == 0:
        official = np.arange(mem.n)
    weight = mem["weight"][official].astype(np.float64)
    rng = ctx.rng("right.plenum_members")
    seat = official[rng.choice(official.size, size=size, p=weight / weight.sum())]
    against_line = open_vote_against(w, p)[seat] & (mem["faction"][seat] == F["right"])
    n_against = int(against_line.sum())
    seated = np.bincount(mem["faction"][seat], minlength=len(FACTIONS))
    data = {
        "body": PLENUM,
        "motion": motion,
        "for": size - n_against,
        "against": n_against,
        "abstained": 0,
        "by_faction": {FACTIONS[i]: int(n) for i, n in enumerate(seated) if n},
    }
    ctx.emit("vote", f"{PLENUM}: '{motion}' carried {size - n_against} to {n_against}", **data)
    return data
