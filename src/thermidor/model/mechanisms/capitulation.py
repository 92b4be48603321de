"""M16 the capitulations (§9): expelled oppositionists make their peace after the turn.

§9: "What followed was the assertion of the power of the towns over the countryside that the
Left Opposition had been demanding for years. This led certain oppositionists (Preobrazhensky,
Radek) to make their peace with Stalin." Each expelled oppositionist (mechanisms/
confrontations.py keeps them, with their convictions) recants with a weekly hazard that rises
with how far the Centre has carried out the Left's programme (planned industry: the industrial
drive, then the turn; the squeeze on the peasants: the share of their wealth lost, mechanisms/
right.py) and with the pressure on him (the police's hold, doubled once the expelled are
deported), and falls with his conviction: the most convinced never recant. Those who recant are
readmitted. Their declaration (record: Radek, Preobrazhensky and Smilga, July 1929) is the week
the capitulators first make up a declared share of the expelled, a definition fixed before any
run was scored, so its date is a consequence of the state, not of a date.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, chunks
from thermidor.model.mechanisms.civil_war import hazard
from thermidor.model.mechanisms.party import ROLE
from thermidor.model.params import Params
from thermidor.model.tree import F, cells_for
from thermidor.model.world import OTHER, World


def adoption(w: World, ctx: Context) -> float:
    """How far the Centre has carried out the Left's programme, in [0, 1]: planned industry (half
    for the industrial drive, growing over its first year; half for the turn) times the squeeze
    on the peasants (the share of their wealth lost)."""
    drive = w.factions.industrial_drive
    ramp = 0.0 if drive is None else min(1.0, (ctx.step - drive) * ctx.dt)
    planned = 0.5 * ramp + 0.5 * (1.0 if w.decided("forced_collectivisation") else 0.0)
    return planned * float(w.right.harm)


def recant_rate(rate: float, adopted: float, pressure: float, conviction: np.ndarray) -> np.ndarray:
    """Each expelled oppositionist's hazard of recanting, per year: ``rate`` times how far the
    Left's programme is adopted, times the pressure on him, times (1 - his conviction)."""
    return rate * adopted * pressure * np.clip(1.0 - conviction.astype(np.float64), 0.0, 1.0)


def recant(w: World, p: Params, ctx: Context) -> None:
    """Weekly: the expelled who make their peace are readmitted; the declaration once enough have."""
    ex = w.exiles
    if ex.weight.size == 0 or not ex.weight.any():
        return
    adopted = adoption(w, ctx)
    if adopted <= 0.0:
        return
    exiled = 1.0 if w.decided("exile") else 0.5
    pressure = float(w.bureaucracy.police) * exiled
    rate = recant_rate(p["capitulation.rate"], adopted, pressure, ex.conviction)
    rng = ctx.rng("capitulation.recant")
    gone = rng.binomial(ex.weight, hazard(rate, ctx.dt)).astype(np.int64)
    n = int(gone.sum())
    if n:
        ex.weight = ex.weight - gone
        ex.capitulated += n
        _readmit(w, rng, n)
    share = ex.capitulated / ex.expelled if ex.expelled else 0.0
    if ex.declared is None and share >= p["capitulation.declared_share"]:
        ex.declared = ctx.step
        ctx.emit(
            "capitulations",
            f"{ex.capitulated:,} expelled oppositionists (Preobrazhensky, Radek) make their peace "
            "with the Centre",
            members=ex.capitulated,
            readmitted=ex.capitulated,
            share_of_expelled=round(share, 4),
            adoption=round(adopted, 4),
        )


def _readmit(w: World, rng: np.random.Generator, n: int) -> None:
    """The recanted rejoin the party as rank-and-file members of the Centre."""
    weights, _ = chunks(np.array([n]), w.scales["members"])
    cell, province = cells_for(rng, weights.size)
    w.members.append(
        weight=weights,
        cell=cell,
        province=province,
        joined=1917.5,
        origin=OTHER,
        role=ROLE["other"],
        conviction=0.5,
        faction=F["centre"],
    )
    w.ledger.flow("readmission", "outside", "members", n)
    w.factions.expelled_total -= n
