"""Compiled twin of the grain week (model/mechanisms/grain.py): one pass over the households."""

from __future__ import annotations

import numpy as np

from thermidor.engine import Population, register_twin
from thermidor.engine.accel.kernels import CHUNK, chunks_of, jit, prange, threaded
from thermidor.model.mechanisms import grain
from thermidor.model.mechanisms.grain import Rules
from thermidor.model.state import touched

FLOATS = ("harvest", "sown", "stock", "taken", "wealth")  # the float32 columns the kernel reads


@register_twin("grain.week")
def week(
    hh: Population, normal: np.ndarray, pph: np.ndarray, reach_r: np.ndarray,
    kulak_above: float, k: Rules, squads: bool, tax: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # fmt: skip
    """``grain.week`` in one pass, with no array the size of the households."""
    tables = (normal, pph, reach_r)
    if (
        hh.dtypes["region"].kind not in "iu" or hh.dtypes["weight"] != np.int64
        or any(hh.dtypes[c] != np.float32 for c in FLOATS)
        or any(t.dtype != np.float64 for t in tables)
    ):  # fmt: skip
        return grain.week.reference(hh, normal, pph, reach_r, kulak_above, k, squads, tax)  # type: ignore[attr-defined,no-any-return]
    out = _week(
        hh["region"], *(hh[c] for c in FLOATS), hh["weight"], *tables,
        np.float32(kulak_above), Rules(*(float(x) for x in k)), bool(squads), bool(tax),
    )  # fmt: skip
    touched(hh, "stock", "taken")
    return out  # type: ignore[no-any-return]


SPAN = 2048  # households a kernel's span holds at most (its two buffers stay in L1/L2)


@threaded
def _week(
    r, harvest, sown, stock, taken_col, wealth, weight, normal, pph, reach_r, kulak_above, k,
    squads, tax,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """Threads take blocks of ``CHUNK`` households; a block is cut into spans of one region (the
    households lie grouped by region) of at most ``SPAN``. Each span's arithmetic is one loop
    with the region's values fixed, which LLVM compiles to SIMD (``_span``); it writes each
    household's grain taken and sold, times its weight, into two small buffers, which are then
    added to the region's totals. The blocks' totals are added in block order (the same bits on
    any number of threads); the hungry households' weights are summed as integers."""
    seed32 = np.float32(k.seed)
    n_r = pph.size
    nb = chunks_of(r.size)
    parts = np.zeros((nb, 3 * n_r))
    for c in prange(nb):
        part = parts[c]
        lo, hi = c * CHUNK, min(r.size, (c + 1) * CHUNK)
        taken_w, sold_w = np.empty(SPAN), np.empty(SPAN)
        hungry = np.zeros(n_r, dtype=np.int64)
        s = lo
        while s < hi:
            g = r[s]
            e, end = s + 1, min(hi, s + SPAN)
            while e < end and r[e] == g:
                e += 1
            m = e - s
            hungry[g] += _span(
                harvest[s:e], sown[s:e], stock[s:e], taken_col[s:e], wealth[s:e], weight[s:e],
                normal[s:e], taken_w, sold_w, k.ration * pph[g], reach_r[g], seed32, kulak_above,
                k.kulak_bias, k.rate, k.dt, k.sell, k.tax_share, k.squeeze2, k.hunger, squads,
                tax,
            )  # fmt: skip
            acc_t, acc_s = part[g], part[n_r + g]
            for i in range(m):
                acc_t += taken_w[i]
                acc_s += sold_w[i]
            part[g], part[n_r + g] = acc_t, acc_s
            s = e
        for g in range(n_r):
            part[2 * n_r + g] = np.float64(hungry[g])
    totals = np.zeros(3 * n_r)
    for c in range(nb):
        for j in range(3 * n_r):
            totals[j] += parts[c, j]
    return totals[:n_r].copy(), totals[n_r : 2 * n_r].copy(), totals[2 * n_r :].copy()


@jit
def _span(
    harvest, sown, stock, taken, wealth, weight, normal, taken_w, sold_w, eat, reach, seed32,
    kulak_above, kulak_bias, rate, dt_, sell, tax_share, squeeze2, hunger, squads, tax,
):  # type: ignore[no-untyped-def]  # fmt: skip
    """One span of ``_week`` (one region, its columns sliced to the span): updates the stock and
    what was taken, writes grain taken and sold times the weight into ``taken_w`` and ``sold_w``,
    and returns the weight of the households short of food (an integer sum)."""
    short = 0
    for i in range(harvest.size):
        subsistence = eat + np.float64(seed32 * sown[i])
        surplus = max(np.float64(harvest[i]) - subsistence, 0.0)
        left = np.float64(stock[i])
        t = 0.0
        if squads:
            bias = kulak_bias if wealth[i] > kulak_above else 1.0
            quota = rate * bias * (surplus + 0.05 * subsistence) * reach
            t = min(quota * dt_, left + 0.05 * subsistence * dt_)
        elif tax:
            squeeze = 1.0 + squeeze2 * (1.0 if wealth[i] > kulak_above else 0.0)
            t = min(tax_share * squeeze * np.float64(harvest[i]) * reach / 16.0, left)
        sd = min(surplus * sell * reach * dt_, max(left - t, 0.0))
        stock[i] = np.float32(left - t - sd)
        tc = np.float32(np.float64(taken[i]) + t)
        taken[i] = tc
        wt = np.float64(weight[i])
        taken_w[i] = t * wt
        sold_w[i] = sd * wt
        short += weight[i] if np.float64(harvest[i] - tc) < hunger * normal[i] else 0
    return short
