"""M15 the bureaucracy as a class (§8, §9): control and cohesion, kept apart, from the state.

Control (a class in itself, §8): the apparatus's hold over the party (the share of secretaries
appointed from above), over production (managers answering upward, not to the workers: the
less so while workers' democracy lives or the class is strong enough to press through its
factory committees, and after commercial accounting through the managers still drawn from
their ranks), over the police (a hold that grows while the
soviets cannot check it), and what the confrontations have won it (M14's ratchet). Cohesion (a
class for itself, §9): the apparatus's secretaries aligned with the Centre, the strength left to
any opposition inside the party, its privileges (managers no longer drawn from the workers) and
how far the socialist tradition still holds those in its posts. Every term is a continuous
measure of this week's state: no count of groups beaten, no term fixed at a constant.

The bureaucracy is consolidated in the first week both pass thresholds declared in the schema
before any calibration (class ``definition``: never fitted to a date, never varied as structure
or choice).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, twin
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.party import ROLE
from thermidor.model.params import Params
from thermidor.model.tree import LENINGRAD, PROVINCE, F, in_opposition
from thermidor.model.world import World


def production_hold(
    workers_democracy: float, capacity: float, khozraschet: float, managers_from_workers: float
) -> float:
    """The apparatus's hold over production, [0, 1] (§5): what the workers do not hold. Their say
    is the stronger of their soviets (W) and their own capacity (K, the factory committees); once
    industry works on commercial account (``khozraschet`` -> 1) the trusts' managers answer
    upward and the workers keep only the say of managers still drawn from their ranks."""
    say = max(workers_democracy, capacity)
    say *= 1.0 - khozraschet * (1.0 - managers_from_workers)
    return float(np.clip(1.0 - say, 0.0, 1.0))


def police_step(police: float, workers_democracy: float, rate: float, dt: float) -> float:
    """The police's hold, one step on (§3, §5): it moves toward what the soviets leave unchecked
    (1 - W) at ``rate`` per year; continuous in every input."""
    target = float(np.clip(1.0 - workers_democracy, 0.0, 1.0))
    return float(police + hazard(rate, dt) * (target - police))


def control_of(appointed: float, production: float, police: float, ratchet: float) -> float:
    """Control, [0, 1]: the mean of the four holds (each in [0, 1])."""
    return (appointed + production + police + ratchet) / 4.0


def quiet_of(opposition: float, scale: float) -> float:
    """1 with no opposition left, falling linearly to 0 at ``scale`` (a share of the members)."""
    return float(np.clip(1.0 - opposition / scale, 0.0, 1.0))


def cohesion_of(centre: float, quiet: float, privilege: float, tradition: float) -> float:
    """Cohesion, [0, 1]: the geometric mean of the Centre's alignment, the quiet (no opposition
    left), the privileges and the tradition lost (1 - tradition): a class for itself has all of
    them, so any one that is missing holds the whole back (§9)."""
    terms = np.clip(np.array([centre, quiet, privilege, 1.0 - tradition]), 0.0, 1.0)
    return float(np.prod(terms) ** 0.25)


@twin("bureaucracy.member_terms")
def member_terms(w: World) -> tuple[float, float]:
    """The members' part of cohesion: the share of the members in any opposition (the Right
    included), and the mean conviction of those posted in the apparatus (officials and
    functionaries), weighted by persons; (0, 0) with no members, tradition 0 with none posted."""
    mem = w.members
    if not mem.n:
        return 0.0, 0.0
    against = in_opposition(mem["faction"]) | (mem["faction"] == F["right"])
    opposition = mem.share(against)
    role = mem["role"]
    posted = (role == ROLE["official"]) | (role == ROLE["functionary"])
    weight = mem["weight"] * posted
    tradition = float(np.average(mem["conviction"], weights=weight)) if weight.any() else 0.0
    return opposition, tradition


def components(w: World, p: Params, ctx: Context) -> None:
    org = w.organs
    b = w.bureaucracy
    if not w.decided("insurrection"):
        b.control = b.cohesion = 0.0
        return
    below = org["level"] >= PROVINCE
    appointed = float(org["appointed"][below].mean())
    outside = below & (org["province"] != LENINGRAD)
    wd = float(w.soviet_democracy.workers_democracy)
    production = production_hold(
        wd, float(w.working_class.K), float(w.nep.khozraschet), float(w.nep.managers_from_workers)
    )
    police = police_step(float(b.police), wd, p["bureaucracy.police_rate"], ctx.dt)
    ratchet = float(w.factions.ratchet)
    control = control_of(appointed, production, police, ratchet)
    b.control_elsewhere = control_of(
        float(org["appointed"][outside].mean()), production, police, ratchet
    )
    b.control, b.police, b.production_hold = control, police, production

    centre = float((org["faction"][below] == F["centre"]).mean())
    opposition, tradition = member_terms(w)
    quiet = quiet_of(opposition, p["bureaucracy.opposition_scale"])
    privilege = 1.0 - float(w.nep.managers_from_workers)
    cohesion = cohesion_of(centre, quiet, privilege, tradition)
    b.cohesion, b.opposition_strength, b.apparatus_tradition = cohesion, opposition, tradition
    if (
        "bureaucracy_consolidated" not in w.decisions
        and control >= p["bureaucracy.control_threshold"]
        and cohesion >= p["bureaucracy.cohesion_threshold"]
    ):
        w.decisions["bureaucracy_consolidated"] = ctx.step
        ctx.emit(
            "bureaucracy_consolidated",
            "The bureaucracy is consolidated as a ruling class: its control and its cohesion both "
            "pass their thresholds",
            control=round(float(control), 4), cohesion=round(cohesion, 4),
            appointed=round(appointed, 4), production=round(production, 4),
            police=round(float(police), 4), ratchet=round(ratchet, 4), centre=round(centre, 4),
            quiet=round(quiet, 4), privilege=round(privilege, 4), tradition=round(tradition, 4),
            thresholds=[p["bureaucracy.control_threshold"], p["bureaucracy.cohesion_threshold"]],
        )  # fmt: skip
