"""M12 factions as pressures (§6-§8): each member leans where the social pressures on him push.

The Left pulls members by conviction and the socialist tradition, the more so in an economic crisis
and as the apparatus bureaucratises; it is not the workers' faction (§7). The Right pulls by
contact with peasants, kulaks and traders; the Centre by a post in the apparatus; every member
feels his secretary's pull in proportion to his lack of conviction, so careerists follow their
secretary (§5, §8). An opposition exists only within its declared period (data/factions.csv) and
only once enough members lean its way to come out with a platform. Alignment is revised monthly.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from thermidor.engine import Context
from thermidor.engine import backend as _backend
from thermidor.engine.accel import kernels
from thermidor.model.mechanisms.party import OLD_BOLSHEVIK_BEFORE, ROLE
from thermidor.model.params import Params
from thermidor.model.tree import FACTIONS, LENINGRAD, F
from thermidor.model.world import PEASANT, WORKER, World

NF = len(FACTIONS)
MONTH = 4  # steps between revisions of alignment
_C, _R, _L, _G, _WO = (
    F["centre"], F["right"], F["left_opposition"], F["leningrad_opposition"],
    F["workers_opposition"],
)  # fmt: skip
_OFFICIAL, _FUNCTIONARY = ROLE["official"], ROLE["functionary"]


def available(w: World, ctx: Context) -> np.ndarray:
    """Which factions a member may join this week."""
    ok = np.zeros(NF, dtype=bool)
    ok[F["centre"]] = True
    windows = w.inputs.factions
    day = ctx.date
    formed = w.signals["formed"]
    for name in ("left_opposition", "right", "workers_opposition"):
        start, end = windows.get(name, (dt.date.max, dt.date.min))
        if start <= day <= end and name in formed and name not in w.signals["expelled"]:
            ok[F[name]] = True
    if w.signals["leningrad_head"] == F["leningrad_opposition"] or (
        "leningrad_opposition" in formed and "leningrad_opposition" not in w.signals["defeated"]
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
    crisis = float(w.signals["crisis"])
    bureaucracy = float(w.signals["appointed_share"])
    abroad = 1.0 + min(1.0, float(w.signals.get("abroad", 0.0)))
    left = p["factions.left_appeal"] * conv * tradition * (crisis + bureaucracy) * abroad
    role = mem["role"]
    apparatus = (role == ROLE["official"]) | (role == ROLE["functionary"])
    contact = 0.5 * (mem["origin"] == PEASANT) + 0.5 * apparatus
    right = p["factions.right_pull"] * contact * float(w.signals["nep_market"])
    centre = p["factions.centre_pull"] * (0.4 + 0.6 * apparatus)
    s = np.zeros((mem.n, NF))
    s[:, F["centre"]] = centre
    s[:, F["right"]] = right
    s[:, F["left_opposition"]] = left
    s[:, F["leningrad_opposition"]] = left * (mem["province"] == LENINGRAD)
    s[:, F["workers_opposition"]] = left * worker * (1.0 - apparatus)
    sec = w.organs["faction"][mem["cell"]]
    s[np.arange(mem.n), sec] += p["patronage.loyalty"] * (1.0 - conv)
    return s


def _pulls(w: World, p: Params) -> tuple[float, ...]:
    """The scalar factors of the pulls (this month's state and the parameters)."""
    return (
        p["factions.left_appeal"],
        float(w.signals["crisis"]) + float(w.signals["appointed_share"]),
        1.0 + min(1.0, float(w.signals.get("abroad", 0.0))),
        p["factions.right_pull"],
        float(w.signals["nep_market"]),
        p["factions.centre_pull"],
        p["patronage.loyalty"],
    )


def alignment(w: World, p: Params, ctx: Context) -> None:
    if not w.decided("insurrection") or ctx.step % MONTH:
        return
    mem = w.members
    if mem.n == 0:
        return
    candidates = _candidates(w, ctx)
    if _backend.current() == "numpy":
        s = scores(w, p)
        leaning = {name: mem.share(s[:, F[name]] > s[:, F["centre"]]) for name in candidates}
        _form(w, p, ctx, leaning)
        ok = available(w, ctx)
        if not ok[F["right"]]:  # before the Right's split, its pull goes to the majority bloc
            s[:, F["centre"]] = np.maximum(s[:, F["centre"]], s[:, F["right"]])
        s[:, ~ok] = -np.inf
        mem["faction"] = s.argmax(axis=1).astype(np.int8)
        return
    args = (
        mem["conviction"], mem["joined"], np.float32(OLD_BOLSHEVIK_BEFORE), mem["origin"],
        mem["role"], mem["province"], w.organs["faction"][mem["cell"]], mem["weight"],
        np.array(_pulls(w, p)),
    )  # fmt: skip
    if candidates:
        _, lean_w = _align(*args, np.ones(NF, dtype=np.bool_), False)
        total = mem.total()
        _form(w, p, ctx, {name: float(lean_w[F[name]] / total) for name in candidates})
    choice, _ = _align(*args, available(w, ctx), True)
    mem["faction"] = choice


@kernels.jit
def _align(conviction, joined, old_before, origin, role, province, sec, weight, k, ok, choose):  # type: ignore[no-untyped-def]
    """``scores`` fused: the leaning totals, or (``choose``) the choice; same floats, same order."""
    n = conviction.size
    choice = np.empty(n, dtype=np.int8)
    lean = np.zeros(NF, dtype=np.int64)
    s = np.empty(NF, dtype=np.float64)
    c_i, r_i, l_i, g_i, wo_i = _C, _R, _L, _G, _WO
    for i in range(n):
        conv = np.float64(conviction[i])
        old = 0.4 if joined[i] < old_before else 0.0
        worker = 1.0 if origin[i] == WORKER else 0.0
        tradition = min(1.0, 0.6 + old + 0.2 * worker)
        left = k[0] * conv * tradition * k[1] * k[2]
        app = 1.0 if (role[i] == _OFFICIAL or role[i] == _FUNCTIONARY) else 0.0
        contact = 0.5 * (1.0 if origin[i] == PEASANT else 0.0) + 0.5 * app
        s[c_i] = k[5] * (0.4 + 0.6 * app)
        s[r_i] = k[3] * contact * k[4]
        s[l_i] = left
        s[g_i] = left * (1.0 if province[i] == LENINGRAD else 0.0)
        s[wo_i] = left * worker * (1.0 - app)
        s[sec[i]] = s[sec[i]] + k[6] * (1.0 - conv)
        if not choose:
            for f in range(NF):
                if s[f] > s[c_i]:
                    lean[f] += weight[i]
            continue
        if not ok[r_i]:
            s[c_i] = max(s[c_i], s[r_i])
        best = -1
        top = 0.0
        for f in range(NF):
            if ok[f] and (best < 0 or s[f] > top):
                best = f
                top = s[f]
        choice[i] = best if best >= 0 else 0
    return choice, lean


def _candidates(w: World, ctx: Context) -> list[str]:
    """The oppositions that may come out this month (inside their declared period, not yet out)."""
    day = ctx.date
    out = []
    for name in ("workers_opposition", "left_opposition", "right"):
        start, end = w.inputs.factions.get(name, (dt.date.max, dt.date.min))
        if name not in w.signals["formed"] and start <= day <= end:
            out.append(name)
    return out


def _form(w: World, p: Params, ctx: Context, leaning: dict[str, float]) -> None:
    """An opposition comes out with a platform once enough members lean its way.

    ``leaning[name]`` is the share of members (by weight) whose pull toward ``name`` exceeds
    their pull toward the Centre.
    """
    formed = w.signals["formed"]
    titles = {
        "workers_opposition": "The Workers' Opposition publishes its programme",
        "left_opposition": "The Left Opposition comes out: the Platform of the 46",
        "right": "The Right (Bukharin) breaks with the Centre",
    }
    for name, share in leaning.items():
        w.signals[f"leaning:{name}"] = share
        needed = p["factions.formation_share"]
        if not w.decided("faction_ban"):  # platforms were taken for granted before the ban (§5)
            needed *= 0.4
        if name == "right":
            needed *= 0.5 if w.decided("forced_collectivisation") else np.inf
        if name == "left_opposition" and w.signals["scissors"] < p["factions.scissors_trigger"]:
            continue  # the Left comes out in an economic crisis (§5: the crisis of 1923)
        if share >= needed:
            formed[name] = ctx.step
            kind = {
                "left_opposition": "left_opposition_formed",
                "right": "right_opposition_formed",
                "workers_opposition": "workers_opposition_formed",
            }[name]
            ctx.emit(kind, titles[name], faction=name, leaning_share=round(share, 4))
