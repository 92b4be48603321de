"""Compiled twin of M11's opposition from below by province (model/mechanisms/inner_party.py)."""

from __future__ import annotations

import numpy as np

from thermidor.engine import register_twin
from thermidor.engine.accel.kernels import jit
from thermidor.model.mechanisms import inner_party
from thermidor.model.tree import FACTIONS, N_PROVINCES, OPPOSITIONS, F
from thermidor.model.world import World

_BELOW = np.zeros(len(FACTIONS), dtype=np.bool_)
_BELOW[[f for f in OPPOSITIONS if f != F["leningrad_opposition"]]] = True


@register_twin("inner_party.opposition_from_below")
def opposition_from_below(w: World) -> np.ndarray:
    mem = w.members
    if mem.n == 0:
        return np.zeros(N_PROVINCES)
    ok, opp, total = _by_province(
        mem["weight"], mem["province"], mem["faction"], _BELOW, N_PROVINCES
    )
    if not ok:  # a province or a faction outside the tables: the reference says what it makes
        return inner_party.opposition_from_below.reference(w)  # type: ignore[attr-defined,no-any-return]
    return np.asarray(opp / np.maximum(total, 1.0))


@jit
def _by_province(weight, province, faction, below, n):  # type: ignore[no-untyped-def]
    """The weight by province, and of it in an opposition from below, in one pass (integer sums,
    exact in any order, returned as float64 as ``bincount`` gives them). ``ok`` is False if a
    province or a faction is outside the tables."""
    opp = np.zeros(n, dtype=np.int64)
    total = np.zeros(n, dtype=np.int64)
    nf = below.size
    for i in range(weight.size):
        q, f = province[i], faction[i]
        if q < 0 or q >= n or f < 0 or f >= nf:
            return False, opp.astype(np.float64), total.astype(np.float64)
        total[q] += weight[i]
        if below[f]:
            opp[q] += weight[i]
    return True, opp.astype(np.float64), total.astype(np.float64)
