"""M6 the single-party state (§3): parties lose legality by rule, not by date.

A party whose members stand on both sides of a civil war is outlawed once the threat it poses
(its share on the Whites' side x the war's intensity x how little the class can decide for itself)
passes the regime's tolerance (§3). The Left SRs resort to terror once the peace and the
requisitions have been borne long enough, and are outlawed for it. Banned Mensheviks keep their
individual freedom (not modelled as persons) and their seats in the soviets (§3: they operated
there as late as 1920), and lose their press, which is given back once the threat they were banned
for has eased, for their support against the Whites, and closed again once their criticism of the
regime outweighs what that support is worth (§3: three months in 1919). The rising of 1921 ends
their seats.
"""

from __future__ import annotations

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.params import Params
from thermidor.model.world import World

FREE = ("mensheviks",)  # banned, its members keep individual freedom and sit in the soviets
BANS = {
    "kadets": ("kadets_banned", "The Kadets are outlawed as a party of the counter-revolution."),
    "right_srs": ("right_srs_banned", "The Right SRs are expelled from the soviets and outlawed."),
    "mensheviks": (
        "mensheviks_lose_legality",
        "The Mensheviks lose their legality and their press; their members keep their freedom "
        "and their seats in the soviets.",
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
            w.seated[party] = party in FREE  # its members keep their freedom, and their seats
            w.parties.threat_peak[party] = t
    _reprieve(w, p, ctx)
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
        "The Left SRs turn to terror against the peace and the requisitions and are outlawed.",
        grievance_years=round(w.parties.left_sr_grievance, 4),
    ):
        w.legal["left_srs"] = False
        w.press["left_srs"] = False
        w.seated["left_srs"] = False


def _reprieve(w: World, p: Params, ctx: Context) -> None:
    """A banned party whose members kept their freedom gets its press back once the threat it was
    banned for has eased a margin below its peak since the ban, for its support against the
    Whites (§3: the Mensheviks' three months of press in 1919). The regime bears its criticism
    while that support is worth it: each week its press prints critical articles (a Poisson draw,
    more the harder the civil war presses, with its terror and requisitions to criticise), and
    the press is closed for good once they outnumber what the White threat made the support worth
    when the press was given back (``parties.press_tolerance`` x that threat)."""
    for party in FREE:
        if w.legal[party] or party not in w.parties.threat_peak or not w.seated[party]:
            continue
        t = threat(w, p, party)
        peak = max(float(w.parties.threat_peak[party]), t)
        w.parties.threat_peak[party] = peak
        once = party in w.parties.reprieved  # a brief reprieve: once closed again, for good
        if not w.press[party] and not once and t < peak * (1.0 - p["parties.reprieve_margin"]):
            w.press[party] = True
            w.parties.reprieved[party] = ctx.step
            w.parties.worth[party] = p["parties.press_tolerance"] * w.war.white_threat
            w.parties.criticism[party] = 0.0
            ctx.emit(
                "press_reprieve",
                f"The {party.capitalize()} get their press back: the threat they were banned "
                "for has eased and their support against the Whites is wanted.",
                party=party, threat=round(t, 4), peak=round(peak, 4),
                white_threat=round(w.war.white_threat, 4),
            )  # fmt: skip
        elif w.press[party]:
            mean = p["parties.press_criticism"] * ctx.dt * w.war.civil_war
            said = w.parties.criticism[party] + float(ctx.rng("parties.press").poisson(mean))
            w.parties.criticism[party] = said
            if said >= w.parties.worth[party]:
                w.press[party] = False
                ctx.emit(
                    "press_closed",
                    f"The {party.capitalize()}' press is closed again: its criticism of the "
                    "regime outweighs their support against the Whites.",
                    party=party, articles=int(said), tolerated=round(w.parties.worth[party], 2),
                )  # fmt: skip


def unseat(w: World, ctx: Context, why: str) -> None:
    """The parties still sitting in the soviets are driven out of them (the arrests of 1921)."""
    gone = [party for party, sits in w.seated.items() if sits]
    for party in gone:
        w.seated[party] = False
        w.press[party] = False
    if gone:
        names = " and ".join(x.capitalize() for x in gone)
        ctx.emit(
            "opposition_unseated",
            f"The {names} are arrested and driven from the soviets: {why}.",
            parties=gone,
        )
