"""M11 democracy inside the party (§5): appointment spreads, elections from below wither.

Each organ's secretary is elected from below (a cell's plurality; a committee's by the organs under
it) or appointed from above. Appointment spreads with the apparatus's control and the members'
fear ("Who is against?"), and is held back where elections are contested: by the class's capacity
K and by an opposition's strength in the province. The head of the Leningrad organisation appoints
within his own sub-tree, so its secretaries are his men (and its delegates his) until the centre
absorbs the organisation; then they follow whoever holds the apparatus there. Once the Left's platform is adopted
(``left_platform``, a forced decision), appointees stand for election again and lose where the
election is contested. The ban on factions is a decision rule of a congress, taken when
isolation and peasant revolt press. The opposition's share of the press falls with control.
Party democracy D combines the elected share, the opposition's press share against its share of
the membership, and whether factions are tolerated.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, bernoulli, twin
from thermidor.engine import plurality as engine_plurality
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.params import Params
from thermidor.model.tree import (
    CELL,
    DISTRICT,
    FACTIONS,
    LENINGRAD,
    N_PROVINCES,
    OPPOSITIONS,
    PROVINCE,
    F,
    in_opposition,
)
from thermidor.model.world import World

NF = len(FACTIONS)


def plurality(groups: np.ndarray, factions: np.ndarray, weights: np.ndarray, n: int) -> np.ndarray:
    """Per group, the faction with most weight (-1 where a group is empty)."""
    return engine_plurality(groups, factions, weights, n, NF)


def secretaries(w: World, p: Params, ctx: Context) -> None:
    """Appointments spread; elected secretaries follow those who elect them."""
    org = w.organs
    if not w.decided("insurrection"):
        return
    rng = ctx.rng("inner_party.secretaries")
    control = w.bureaucracy.control
    level = org["level"]
    appointed = org["appointed"]
    # contested elections: the class's capacity and an opposition's strength in the province
    # resist the apparatus's nominee (§5-§7: it was the class's weakness that let it appoint)
    contest = contested(w, p)[org["province"]]
    # who appoints: the Secretariat, as far as its control reaches down the tree; but a sub-tree
    # whose head has a machine of his own (Leningrad's, §5, §9) is filled by his appointees, held
    # back only by contested elections, until the centre absorbs it and appoints the head himself
    head = np.zeros(org.n, dtype=bool)
    head[1 + LENINGRAD] = own = not bool(appointed[1 + LENINGRAD])
    hold = np.full(org.n, control * control)
    if own:
        hold[org["province"] == LENINGRAD] = 1.0
    rate = p["party.appointment_rate"] * hold * (1.0 - contest)
    cand = ~appointed & (level >= PROVINCE) & ~head
    go = bernoulli(rng, hazard(rate, ctx.dt), cand)
    if w.decided("left_platform"):  # elections restored: an appointee must stand again, and
        # loses where the election is contested (a tired class leaves most uncontested, §7)
        lose = hazard(contest / p["party.election_term"], ctx.dt)
        back = bernoulli(rng, lose, appointed & (level >= PROVINCE))
        appointed[back] = False
        org["patron"][back] = -1
    parent = org["parent"]
    appointed[go] = True
    org["patron"][go] = parent[go]
    org["faction"][go] = org["faction"][parent[go]]

    # elected cells follow their members; elected committees the organs beneath them (monthly)
    if ctx.step % 4:
        faction = org["faction"]
        faction[1 + LENINGRAD] = w.factions.leningrad_head
        faction[0] = 0
        return
    mem = w.members
    n = org.n
    cell_pick = plurality(mem["cell"], mem["faction"], mem["weight"], n)
    faction = org["faction"]
    el_cell = ~appointed & (level == CELL) & (cell_pick >= 0)
    faction[el_cell] = cell_pick[el_cell]
    for lvl in (DISTRICT, PROVINCE):
        child = level == lvl + 1
        pick = plurality(parent[child], faction[child], np.ones(int(child.sum())), n)
        sel = ~appointed & (level == lvl) & (pick >= 0) & ~head
        faction[sel] = pick[sel]
    faction[1 + LENINGRAD] = w.factions.leningrad_head
    faction[0] = 0  # the Secretariat holds the centre


def left_platform(w: World, p: Params, ctx: Context) -> None:
    """The Left's platform of 1923 adopted as policy (§7): no rule of the baseline's state takes
    it (the majority rejected it), so only a scenario's forced decision does. Its planks act
    through mechanisms: planned industry (M5 capacity), the kulak taxed (M3 grain), elections of
    secretaries restored (M11 secretaries, above)."""
    if w.decided("insurrection"):
        decide(w, ctx, "left_platform", False,
               "The Left's platform is adopted: planned industry, the kulak taxed, "
               "elections of secretaries restored")  # fmt: skip


def platform(w: World, p: Params) -> float:
    """How far the platform's economic planks are policy, [0, 1]: 1 once it is adopted, else the
    scenario's ``policy.planned_industry``."""
    return 1.0 if w.decided("left_platform") else p["policy.planned_industry"]


def contested(w: World, p: Params) -> np.ndarray:
    """By province, the chance that a secretary's election is contested, [0, 1] (§5, §7): the
    class's capacity K (national) and the share of the province's members in an opposition from
    below (the Left, the Workers' Opposition)."""
    k = float(w.working_class.K)
    share = opposition_from_below(w)
    return np.asarray(np.clip(p["party.election_contest"] * (k + 0.5 * share), 0.0, 1.0))


@twin("inner_party.opposition_from_below")
def opposition_from_below(w: World) -> np.ndarray:
    """By province, the share of the members in an opposition from below (0 with no members).
    A sub-tree's own machine (Leningrad's) is not one: its members follow their head's
    appointees (§5, §9)."""
    mem = w.members
    if mem.n == 0:
        return np.zeros(N_PROVINCES)
    prov = mem["province"].astype(np.int64)
    below = in_opposition(mem["faction"]) & (mem["faction"] != F["leningrad_opposition"])
    # one table by province and side (integer weights: the sums are exact in any order)
    table = np.bincount(2 * prov + below, weights=mem["weight"], minlength=2 * N_PROVINCES)
    opp, total = table[1::2], table[0::2] + table[1::2]
    return np.asarray(opp / np.maximum(total, 1.0))


def democracy(w: World, p: Params, ctx: Context) -> None:
    """Opposition press share, party democracy D, and the ban on factions (a congress rule)."""
    org, mem = w.organs, w.members
    below = org["level"] >= PROVINCE
    elected = 1.0 - float(org["appointed"][below].mean())
    opp_members = mem.share(in_opposition(mem["faction"])) if mem.n else 0.0
    control = w.bureaucracy.control
    press = opp_members * (1.0 - control)
    w.inner_party.press_share = press
    w.inner_party.opposition_member_share = opp_members
    fairness = min(1.0, press / opp_members) if opp_members > 0.005 else 1.0 - control
    tolerated = 0.6 if w.decided("faction_ban") else 1.0
    w.inner_party.party_democracy = elected * fairness * tolerated
    w.inner_party.appointed_share = 1.0 - elected

    congress = w.inputs.congress.get(ctx.step)
    isolation = 1.0 - min(1.0, float(w.abroad.revolutions))
    risen = 0.5 if "kronstadt_type_rising" in w.decisions else 0.0
    pressure = isolation * (w.peasants.unrest + risen)
    decide(
        w, ctx, "faction_ban",
        bool(congress) and w.decided("insurrection")
        and pressure >= 1.0 - p["factions.ban_readiness"],
        f"The {congress or 'party'} bans factions 'temporarily': isolation and peasant revolt "
        "press",
        congress=congress or "", isolation=round(isolation, 4),
        unrest=round(w.peasants.unrest, 4),
    )  # fmt: skip
    if congress and w.decided("insurrection"):
        _elect_central_committee(w, p, ctx, congress)


def _elect_central_committee(w: World, p: Params, ctx: Context, congress: str) -> None:
    """A congress elects the Central Committee by its delegates' ballots (§5: in 1921 two members
    of the Workers' Opposition were elected).

    For unity the leadership's slate names opposition candidates for at least the opposition's
    share of the members (``size x share x party.cc_opposition_inclusion``, rounded up). Each is
    elected if a majority of the body's voting delegates (the record's number) votes for him: the
    opposition's delegates do, and each of the others, a draw of his own, with the chance that
    party democracy D gives a minority its voice. With no opposition there is no such candidate;
    with D low the majority strikes them."""
    size = w.inputs.cc_size.get(ctx.step, 25)
    mem = w.members
    share = mem.share(in_opposition(mem["faction"])) if mem.n else 0.0
    d = w.inner_party.party_democracy
    from thermidor.model.mechanisms.confrontations import voting_delegates
    from thermidor.model.mechanisms.delegations import delegations

    by = delegations(w, voting_delegates(congress)).sum(axis=0)
    against = int(sum(by[f] for f in OPPOSITIONS))
    n = int(by.sum())
    named = min(size, int(np.ceil(size * share * p["party.cc_opposition_inclusion"] - 1e-9)))
    votes = against + ctx.rng("inner_party.central_committee").binomial(n - against, d, size=named)
    seats = int((2 * votes > n).sum())
    w.inner_party.cc_opposition = seats
    ctx.emit(
        "central_committee_elected",
        f"The {congress} elects a Central Committee of {size}: {seats} from the opposition.",
        body=congress,
        motion="the Central Committee's slate",
        size=size,
        opposition_seats=seats,
        opposition_candidates=named,
        candidate_votes=[int(v) for v in votes],
        opposition_member_share=round(share, 4),
        party_democracy=round(d, 4),
        abstained=0,
        by_faction={FACTIONS[i]: int(by[i]) for i in range(NF) if by[i] > 0},
        **{"for": n - against, "against": against},
    )
