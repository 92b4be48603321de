"""M15 the bureaucracy as a class (§8, §9): control and cohesion, kept apart.

Control (a class in itself): power over appointments in the party, over production (managers
appointed from above once one-man management replaces workers' control), over the police (from
the civil war on), and the step-wise gains of each confrontation; much of it is there when the NEP
begins. Cohesion (a class for itself): the apparatus's secretaries aligned with the Centre,
no organised group left that could disturb it, its defeats of the groups that tried, and its
privileges (managers no longer drawn from the workers). The bureaucracy is consolidated when both
pass thresholds declared in the schema before any calibration (never fitted to a date).
"""

from __future__ import annotations

from thermidor.engine import Context
from thermidor.model.params import Params
from thermidor.model.tree import LENINGRAD, OPPOSITIONS, PROVINCE, F, in_factions
from thermidor.model.world import World

GROUPS = ("left_opposition", "leningrad_opposition", "united_opposition")


def components(w: World, p: Params, ctx: Context) -> None:
    org, mem = w.organs, w.members
    below = org["level"] >= PROVINCE
    appointed = float(org["appointed"][below].mean())
    production = 1.0 - float(w.soviet_democracy.workers_democracy)
    if w.decided("new_economic_policy"):  # one-man management: managers answer upward
        production = max(production, float(w.nep.khozraschet))
    police = 1.0 if w.decided("requisitioning") else 0.0  # the Cheka of the civil war
    ratchet = float(w.factions.ratchet)
    control = (appointed + production + police + ratchet) / 4.0
    outside = below & (org["province"] != LENINGRAD)
    w.bureaucracy.control_elsewhere = (
        float(org["appointed"][outside].mean()) + production + police + ratchet
    ) / 4.0
    w.bureaucracy.control = control if w.decided("insurrection") else 0.0

    centre = float((org["faction"][below] == F["centre"]).mean())
    organised = [f for f in OPPOSITIONS if _organised(w, f)]
    opp = mem.share(in_factions(mem["faction"], organised)) if (organised and mem.n) else 0.0
    quiet = max(0.0, 1.0 - 5.0 * opp)
    defeats = len(set(GROUPS) & w.factions.defeated) / len(GROUPS)
    privilege = 1.0 - float(w.nep.managers_from_workers)
    # a class for itself has beaten every group that could disturb it: defeats multiply (§9)
    cohesion = (centre + quiet + privilege) / 3.0 * defeats if w.decided("insurrection") else 0.0
    w.bureaucracy.cohesion = cohesion
    if (
        "bureaucracy_consolidated" not in w.decisions
        and control >= p["bureaucracy.control_threshold"]
        and cohesion >= p["bureaucracy.cohesion_threshold"]
    ):
        w.decisions["bureaucracy_consolidated"] = ctx.step
        ctx.emit(
            "bureaucracy_consolidated",
            "The bureaucracy is consolidated as a ruling class: control and cohesion both complete",
            control=round(control, 4), cohesion=round(cohesion, 4),
            thresholds=[p["bureaucracy.control_threshold"], p["bureaucracy.cohesion_threshold"]],
        )  # fmt: skip


def _organised(w: World, faction: int) -> bool:
    from thermidor.model.tree import FACTIONS

    name = FACTIONS[faction]
    if name == "leningrad_opposition":
        return w.factions.leningrad_head == F["leningrad_opposition"]
    return name in w.factions.formed and name not in w.factions.expelled
