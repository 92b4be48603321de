"""Compiled twin of the NEP's differentiation of wealth (model/mechanisms/nep.py)."""

from __future__ import annotations

import numpy as np

from thermidor.engine import Population, register_twin
from thermidor.engine.accel import counter
from thermidor.engine.accel.draws import key
from thermidor.engine.accel.kernels import CHUNK, chunks_of, prange, threaded
from thermidor.model.mechanisms import nep
from thermidor.model.mechanisms.nep import MAX_ADVANTAGE
from thermidor.model.state import touched


@register_twin("nep.grow")
def grow(hh: Population, rng: np.random.Generator, d: float, dt_: float) -> None:
    """``nep.grow`` in one pass, household ``i`` taking draw ``i`` of a counter stream keyed by
    one draw of ``rng`` (the stream the numba backend's ``normal(rng, n)`` gives)."""
    if hh.dtypes["wealth"] != np.float32:
        return nep.grow.reference(hh, rng, d, dt_)  # type: ignore[attr-defined,no-any-return]
    # numpy's log over a buffer (vectorised) is faster than libm's one at a time in the loop
    buf = np.empty(hh.n)
    _floor(hh["wealth"], buf)
    np.log(buf, out=buf)
    worst = _grow(
        hh["wealth"], buf, float(d), float(dt_), key(rng), counter.KI, counter.WI, counter.FI
    )
    touched(hh, "wealth")
    if worst:
        raise OverflowError(
            f"households.wealth: {worst!r} does not fit the column's float32; a mechanism "
            "has let this attribute run away"
        )


@threaded
def _floor(wealth, out):  # type: ignore[no-untyped-def]
    for i in prange(wealth.size):
        out[i] = max(np.float64(wealth[i]), 1e-3)


@threaded
def _grow(wealth, log_w, d, dt_, k, ki, wi, fi):  # type: ignore[no-untyped-def]
    """The update in place, draw ``i`` of stream ``k`` for household ``i`` (so the households
    may be taken on threads, in blocks). Returns the largest wealth beyond float32's range, 0.0
    if none (the caller raises, as the population's column would)."""
    worst = np.zeros(chunks_of(wealth.size))
    for c in prange(worst.size):
        lo = c * CHUNK
        b = slice(lo, lo + CHUNK)  # indexed from 0 (docs/engine.md, Threads)
        w, lw = wealth[b], log_w[b]
        for j in range(w.size):
            r = counter.word_at(k, lo + j, 0)
            z = counter.normal_fast(r, ki, wi)
            if z != z:
                z = counter.normal_slow(k, lo + j, r, ki, wi, fi)
            growth = (0.03 + d * min(lw[j], MAX_ADVANTAGE)) + 0.05 * z
            x = max(np.float64(w[j]) * (1.0 + dt_ * growth), 0.02)
            y = np.float32(x)
            if y == np.inf:  # numpy's cast would raise: overflow
                worst[c] = max(worst[c], x)
            w[j] = y
    return worst.max() if worst.size else 0.0
