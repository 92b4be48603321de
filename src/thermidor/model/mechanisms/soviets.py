"""M1 the soviets follow their electors; the insurrection; M6 elections lapse as K falls (§1, §3).

While elections are held a soviet's Bolshevik share is the share of its electors (the city's
workers and garrison) whose consciousness passes a threshold. The insurrection is a decision rule:
when the capital's soviet follows the Bolsheviks and the largely peasant army sympathises, timed to
a Congress of Soviets, whose delegates vote to take power. After
October a due election is held freely only while the class can still decide (K above a threshold,
less so in the war's emergency); otherwise it lapses and the soviet becomes a front for the party,
which has it re-elected, week by week with a chance, once its hold is sure enough for the White
threat of the moment: such an election ends the gap in elections (§3: none in Moscow for over 18
months in 1919) but not the soviets' unresponsiveness (workers' democracy counts free elections).
"""

from __future__ import annotations

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.congress import voting_delegates
from thermidor.model.params import Params
from thermidor.model.world import C, G, World

CAPITALS = ("petrograd", "moscow")
OTHERS = ("mensheviks", "left_srs", "right_srs")  # the socialist parties of the soviets


def elector_support(w: World, p: Params, city: str) -> float:
    """Share of a city's workers and garrison backing the Bolsheviks."""
    theta = p["soviets.bolshevik_threshold"]
    wk, sd = w.workers, w.soldiers
    in_city = wk["city"] == C[city]
    garrison = sd["garrison"] == G[city]
    wkw, sdw = wk["weight"], sd["weight"]
    backers = wkw[in_city & (wk["consciousness"] > theta)].sum()
    backers += sdw[garrison & (sd["consciousness"] > theta)].sum()
    electors = wkw[in_city].sum() + sdw[garrison].sum()
    return float(backers / electors) if electors else 0.0


def army_sympathy(w: World, p: Params) -> float:
    sd = w.soldiers
    return sd.share(sd["consciousness"] > p["soviets.bolshevik_threshold"])


def elections(w: World, p: Params, ctx: Context) -> None:
    """Hold due elections (or let them lapse); announce a Bolshevik majority when it comes."""
    october = w.decided("insurrection")
    term = p["soviets.term_weeks"] if october else p["soviets.recall_weeks"]
    for city in CAPITALS:
        sov = w.soviets[city]
        if ctx.step - sov.last_election < term:
            continue
        k_city = float(w.working_class.K_city[C[city]])
        emergency = float(w.inputs.civil_war[ctx.step])
        willing = k_city * (1.0 - 0.5 * emergency)
        if october and willing < p["soviets.election_capacity"]:
            if not sov.lapsed:
                sov.lapsed = True
                ctx.emit(
                    "soviet_elections_lapse",
                    f"Elections to the {city.capitalize()} soviet lapse: the class cannot decide.",
                    city=city, K=round(k_city, 4), civil_war=round(emergency, 4),
                )  # fmt: skip
            if front_election(w, p, ctx, city):
                sov.last_election = ctx.step
                sov.fronts += 1
                if sov.fronts == 1:  # the later ones repeat it term after term: counted, not told
                    ctx.emit(
                        "soviet_front_election",
                        f"The {city.capitalize()} soviet is re-elected as a front for the party, "
                        "and so at each term after: its hold is sure enough with the White threat "
                        "eased.",
                        city=city, hold=round(w.bureaucracy.control, 4),
                        white_threat=round(w.war.white_threat, 4),
                    )  # fmt: skip
            continue
        sov.bolshevik_share = elector_support(w, p, city)
        sov.last_election = sov.last_free_election = ctx.step
        sov.lapsed = False
        if not sov.majority and sov.bolshevik_share > 0.5:
            sov.majority = True
            ctx.emit(
                "bolshevik_majority_in_soviets",
                f"The {city.capitalize()} soviet has a Bolshevik majority "
                f"({sov.bolshevik_share:.0%} of delegates).",
                city=city,
                bolshevik_share=round(sov.bolshevik_share, 4),
            )


def front_election(w: World, p: Params, ctx: Context, city: str) -> bool:
    """Whether the party has the lapsed soviet of ``city`` re-elected this week (§3), its own
    draw: the weekly
    chance grows with how far its hold (the apparatus's control) times the White threat's easing
    passes ``soviets.front_hold``; in the war's emergency the election stays lapsed."""
    safe = w.bureaucracy.control * (1.0 - w.war.white_threat) - p["soviets.front_hold"]
    if safe <= 0.0:
        return False
    chance = float(hazard(p["soviets.front_rate"] * safe, ctx.dt))
    return bool(ctx.rng("soviets.front", C[city]).random() < chance)


def electorate_support(w: World, p: Params) -> float:
    """Share of all the soviets' electors (the workers of every town, every soldier) backing the
    Bolsheviks: the pool from which a Congress of Soviets' delegates come."""
    theta = p["soviets.bolshevik_threshold"]
    wk, sd = w.workers, w.soldiers
    backers = wk["weight"][wk["consciousness"] > theta].sum()
    backers += sd["weight"][sd["consciousness"] > theta].sum()
    electors = wk["weight"].sum() + sd["weight"].sum()
    return float(backers / electors) if electors else 0.0


def insurrection(w: World, p: Params, ctx: Context) -> None:
    """The insurrection: the soviets take power at a Congress of Soviets (record: its date).

    The party times it to the congress (§1, §3: the Bolsheviks held power as the majority party
    in the soviets) once the soviet of the capital where the government sits follows it and the
    largely peasant army sympathises; the congress then votes, delegate by delegate (the record's
    number, each drawn from the soviets' electors), to take power."""
    if w.decided("insurrection"):
        return
    congress = w.inputs.soviet_congress.get(ctx.step)
    shares = {c: w.soviets[c].bolshevik_share for c in CAPITALS}
    army = army_sympathy(w, p)
    ready = (
        bool(congress)
        and shares["petrograd"] >= p["insurrection.soviet_support"]
        and army >= p["insurrection.army_sympathy"]
    )
    vote: dict[str, int] = {}
    if ready and congress:
        n = voting_delegates(congress) or 600
        n_for = int(ctx.rng("soviets.congress").binomial(n, electorate_support(w, p)))
        vote = {"for": n_for, "against": n - n_for, "abstained": 0}
        ready = n_for > n - n_for
        ctx.emit(
            "vote",
            f"The {congress} votes {n_for} to {n - n_for} for the transfer of all power to "
            "the soviets.",
            body=congress,
            motion="all power to the soviets",
            by_faction={"bolsheviks": n_for, "others": n - n_for},
            **vote,
        )
    taken = decide(
        w, ctx, "insurrection",
        ready,
        f"Insurrection: the Petrograd soviet takes power on the eve of the {congress or 'congress'}"
        ", the peasant army standing aside or joining.",
        soviet_share_petrograd=round(shares["petrograd"], 4),
        soviet_share_moscow=round(shares["moscow"], 4),
        army_sympathy=round(army, 4),
        body=congress or "",
        **vote,
    )  # fmt: skip
    if taken:
        ctx.emit("land_decree", "The Decree on Land passes the estates to the peasants.")


WEEKS_PER_MONTH = 365.25 / 12 / 7


def workers_democracy(w: World, p: Params, ctx: Context) -> None:
    """M6: W = K x the soviets' responsiveness (regular elections, more than one party)."""
    months = max(free_months(w, ctx.step, c) for c in CAPITALS)
    regular = min(1.0, max(0.0, (18.0 - months) / 12.0))
    w.soviet_democracy.workers_democracy = float(w.working_class.K) * regular * plural(w)
    w.soviet_democracy.soviet_months = months


def free_months(w: World, step: int, city: str) -> float:
    """Months since the city's soviet was last freely elected (a front election does not count)."""
    return (step - w.soviets[city].last_free_election) / WEEKS_PER_MONTH


def plural(w: World) -> float:
    """More than one party (M6): the other parties' voices, their seats in the soviets and their
    press, from 0.5 (none) to 1 (at least four)."""
    voices = sum(w.seated.values()) + sum(w.press[x] for x in OTHERS)
    return 0.5 + 0.5 * min(1.0, voices / 4)


def legal_opposition_in_soviets(w: World) -> int:
    """How many parties other than the Bolsheviks sit in the soviets."""
    return int(sum(w.seated.values()))
