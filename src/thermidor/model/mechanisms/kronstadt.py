"""M7 Kronstadt and the end of the alliance (§4); the turn to the NEP as a decision rule.

Once the White threat is gone only the burden of requisitions binds the peasants to the regime,
and unrest grows. A garrison whose militants left for the front and were replaced by peasants
takes up the villages' discontent once peasants are the majority of its meeting, and rises,
demanding soviets without the party and a free market; it is put down by force. The regime then
gives the peasants a market (the NEP) once unrest, and the rising, press hard enough for its
readiness: a congress votes it in its last week; once the rising is crushed with no congress
sitting or convened, the Central Committee decides it between congresses (record: the tax in kind voted by the
10th Congress, 15 March 1921, and decreed on the 21st).
"""

from __future__ import annotations

from thermidor.engine import Context
from thermidor.model.decisions import decide
from thermidor.model.mechanisms.congress import closing, sitting
from thermidor.model.mechanisms.parties import unseat
from thermidor.model.params import Params
from thermidor.model.world import PEASANT, G, World

SUPPRESSION_WEEKS = 2
# a congress is announced this long before it opens (record: the party statute of December 1919,
# a congress and its agenda announced at least a month and a half ahead); the Central Committee
# leaves to a congress so convened the decisions it would otherwise take between congresses
NOTICE_WEEKS = 6


def convened(w: World, ctx: Context) -> bool:
    """Whether a party congress has been announced: it opens within ``NOTICE_WEEKS``."""
    return any(ctx.step < step <= ctx.step + NOTICE_WEEKS for step in w.inputs.congress)


def garrison_discontent(w: World) -> tuple[float, float]:
    """The villages' discontent as the garrison's meeting takes it up, and its peasants' share.

    The sailors decide in a mass meeting (§4: the Kronstadt resolution): a garrison whose majority
    are peasants carries the villages' full unrest; below a majority, in proportion to how near
    its peasants come to one."""
    sd = w.soldiers
    kr = sd["garrison"] == G["kronstadt"]
    peasant_share = sd.share(sd["origin"] == PEASANT, within=kr) if kr.any() else 0.0
    return min(1.0, 2.0 * peasant_share) * w.peasants.unrest, peasant_share


def rising(w: World, p: Params, ctx: Context) -> None:
    if "kronstadt_type_rising" not in w.decisions:
        discontent, peasant_share = garrison_discontent(w)
        w.kronstadt.garrison_discontent = discontent
        quiet = w.war.white_threat <= p["kronstadt.threat_ceiling"]
        if w.decided("insurrection") and quiet and discontent >= p["kronstadt.threshold"]:
            w.decisions["kronstadt_type_rising"] = ctx.step
            ctx.emit(
                "kronstadt_type_rising",
                "The Kronstadt garrison rises for soviets without the party and a free market.",
                peasant_share=round(peasant_share, 4),
                unrest=round(w.peasants.unrest, 4),
                discontent=round(discontent, 4),
                demands=["soviets without the party", "free trade in grain"],
            )
            unseat(w, ctx, "the rising demanded soviets without the party")
    elif ctx.step == w.decisions["kronstadt_type_rising"] + SUPPRESSION_WEEKS:
        sd = w.soldiers
        kr = sd["garrison"] == G["kronstadt"]
        lost = sd.thin(ctx.rng("kronstadt.suppression"), p["kronstadt.repression_deaths"], mask=kr)
        w.ledger.flow("repression", "soldiers", "outside", int(lost.sum()))
        garrison = sd["garrison"]  # a view: set in place
        garrison[kr] = G["rear"]
        ctx.emit("rising_suppressed", "The rising is put down by force.", killed=int(lost.sum()))


def nep(w: World, p: Params, ctx: Context) -> None:
    """The turn to the NEP: voted in the last week of a congress, once unrest (and the rising)
    press hard enough for the party's readiness (record: the tax in kind, 15 March 1921); or by
    the Central Committee between congresses once the rising has been crushed and no congress
    sits or has been convened to decide it (the regime cannot go on requisitioning against a
    second Kronstadt)."""
    body = closing(w, ctx)
    risen = "kronstadt_type_rising" in w.decisions
    crushed = risen and ctx.step >= w.decisions["kronstadt_type_rising"] + SUPPRESSION_WEEKS
    between = crushed and sitting(w, ctx) is None and not convened(w, ctx)
    pressure = w.peasants.unrest + (0.5 if risen else 0.0)
    requisitions = w.decided("requisitioning")
    if not body and between:
        body = "Central Committee"
    decide(
        w, ctx, "new_economic_policy",
        bool(body) and requisitions and pressure >= 1.0 - p["nep.readiness"],
        f"The {body or 'party'} adopts the New Economic Policy: a tax in kind replaces "
        "requisitions and private trade is allowed.",
        unrest=round(w.peasants.unrest, 4), rising=risen, body=body or "",
    )  # fmt: skip
