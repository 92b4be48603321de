"""M6 the single-party state (§3): parties lose legality by rule, not by date.

A party whose members stand on both sides of a civil war is outlawed once the threat it poses
(its share on the Whites' side x the war's intensity x how little the class can decide for itself)
passes the regime's tolerance (§3). The Left SRs resort to terror once the peace and the
requisitions have been borne long enough, and are outlawed for it. Banned Mensheviks keep their
individual freedom (not modelled as persons) and lose their press.
"""

from __future__ import annotations

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.params import Params
from thermidor.model.world import World

BANS = {
    "kadets": ("kadets_banned", "The Kadets are outlawed as a party of the counter-revolution"),
    "right_srs": ("right_srs_banned", "The Right SRs are expelled from the soviets and outlawed"),
    "mensheviks": (
        "mensheviks_lose_legality",
        "The Mensheviks lose their legality and their press; members keep individual freedom",
    ),
}


def threat(w: World, p: Params, party: str) -> float:
    k = float(w.working_class.K)
    return p[f"parties.white_share_{party}"] * w.war.civil_war * (2.0 - k)


def legality(w: World, p: Params, ctx: Context) -> None:
    october = w.decided("insurrection")  # the rules apply to the soviet state; force applies always
    tolerance = 1.0 - p["parties.ban_readiness"]
    for party, (decision, text) in BANS.items():
        t = threat(w, p, party)
        if decide(
            w,
            ctx,
            decision,
            october and t >= tolerance,
            text,
            party=party,
            threat=round(t, 4),
            civil_war=round(w.war.civil_war, 4),
            K=round(w.working_class.K, 4),
        ):
            w.legal[party] = False
            w.press[party] = False
    # the Left SRs: the peace of Brest and the requisitions, borne until terror
    peace = 1.0 if w.war.world_war == 0 else 0.0
    grievance = peace + (1.0 if w.decided("requisitioning") else 0.0) if october else 0.0
    w.parties.left_sr_grievance = w.parties.left_sr_grievance + ctx.dt * grievance
    terror = w.parties.left_sr_grievance >= p["parties.left_sr_tolerance"]
    if decide(
        w,
        ctx,
        "left_srs_banned",
        terror,
        "The Left SRs turn to terror against the peace and the requisitions and are outlawed",
        grievance_years=round(w.parties.left_sr_grievance, 4),
    ):
        w.legal["left_srs"] = False
        w.press["left_srs"] = False
