"""M14 confrontations and the ratchet (§9); the votes of congresses and conferences.

Every vote is counted over the delegates the provinces send (mechanisms/delegations.py: chosen
by the members while secretaries are elected, by the secretary once appointment dominates, §5)
and recorded with its counts. A confrontation comes when an opposition grows past what
the centre tolerates (less the stronger its control; the Left's support is measured where the
party next meets after its platform, never in the platform's own week), or when a sub-tree with a
head of its own turns against it: the Secretariat demotes and transfers the opposition's secretaries; an
opposition that persists after being condemned twice is expelled by the next congress (a vote, at
the congress's date), and the expelled are exiled with a weekly hazard that grows with
the police's hold (both rules of the state, not lags); the expelled are kept, with their
convictions, for their recanting (mechanisms/capitulation.py). Each confrontation raises the
apparatus's control a step, never undone in the baseline (§9). The Right is confronted at a
Central Committee plenum (mechanisms/right.py), by the same tolerance and ``after_defeat``."""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, bernoulli
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.congress import voting_delegates
from thermidor.model.mechanisms.delegations import delegations
from thermidor.model.mechanisms.oppositions import discussion_now
from thermidor.model.mechanisms.party import ROLE
from thermidor.model.params import Params
from thermidor.model.tree import (
    FACTIONS,
    LENINGRAD,
    OPPOSITIONS,
    F,
    in_opposition,
)
from thermidor.model.world import World

NF = len(FACTIONS)


def count_vote(w: World, ctx: Context, body: str, motion: str, against: tuple[int, ...]) -> dict:
    # fresh: a vote is counted from this week's alignments, over the body's real delegates
    d = delegations(w, voting_delegates(body)).sum(axis=0)
    opposed = int(sum(d[f] for f in against))
    total = int(d.sum())
    by_faction = {FACTIONS[i]: int(d[i]) for i in range(NF) if d[i] > 0}
    data = {
        "body": body,
        "motion": motion,
        "for": total - opposed,
        "against": opposed,
        "abstained": 0,
        "by_faction": by_faction,
    }
    ctx.emit("vote", f"{body}: '{motion}' carried {total - opposed} to {opposed}", **data)
    return data


def votes(w: World, p: Params, ctx: Context) -> None:
    """Congresses and conferences vote on the Central Committee's line."""
    body = w.inputs.congress.get(ctx.step) or w.inputs.conference.get(ctx.step)
    if w.peace.voted == ctx.step:  # the body's vote on the line was the vote on the peace (M12)
        return
    if body and w.decided("insurrection") and w.members.n:
        against = tuple(f for f in (*OPPOSITIONS, F["right"]) if _organised(w, FACTIONS[f]))
        vote = count_vote(w, ctx, body, "for the Central Committee's line", against)
        # the oppositions' strength at each body, for comparing them (O7, mechanisms/right.py)
        total = vote["for"] + vote["against"]
        w.factions.vote_share.setdefault(body, vote["against"] / total if total else 0.0)


def discussions(w: World, p: Params, ctx: Context) -> None:
    """A party-wide discussion: every member votes in his cell, openly ("Who is against?")."""
    name = discussion_now(w, ctx)
    mem = w.members
    if not name or mem.n == 0:
        return
    against = open_vote_against(w, p)
    weight = mem["weight"]
    n_against = int(weight[against].sum())
    total = int(weight.sum())
    by_faction = {
        FACTIONS[i]: int(weight[against & (mem["faction"] == i)].sum()) for i in range(NF)
    }
    by_faction = {k: v for k, v in by_faction.items() if v}
    ctx.emit(
        "vote",
        f"{name}: the Central Committee's line carried {total - n_against:,} to {n_against:,}",
        body=name,
        motion="for the Central Committee's line",
        **{
            "for": total - n_against,
            "against": n_against,
            "abstained": 0,
            "by_faction": by_faction,
        },
    )


def fear_threshold(w: World, p: Params) -> float:
    """The conviction a member needs to vote against the line in an open meeting."""
    return float(w.bureaucracy.control) ** p["party.fear"]


def open_vote_against(w: World, p: Params) -> np.ndarray:
    """Members who vote against the line in an open meeting: in opposition and unafraid. A member
    whose cell's appointed secretary is of his own faction has nothing to fear from voting with
    him: who controls the apparatus controls the party, and where an opposition's head holds it
    (Zinoviev's Leningrad) the meeting votes against the centre (§5)."""
    mem = w.members
    faction = mem["faction"]
    fearless = mem["conviction"] >= fear_threshold(w, p)
    org = w.organs
    cell = mem["cell"]
    led = org["appointed"][cell] & (org["faction"][cell] == faction)
    return in_opposition(faction) & (fearless | led)


def _organised(w: World, name: str) -> bool:
    return name in w.factions.formed and name not in w.factions.expelled


def confrontations(w: World, p: Params, ctx: Context) -> None:
    mem = w.members
    if mem.n == 0:
        return
    body = w.inputs.congress.get(ctx.step) or w.inputs.conference.get(ctx.step)
    control = w.bureaucracy.control
    tolerance = p["confrontation.tolerance"] * (1.0 - control)
    share = {"left_opposition": mem.share(mem["faction"] == F["left_opposition"])}
    done = w.factions.confronted

    # the Left: the first and most important confrontation. Its support is measured where the
    # party meets after the platform comes out (a party-wide discussion, a conference or a
    # congress, §7, §9), and it is condemned there if it has grown past what the centre tolerates
    measured = body or discussion_now(w, ctx)
    if (
        _organised(w, "left_opposition")
        and "left_opposition" not in done
        and measured
        and ctx.step > w.factions.formed["left_opposition"]
        and share["left_opposition"] >= tolerance
    ):
        _confront(
            w,
            p,
            ctx,
            "left_opposition",
            "left_opposition_confrontation",
            "Confrontation with the Left Opposition: its supporters removed from posts",
            measured,
        )
    # Leningrad: an independent sub-tree must be absorbed, at the next congress or conference
    split = w.factions.formed.get("leningrad_opposition", ctx.step)
    if w.factions.leningrad_head == F["leningrad_opposition"] and body and ctx.step > split:
        _confront(
            w,
            p,
            ctx,
            "leningrad_opposition",
            "leningrad_confrontation",
            "The centre absorbs the Leningrad organisation: its heads are removed",
            body,
        )
        w.factions.leningrad_head = F["centre"]
        org = w.organs
        org["appointed"][1 + LENINGRAD] = True
        org["patron"][1 + LENINGRAD] = 0
        org["faction"][1 + LENINGRAD] = F["centre"]
    # an opposition that persists after its defeat is expelled by a congress, then exiled (the
    # Right's confrontations: mechanisms/right.py)
    united = "united" in done and ctx.step > done["united"]
    persists = share["left_opposition"] >= 0.2 * tolerance
    if _organised(w, "left_opposition") and united and persists:
        after_defeat(w, p, ctx, "left_opposition", "united_opposition_confrontation", body)
    # exile: the expelled who go on agitating outside the party are deported once the police's
    # hold makes it possible; a weekly hazard, not a lag (§9; record: January 1928)
    expelled = int(w.factions.expelled_total)
    if expelled and "exile" not in w.decisions:
        u = float(ctx.rng("confrontations.exile").random())
        rate = p["confrontation.exile_rate"] * float(w.bureaucracy.police)
        decide(
            w,
            ctx,
            "exile",
            bool(u < hazard(rate, ctx.dt)),
            "Expelled oppositionists are deported to Siberia and Central Asia",
            expelled=expelled,
        )


def after_defeat(w: World, p: Params, ctx: Context, name: str, kind: str, body: str | None) -> None:
    """An opposition that persists after its defeat: condemned again where the party next meets,
    then expelled by the next congress (a congress's vote, at its date: §9; record: the 15th
    Congress, December 1927)."""
    done = w.factions.confronted
    if name not in done or name in w.factions.expelled:
        return
    again = done.get(f"{name}:again")
    congress = w.inputs.congress.get(ctx.step)
    if again is not None and congress and ctx.step > again:
        _expel(w, p, ctx, name, kind, congress)
    elif again is None and body:
        done[f"{name}:again"] = ctx.step
        if name == "left_opposition":  # the centre takes up the Left's first plank
            w.factions.industrial_drive = ctx.step
            ctx.emit(
                "industrial_drive",
                "Having beaten the Left, the centre takes up its call for industrialisation at "
                "the NEP's pace: more for heavy industry, fewer goods for the villages",
                body=body,
            )
        text = f"The {'Right' if name == 'right' else name.replace('_', ' ')} is condemned again"
        condemned = kind.replace("confrontation", "condemned")
        _confront(w, p, ctx, name, condemned, text, body, record=False)


def _confront(
    w: World,
    p: Params,
    ctx: Context,
    name: str,
    kind: str,
    text: str,
    body: str | None,
    record: bool = True,
) -> None:
    vote = count_vote(
        w,
        ctx,
        body or "Central Committee plenum",
        f"condemning the {name.replace('_', ' ')}",
        (F[name],),
    )
    demote(w, p, ctx, F[name])
    w.factions.confronted[name] = ctx.step
    w.factions.ratchet = min(1.0, w.factions.ratchet + p["confrontation.ratchet"])
    if record:
        w.factions.defeated.add(name)
        ctx.emit(
            kind,
            text,
            opposition=name,
            control=round(float(w.bureaucracy.control), 4),
            **{k: vote[k] for k in ("body", "for", "against")},
        )


def demote(w: World, p: Params, ctx: Context, faction: int) -> None:
    """Opposition secretaries are replaced by appointees; its officials sent to remote posts."""
    rng = ctx.rng("confrontations.demote", faction)
    org = w.organs
    theirs = (org["faction"] == faction) & (org["level"] > 0)
    go = bernoulli(rng, p["confrontation.demotion"], theirs)
    org["appointed"][go] = True
    org["patron"][go] = org["parent"][go]
    org["faction"][go] = org["faction"][org["parent"][go]]
    mem = w.members
    posted = (mem["faction"] == faction) & (
        (mem["role"] == ROLE["official"]) | (mem["role"] == ROLE["functionary"])
    )
    mem["role"] = np.where(posted, ROLE["other"], mem["role"]).astype(np.int8)


def _expel(w: World, p: Params, ctx: Context, name: str, kind: str, body: str) -> None:
    mem = w.members
    rng = ctx.rng("confrontations.expel", F[name])
    # the leaders and those who will not recant: the members who still stand against the line
    # in an open meeting (§9: "expelled its leaders"), not the faction's rank and file
    theirs = (mem["faction"] == F[name]) & open_vote_against(w, p)
    lost = mem.thin(rng, p["confrontation.expulsion"], mask=theirs)
    n = int(lost.sum())
    w.ledger.flow("expulsion", "members", "outside", n)
    gone = lost > 0  # the expelled, each with his conviction: who may later recant (M16)
    ex = w.exiles
    ex.weight = np.concatenate([ex.weight, lost[gone].astype(np.int64)])
    ex.conviction = np.concatenate([ex.conviction, mem["conviction"][gone].astype(np.float32)])
    ex.expelled += n
    w.factions.expelled[name] = ctx.step
    w.factions.expelled_total += n
    w.factions.defeated.add("united_opposition" if name == "left_opposition" else name)
    w.factions.ratchet = min(1.0, w.factions.ratchet + p["confrontation.ratchet"])
    vote = count_vote(w, ctx, body, f"expelling the {name.replace('_', ' ')}", (F[name],))
    label = "United Opposition" if name == "left_opposition" else "Right"
    decide(
        w,
        ctx,
        "expulsions" if name == "left_opposition" else "right_removed",
        True,
        f"The {body} expels the {label}'s leaders and those who will not recant: {n:,} members",
        expelled=n,
        **{k: vote[k] for k in ("for", "against")},
    )
    ctx.emit(kind, f"Final confrontation with the {label}", opposition=name, expelled=n)
    mem.compact()
