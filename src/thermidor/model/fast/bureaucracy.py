"""Compiled twin of M15's members' terms (model/mechanisms/bureaucracy.py): one pass."""

from __future__ import annotations

import numpy as np

from thermidor.engine import register_twin
from thermidor.engine.accel.kernels import jit
from thermidor.model.mechanisms import bureaucracy
from thermidor.model.mechanisms.party import ROLE
from thermidor.model.tree import FACTIONS, OPPOSITIONS, F
from thermidor.model.world import World

_AGAINST = np.zeros(len(FACTIONS), dtype=np.bool_)
_AGAINST[[*OPPOSITIONS, F["right"]]] = True
_POSTED = np.zeros(max(ROLE.values()) + 1, dtype=np.bool_)
_POSTED[[ROLE["official"], ROLE["functionary"]]] = True


@register_twin("bureaucracy.member_terms")
def member_terms(w: World) -> tuple[float, float]:
    mem = w.members
    if not mem.n:
        return 0.0, 0.0
    ok, total, against, posted, conviction = _terms(
        mem["weight"], mem["faction"], mem["role"], mem["conviction"], _AGAINST, _POSTED
    )
    if not ok:  # a faction or a role outside the tables: the reference says what it makes
        return bureaucracy.member_terms.reference(w)  # type: ignore[attr-defined,no-any-return]
    opposition = float(against / total) if total > 0 else float("nan")
    return opposition, float(conviction / posted) if posted > 0 else 0.0


@jit
def _terms(weight, faction, role, conviction, against_f, posted_r):  # type: ignore[no-untyped-def]
    """The members' total weight, the weight in an opposition, the weight posted and their
    conviction summed by weight (integer sums exact; the conviction's sum to float rounding).
    ``ok`` is False if a faction or a role is outside the tables."""
    total = against = posted = 0
    conv = 0.0
    nf, nr = against_f.size, posted_r.size
    for i in range(weight.size):
        f, r, wi = faction[i], role[i], weight[i]
        if f < 0 or f >= nf or r < 0 or r >= nr:
            return False, 0, 0, 0, 0.0
        total += wi
        if against_f[f]:
            against += wi
        if posted_r[r]:
            posted += wi
            conv += np.float64(conviction[i]) * wi
    return True, total, against, posted, conv
