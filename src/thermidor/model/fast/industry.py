"""Compiled twin of M5's census of the workers by sector (model/mechanisms/industry.py)."""

from __future__ import annotations

import numpy as np

from thermidor.engine import Population, register_twin
from thermidor.engine.accel.kernels import CHUNK, chunks_of, prange, threaded
from thermidor.model.mechanisms import industry


@register_twin("industry.by_sector")
def by_sector(wk: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``industry.by_sector`` in one pass over the workers (integer sums: exact)."""
    counts, ok = _by_sector(
        wk["sector"], wk["weight"], wk["hereditary"], wk["employed"], industry.N_S
    )
    if not ok:  # a sector outside the table: numpy's rules decide
        return industry.by_sector.reference(wk)  # type: ignore[attr-defined,no-any-return]
    return counts[0], counts[1], counts[2]


@threaded
def _by_sector(sector, weight, hereditary, employed, size):  # type: ignore[no-untyped-def]
    """Blocks of ``CHUNK`` workers on threads (integer sums, so any order); not ok where a
    sector lies outside ``[0, size)``. Four interleaved tables per block (agent i adds into
    table i % 4), so that consecutive workers of one sector do not wait on each other's store."""
    nb = chunks_of(sector.size)
    parts = np.zeros((nb, 3, size), dtype=np.int64)
    good = np.ones(nb, dtype=np.bool_)
    for c in prange(nb):
        lo = c * CHUNK
        hi = min(lo + CHUNK, sector.size)
        acc = np.zeros((4, 3, size), dtype=np.int64)
        for i in range(lo, hi):
            s = sector[i]
            if s < 0 or s >= size:
                good[c] = False
                break
            wi = weight[i]
            a = acc[i & 3]
            a[0, s] += wi
            a[1, s] += wi if hereditary[i] else 0
            a[2, s] += wi if employed[i] else 0
        for r in range(3):  # loops, not `parts[c] = acc[0] + ...`: an array assigned to a
            for q in range(size):  # slice compiles numba's shape-error text (~2 s a process)
                parts[c, r, q] = acc[0, r, q] + acc[1, r, q] + acc[2, r, q] + acc[3, r, q]
    total = np.zeros((3, size), dtype=np.int64)
    for c in range(nb):
        total += parts[c]
    return total.astype(np.float64), good.all()
