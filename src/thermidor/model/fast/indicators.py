"""Compiled twin of the members' census for the indicators (model/indicators.py): one pass."""

from __future__ import annotations

from typing import Any

import numpy as np

from thermidor.engine import register_twin
from thermidor.engine.accel.kernels import jit
from thermidor.model import indicators
from thermidor.model.mechanisms.confrontations import fear_threshold
from thermidor.model.mechanisms.party import OLD_BOLSHEVIK_BEFORE
from thermidor.model.params import Params
from thermidor.model.tree import FACTIONS, LENINGRAD, OPPOSITIONS
from thermidor.model.world import World

_OPPOSITION = np.zeros(len(FACTIONS), dtype=np.bool_)
_OPPOSITION[list(OPPOSITIONS)] = True


@register_twin("indicators.member_census")
def member_census(w: World, p: Params) -> dict[str, Any]:
    mem = w.members
    if not mem.n:
        return indicators.member_census.reference(w, p)  # type: ignore[attr-defined,no-any-return]
    threshold = fear_threshold(w, p)  # as ``open_vote_against`` compares it
    joined, conviction = mem["joined"], mem["conviction"]
    # numpy compares a float32 column with a Python float in float32 (NEP 50), with a numpy
    # float64 in float64: the kernel compares as the reference does
    ok, total, old, by_origin, by_faction, against = _census(
        mem["weight"], joined, mem["origin"], mem["faction"], mem["province"], conviction,
        OLD_BOLSHEVIK_BEFORE, np.result_type(joined, OLD_BOLSHEVIK_BEFORE) == np.float32,
        threshold, np.result_type(conviction, threshold) == np.float32,
        _OPPOSITION, LENINGRAD, mem["cell"], w.organs["appointed"], w.organs["faction"],
    )  # fmt: skip
    if not ok:  # an origin or a faction outside the tables: the reference says what it makes
        return indicators.member_census.reference(w, p)  # type: ignore[attr-defined,no-any-return]
    return {
        "members": float(total),
        "old_bolshevik_share": float(old / total) if total > 0 else float("nan"),
        "by_origin": by_origin.astype(np.float64),
        "by_faction": by_faction.astype(np.float64),
        "leningrad_against": float(against),
    }


@jit
def _census(
    weight, joined, origin, faction, province, conviction, old_before, old32, threshold, thr32,
    opposition, leningrad, cell, sec_appointed, sec_faction,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """``member_census`` in one pass: one table by origin and faction together, one addition a
    member (a quarter faster than a table each, measured), each member's secretary read through
    his cell here rather than gathered first; integer sums, exact in any order. ``ok`` is False
    (and the sums are not to be used) if an origin is outside [0, 3) or a faction outside the
    table."""
    nf = opposition.size
    table = np.zeros(3 * nf, dtype=np.int64)
    total = old = against = 0
    old_f32, thr_f32 = np.float32(old_before), np.float32(threshold)
    for i in range(weight.size):
        wi = weight[i]
        f = faction[i]
        o = origin[i]
        if f < 0 or f >= nf or o < 0 or o >= 3:
            return False, 0, 0, table[:3], table[:nf], 0
        total += wi
        if (joined[i] < old_f32) if old32 else (np.float64(joined[i]) < old_before):
            old += wi
        if province[i] == leningrad and opposition[f]:
            c = conviction[i]
            fearless = (c >= thr_f32) if thr32 else (np.float64(c) >= threshold)
            s = cell[i]
            led = sec_appointed[s] and sec_faction[s] == f  # by his own faction's secretary
            if fearless or led:
                against += wi
        table[o * nf + f] += wi
    by = table.reshape(3, nf)
    return True, total, old, by.sum(axis=1), by.sum(axis=0), against
