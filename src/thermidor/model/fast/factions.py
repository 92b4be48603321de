"""Compiled twins of M12's leanings and choice (model/mechanisms/factions.py): one pass over the
members each, without the ``(n_members, n_factions)`` table of scores."""

from __future__ import annotations

import numpy as np

from thermidor.engine import register_twin
from thermidor.engine.accel.kernels import jit
from thermidor.model.mechanisms.factions import NF, Pulls, pulls
from thermidor.model.mechanisms.party import OLD_BOLSHEVIK_BEFORE, ROLE
from thermidor.model.params import Params
from thermidor.model.tree import LENINGRAD, F
from thermidor.model.world import PEASANT, WORKER, World

_C, _R, _L, _G, _WO = (
    F["centre"], F["right"], F["left_opposition"], F["leningrad_opposition"],
    F["workers_opposition"],
)  # fmt: skip
_OFFICIAL, _FUNCTIONARY = ROLE["official"], ROLE["functionary"]


def _align_args(w: World, p: Params) -> tuple[object, ...]:
    mem = w.members
    return (
        mem["conviction"], mem["joined"], np.float32(OLD_BOLSHEVIK_BEFORE), mem["origin"],
        mem["role"], mem["province"], w.organs["faction"][mem["cell"]], mem["weight"],
        pulls(w, p),
    )  # fmt: skip


@register_twin("factions.leanings")
def leanings(w: World, p: Params, candidates: list[str]) -> dict[str, float]:
    _, lean_w = _align(*_align_args(w, p), np.ones(NF, dtype=np.bool_), False)
    total = w.members.total()
    return {name: float(lean_w[F[name]] / total) for name in candidates}


@register_twin("factions.choose")
def choose(w: World, p: Params, ok: np.ndarray) -> np.ndarray:
    choice, _ = _align(*_align_args(w, p), ok, True)
    return choice  # type: ignore[no-any-return]


@jit
def _align(
    conviction, joined, old_before, origin, role, province, sec, weight, k: Pulls, ok, choose
):  # type: ignore[no-untyped-def]
    """``scores`` member by member: the weight leaning to each faction over the Centre, or
    (``choose``) each member's choice among the open factions ``ok``."""
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
        left = k.left_appeal * conv * tradition * k.left_pressure * k.abroad
        app = 1.0 if (role[i] == _OFFICIAL or role[i] == _FUNCTIONARY) else 0.0
        contact = 0.5 * (1.0 if origin[i] == PEASANT else 0.0) + 0.5 * app
        s[c_i] = k.centre_pull * (0.4 + 0.6 * app)
        s[r_i] = k.right_pull * contact * (k.nep_market + k.grievance * conv)
        s[l_i] = left
        s[g_i] = left * (1.0 if province[i] == LENINGRAD else 0.0)
        s[wo_i] = left * worker * (1.0 - app)
        s[sec[i]] = s[sec[i]] + k.loyalty * (1.0 - conv)
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
