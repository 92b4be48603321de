"""M12 factions as pressures (§6-§8): each member leans where the social pressures on him push.

The Left pulls members by conviction and the socialist tradition, the more so in an economic crisis
and as the apparatus bureaucratises; it is not the workers' faction (§7). The Right pulls by
contact with peasants, kulaks and traders, and, once the Centre's course turns against the
peasants, by the harm done to them, felt in proportion to conviction (the careerist follows his
secretary whatever is done to the villages; mechanisms/right.py): the Right's pull sits inside the
majority bloc until then, and splits from it only when the base it leans on is hurt (§8, §9);
the Centre by a post in the apparatus; every member
feels his secretary's pull in proportion to his lack of conviction, so careerists follow their
secretary (§5, §8). An opposition exists only within its declared period (data/factions.csv) and
only once enough members lean its way to come out with a platform. Alignment is revised monthly.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

import numpy as np

from thermidor.engine import Context, twin
from thermidor.model.mechanisms.party import OLD_BOLSHEVIK_BEFORE, ROLE
from thermidor.model.params import Params
from thermidor.model.tree import FACTIONS, LENINGRAD, F
from thermidor.model.world import PEASANT, WORKER, World

NF = len(FACTIONS)
MONTH = 4  # steps between revisions of alignment


def available(w: World, ctx: Context) -> np.ndarray:
    """Which factions a member may join this week."""
    ok = np.zeros(NF, dtype=bool)
    ok[F["centre"]] = True
    windows = w.inputs.factions
    day = ctx.date
    formed = w.factions.formed
    for name in ("left_opposition", "right", "workers_opposition"):
        start, end = windows.get(name, (dt.date.max, dt.date.min))
        if start <= day <= end and name in formed and name not in w.factions.expelled:
            ok[F[name]] = True
    if w.factions.leningrad_head == F["leningrad_opposition"] or (
        "leningrad_opposition" in formed and "leningrad_opposition" not in w.factions.defeated
    ):
        ok[F["leningrad_opposition"]] = True
    if w.decided("faction_ban"):
        ok[F["workers_opposition"]] = False
    return ok


def scores(w: World, p: Params) -> np.ndarray:
    """Each member's pull toward each faction, shape ``(n_members, n_factions)``."""
    mem = w.members
    conv = mem["conviction"].astype(np.float64)
    old = mem["joined"] < OLD_BOLSHEVIK_BEFORE
    worker = mem["origin"] == WORKER
    tradition = np.minimum(1.0, 0.6 + 0.4 * old + 0.2 * worker)
    k = pulls(w, p)
    left = k.left_appeal * conv * tradition * k.left_pressure * k.abroad
    role = mem["role"]
    apparatus = (role == ROLE["official"]) | (role == ROLE["functionary"])
    contact = 0.5 * (mem["origin"] == PEASANT) + 0.5 * apparatus
    right = k.right_pull * contact * (k.nep_market + k.grievance * conv)
    centre = k.centre_pull * (0.4 + 0.6 * apparatus)
    s = np.zeros((mem.n, NF))
    s[:, F["centre"]] = centre
    s[:, F["right"]] = right
    s[:, F["left_opposition"]] = left
    s[:, F["leningrad_opposition"]] = left * (mem["province"] == LENINGRAD)
    s[:, F["workers_opposition"]] = left * worker * (1.0 - apparatus)
    sec = w.organs["faction"][mem["cell"]]
    s[np.arange(mem.n), sec] += k.loyalty * (1.0 - conv)
    return s


class Pulls(NamedTuple):
    """The scalar factors of the pulls: this month's state and the parameters."""

    left_appeal: float
    left_pressure: float  # the crisis plus the apparatus's appointed share
    abroad: float  # 1 + a revolution abroad's strength, at most 2
    right_pull: float
    nep_market: float
    grievance: float  # the harm done to the peasants, times the rally it gives the Right
    centre_pull: float
    loyalty: float  # patronage: the pull of a member's secretary


def pulls(w: World, p: Params) -> Pulls:
    return Pulls(
        p["factions.left_appeal"],
        float(w.nep.crisis) + float(w.inner_party.appointed_share),
        1.0 + min(1.0, float(w.abroad.revolutions)),
        p["factions.right_pull"],
        float(w.nep.nep_market),
        p["factions.right_rally"] * float(w.right.harm),
        p["factions.centre_pull"],
        p["patronage.loyalty"],
    )


def alignment(w: World, p: Params, ctx: Context) -> None:
    """Monthly: oppositions may come out, then each member joins the open faction he leans to."""
    if not w.decided("insurrection") or ctx.step % MONTH:
        return
    if w.members.n == 0:
        return
    candidates = _candidates(w, ctx)
    if candidates:
        _form(w, p, ctx, leanings(w, p, candidates))
    w.members["faction"] = choose(w, p, available(w, ctx))


@twin("factions.leanings")
def leanings(w: World, p: Params, candidates: list[str]) -> dict[str, float]:
    """Per candidate opposition, the share of members (by weight) it pulls more than the Centre."""
    s = scores(w, p)
    return {name: w.members.share(s[:, F[name]] > s[:, F["centre"]]) for name in candidates}


@twin("factions.choose")
def choose(w: World, p: Params, ok: np.ndarray) -> np.ndarray:
    """Each member's faction: the open one that pulls him most (int8)."""
    s = scores(w, p)
    if not ok[F["right"]]:  # before the Right's split, its pull goes to the majority bloc
        s[:, F["centre"]] = np.maximum(s[:, F["centre"]], s[:, F["right"]])
    s[:, ~ok] = -np.inf
    return s.argmax(axis=1).astype(np.int8)


def _candidates(w: World, ctx: Context) -> list[str]:
    """The oppositions that may come out this month (inside their declared period, not yet out)."""
    day = ctx.date
    out = []
    for name in ("workers_opposition", "left_opposition", "right"):
        start, end = w.inputs.factions.get(name, (dt.date.max, dt.date.min))
        if name not in w.factions.formed and start <= day <= end:
            out.append(name)
    return out


def _form(w: World, p: Params, ctx: Context, leaning: dict[str, float]) -> None:
    """An opposition comes out with a platform once enough members lean its way.

    ``leaning[name]`` is the share of members (by weight) whose pull toward ``name`` exceeds
    their pull toward the Centre.
    """
    formed = w.factions.formed
    titles = {
        "workers_opposition": "The Workers' Opposition publishes its programme",
        "left_opposition": "The Left Opposition comes out: the Platform of the 46",
        "right": "The Right (Bukharin) breaks with the Centre",
    }
    for name, share in leaning.items():
        w.factions.leaning[name] = share
        needed = p["factions.formation_share"]
        if not w.decided("faction_ban"):  # platforms were taken for granted before the ban (§5)
            needed *= p["factions.platforms_free"]
        if name == "left_opposition" and w.nep.scissors < p["factions.scissors_trigger"]:
            continue  # the Left comes out in an economic crisis (§5: the crisis of 1923)
        if share >= needed:
            formed[name] = ctx.step
            kind = {
                "left_opposition": "left_opposition_formed",
                "right": "right_opposition_formed",
                "workers_opposition": "workers_opposition_formed",
            }[name]
            ctx.emit(kind, titles[name], faction=name, leaning_share=round(share, 4))
