"""M12-M14 when the oppositions of 1923-26 come out (§5, §7, §9): rules of the state, with chance.

Each opposition's coming out is a decision of a few people (the signatories of a platform, the
head of a city's machine, two defeated groups of leaders), so each is a draw whose chance the
state sets, never a date or a lag:

- **The Left** comes out in an economic crisis (§5, §7: the crisis of 1923): once the price
  scissors pass ``factions.scissors_trigger``, each month it does so with a chance that grows with
  how far they pass it (``factions.left_rate``); M12 asks, and still needs enough members leaning
  its way (record: the strikes of August-September 1923, the Platform of the 46 on 15 October).
- **Leningrad's head** turns against the centre once the Left, the common enemy, is beaten and
  the centre's control of the rest of the apparatus leaves him no part of it
  (``patronage.split_control``, §9: his independence is an obstacle the apparatus must absorb, for
  the apparatus's reasons, not a doctrine's). He does so
  as a congress, which elects the Central Committee that decides his place, is prepared: he must
  fight before the Central Committee adopts its theses, ``patronage.congress_preparation`` before
  it. Far from that little is at stake, near it everything, so the weekly hazard is (a steep form,
  MODELLING) ``patronage.congress_stakes / tau**3``, ``tau`` the years left to the preparation, at
  least a week (record: the Platform of the Four in September 1925, before the plenum of 3-10
  October that prepared the 14th Congress; §5: "towards the end of 1925").
- **The United Opposition**: after the centre absorbs Leningrad its defeated leaders, out of
  office, drift back to the Left's policies (§9: "having lost this, he began to turn once more to
  the historical traditions of Bolshevism and to the policies of the Left"). Their estrangement
  from the ruling bloc grows with the apparatus's control (the stronger its hold, the less hope of
  a way back). A bloc needs both sides: the Zinovievists' turn from the apparatus and the Left's
  readiness to join its persecutors of 1923-24 each grow with that estrangement, so the weekly
  hazard of the union is ``factions.unite_rate`` times its square (record: the Trotskyists and
  Zinovievists united in the spring and summer of 1926).
- **The party-wide discussion of the Left's platform** is opened by the Politburo when it can no
  longer keep the platform inside the Central Committee: each week after the platform, until the
  Left is confronted, with a hazard ``confrontation.discussion_rate`` times the Left's support over
  what the centre tolerates (M14's measure); the Left is then measured there (§7, §9; record: the
  discussion opened in Pravda on 7 November 1923, three weeks after the Platform of the 46). The
  discussion before the 15th Congress stays on the calendar (record: the statutes' pre-congress
  discussion), and decides nothing the model reads but its vote.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.params import Params
from thermidor.model.tree import F
from thermidor.model.world import World

MONTH = 4  # M12 revises alignments (and asks the Left) every four weeks


def left_ready(w: World, p: Params, ctx: Context) -> bool:
    """Whether the Left's signatories come out this month: a draw, certain to fail below the
    scissors' trigger, likelier the deeper the crisis (§5, §7)."""
    excess = float(w.nep.scissors) - p["factions.scissors_trigger"]
    if excess <= 0.0:
        return False
    u = float(ctx.rng("oppositions.left").random())
    return bool(u < float(hazard(p["factions.left_rate"] * excess, MONTH * ctx.dt)))


def years_to_congress(w: World, ctx: Context, before: float = 0.0) -> float | None:
    """Years from this week to ``before`` years ahead of the next congress (after this week), at
    least a week; None if no congress is left."""
    later = [k for k in w.inputs.congress if k > ctx.step]
    if not later:
        return None
    return max((min(later) - ctx.step) * ctx.dt - before, ctx.dt)


def leningrad_break(w: World, p: Params, ctx: Context) -> None:
    """Leningrad's head turns against the centre; his machine follows him down the tree (M13)."""
    f = w.factions
    if f.leningrad_head != F["centre"] or "leningrad_opposition" in f.formed:
        return
    if "left_opposition" not in f.defeated:
        return
    control = float(w.bureaucracy.control_elsewhere)
    tau = years_to_congress(w, ctx, p["patronage.congress_preparation"])
    if control < p["patronage.split_control"] or tau is None:
        return
    u = float(ctx.rng("oppositions.leningrad").random())
    if u < float(hazard(p["patronage.congress_stakes"] / tau**3, ctx.dt)):
        f.leningrad_head = F["leningrad_opposition"]
        f.formed["leningrad_opposition"] = ctx.step
        ctx.emit(
            "leningrad_opposition_formed",
            "The head of the Leningrad organisation turns against the centre; his machine follows",
            control_elsewhere=round(control, 4),
            weeks_to_preparation=round(tau / ctx.dt),
        )


def united(w: World, p: Params, ctx: Context) -> None:
    """After Leningrad's absorption its defeated leaders may join the Left: the United Opposition."""
    f = w.factions
    if "leningrad_opposition" not in f.confronted or "united" in f.confronted:
        return
    if "left_opposition" in f.expelled or w.members.n == 0:
        return
    f.estrangement += ctx.dt * float(w.bureaucracy.control)
    u = float(ctx.rng("oppositions.united").random())
    if u < float(hazard(p["factions.unite_rate"] * f.estrangement**2, ctx.dt)):
        unite(w, ctx)


def unite(w: World, ctx: Context) -> None:
    """Leningrad's defeated leaders join the Left, with those of its members still behind them."""
    mem = w.members
    zin = mem["faction"] == F["leningrad_opposition"]
    mem["faction"] = np.where(zin, F["left_opposition"], mem["faction"]).astype(np.int8)
    w.factions.formed.setdefault("left_opposition", ctx.step)
    w.factions.confronted["united"] = ctx.step
    ctx.emit(
        "united_opposition_formed",
        "Zinoviev's defeated supporters join Trotsky's: the United Opposition",
        members=int(mem["weight"][zin].sum()),
        estrangement=round(float(w.factions.estrangement), 4),
    )


def discussion(w: World, p: Params, ctx: Context) -> None:
    """The Politburo opens a party-wide discussion of the Left's platform (a draw each week)."""
    f = w.factions
    name = "left_opposition"
    if name not in f.formed or name in f.confronted or name in f.discussed or w.members.n == 0:
        return
    if ctx.step <= f.formed[name] or name in f.expelled:
        return
    mem = w.members
    tolerance = p["confrontation.tolerance"] * (1.0 - float(w.bureaucracy.control))
    pressure = mem.share(mem["faction"] == F[name]) / max(tolerance, 1e-6)
    u = float(ctx.rng("oppositions.discussion").random())
    if u < float(hazard(p["confrontation.discussion_rate"] * pressure, ctx.dt)):
        f.discussed[name] = ctx.step


def discussion_now(w: World, ctx: Context) -> str | None:
    """This week's party-wide discussion: on the calendar, or opened by the rule above."""
    name = w.inputs.discussion.get(ctx.step)
    if name:
        return name
    if ctx.step in w.factions.discussed.values():
        return f"party-wide discussion of {ctx.date.year}"
    return None
