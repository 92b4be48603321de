"""Compiled twins of M3 peasants (model/mechanisms/peasants.py): one pass over the households
for each of the mechanism's per-household steps, no temporary arrays.

Each twin takes its reference's arguments and falls back to the reference where the columns
are not the model's dtypes (float32 attributes, integer weights and regions). Float sums are
added in blocks of ``CHUNK`` households in a fixed order (the same on any number of threads);
integer sums in any order. Each household's arithmetic is in numpy's dtypes (a float32 column
times a Python float stays float32, times a float64 table becomes float64), so the twins give
the reference's values; a float total may differ in its last bits (another order of adding).
"""

from __future__ import annotations

from typing import NamedTuple, TypeVar

import numpy as np

from thermidor.engine import Population, register_twin
from thermidor.engine.accel.kernels import CHUNK, chunks_of, jit, prange, threaded
from thermidor.model.mechanisms import peasants
from thermidor.model.mechanisms.peasants import HUNGER_BELOW, KULAK_ABOVE
from thermidor.model.state import touched
from thermidor.model.world import CROPS

T = TypeVar("T", bound=NamedTuple)


def _floats(k: T) -> T:
    """``k`` with every field a Python float (one numba signature whatever the caller gave)."""
    return k._make(float(x) for x in k)


def _model_dtypes(hh: Population, *floats: str) -> bool:
    """Whether ``floats`` are float32 columns and the weight and the region integers."""
    d = hh.dtypes
    return (
        all(d[c] == np.float32 for c in floats)
        and d["weight"].kind in "iu"
        and d["region"].kind in "iu"
    )


# -- strata and the median wealth ------------------------------------------------------------
@register_twin("peasants.strata_weights")
def strata_weights(wealth: np.ndarray, weight: np.ndarray, median: float) -> np.ndarray:
    """``peasants.strata_weights`` in one threaded pass (integer sums: exact)."""
    if wealth.dtype != np.float32 or weight.dtype.kind not in "iu":
        return peasants.strata_weights.reference(wealth, weight, median)  # type: ignore[attr-defined,no-any-return]
    # numpy compares a float32 column with a Python float in float32 (NEP 50): so do we
    poor, kulak = np.float32(peasants.POOR_BELOW * median), np.float32(KULAK_ABOVE * median)
    return _strata_weights(wealth, weight, poor, kulak)  # type: ignore[no-any-return]


@threaded
def _strata_weights(wealth, weight, poor, kulak):  # type: ignore[no-untyped-def]
    # A household's stratum is a + b (a: wealth >= poor, b: wealth > kulak); three scalar sums
    # (where a, where b, where both) and the total give the three strata with no store to a
    # table indexed by the stratum (a chain through memory that cost about 5 cycles a household)
    parts = np.zeros((chunks_of(wealth.size), 4), dtype=np.int64)
    for c in prange(parts.shape[0]):
        # the block's slices, indexed from 0 (docs/engine.md, Threads)
        b = slice(c * CHUNK, (c + 1) * CHUNK)
        x, w = wealth[b], weight[b]
        s_a = s_b = s_ab = tot = 0
        for i in range(x.size):
            wi = w[i]
            a = x[i] >= poor
            k = x[i] > kulak
            s_a += wi if a else 0
            s_b += wi if k else 0
            s_ab += wi if a and k else 0
            tot += wi
        parts[c, 0], parts[c, 1], parts[c, 2], parts[c, 3] = s_a, s_b, s_ab, tot
    s_a, s_b, s_ab, tot = parts[:, 0].sum(), parts[:, 1].sum(), parts[:, 2].sum(), parts[:, 3].sum()
    out = np.zeros(3)
    out[0] = np.float64(tot - s_a - s_b + s_ab)
    out[1] = np.float64(s_a + s_b - 2 * s_ab)
    out[2] = np.float64(s_ab)
    return out


@register_twin("peasants.weighted_median")
def weighted_median(x: np.ndarray, weight: np.ndarray) -> float:
    """``peasants.weighted_median`` by radix selection on the float32 bits (no sort)."""
    if x.size == 0 or x.dtype != np.float32 or weight.dtype.kind not in "iu":
        return peasants.weighted_median.reference(x, weight)  # type: ignore[attr-defined,no-any-return]
    key = int(_radix_median(np.ascontiguousarray(x).view(np.uint32), weight))
    return float(x.min()) if key < 0 else _from_key(key)


@jit
def _order_key(u):  # type: ignore[no-untyped-def]
    # a float32's bits as an unsigned key in the floats' order (sign flipped, negatives inverted)
    if u & np.uint32(0x80000000):
        return ~u
    return u | np.uint32(0x80000000)


@jit
def _radix_median(bits, weight):  # type: ignore[no-untyped-def]
    """The weighted median's key for float32 ``x`` (``bits = x.view(np.uint32)``) and integer
    weights: the weight in each of 65,536 bins of the keys' top half, then within the bin that
    holds the half weight, by the bottom half. Two passes, no copy, no sort. -1 if the weights
    are all zero."""
    hi = np.zeros(65536, dtype=np.int64)
    total = 0
    for i in range(bits.size):
        hi[_order_key(bits[i]) >> np.uint32(16)] += weight[i]
        total += weight[i]
    if total <= 0:
        return np.int64(-1)
    half = total / 2.0
    below = 0
    top = 0
    for b in range(65536):
        if below + hi[b] >= half:
            top = b
            break
        below += hi[b]
    lo = np.zeros(65536, dtype=np.int64)
    for i in range(bits.size):
        k = _order_key(bits[i])
        if (k >> np.uint32(16)) == top:
            lo[k & np.uint32(0xFFFF)] += weight[i]
    for b in range(65536):
        below += lo[b]
        if below >= half:
            return np.int64(top) * 65536 + b
    return np.int64(top) * 65536 + 65535  # not reached: the bin holds the half weight


def _from_key(key: int) -> float:
    u = key & 0x7FFFFFFF if key & 0x80000000 else ~key & 0xFFFFFFFF
    return float(np.array([u], dtype=np.uint32).view(np.float32)[0])


# -- the normal harvest and the land -----------------------------------------------------------
@register_twin("peasants.normal_yield")
def normal_yield(
    land: np.ndarray, region: np.ndarray, yields: np.ndarray, sown_share: float, grain_yield: float
) -> np.ndarray:
    """``peasants.normal_yield`` in one threaded pass (numpy's float32 product, then float64)."""
    if land.dtype != np.float32 or region.dtype.kind not in "iu" or yields.dtype != np.float64:
        return peasants.normal_yield.reference(land, region, yields, sown_share, grain_yield)  # type: ignore[attr-defined,no-any-return]
    out = np.empty(land.size)
    _normal(land, region, yields, np.float32(sown_share), np.float32(grain_yield), out)
    return out


@threaded
def _normal(land, region, yields, a32, b32, out):  # type: ignore[no-untyped-def]
    for i in prange(land.size):
        out[i] = np.float64(land[i] * a32 * b32) * yields[region[i]]


@register_twin("peasants.divide")
def divide(hh: Population, k: peasants.Division) -> None:
    """``peasants.divide`` in two threaded passes: the land gained and the kulaks' excess summed
    (in blocks), then the pool shared out."""
    if not _model_dtypes(hh, "land", "wealth"):
        return peasants.divide.reference(hh, k)  # type: ignore[attr-defined,no-any-return]
    gain, levelled, wealth = (np.float32(x) for x in k)  # Python floats: float32 arithmetic
    pool, total = _seize(hh["land"], hh["wealth"], hh["weight"], gain, levelled)
    _share_out(hh["wealth"], levelled, np.float32(pool / max(total, 1)), wealth)
    touched(hh, "land", "wealth")


@jit
def _seize_one(land, wealth, weight, i, gain, levelled):  # type: ignore[no-untyped-def]
    land[i] = land[i] + gain
    excess = max(wealth[i] - np.float32(KULAK_ABOVE), np.float32(0.0)) * levelled
    return np.float64(excess) * np.float64(weight[i])


@threaded
def _seize(land, wealth, weight, gain, levelled):  # type: ignore[no-untyped-def]
    """Land gained in place; returns the kulaks' pooled excess (sum of excess * weight, in
    blocks of CHUNK households, four accumulators each) and the households' total weight."""
    nb = chunks_of(land.size)
    pools = np.zeros(nb)
    totals = np.zeros(nb, dtype=np.int64)
    for c in prange(nb):
        b = slice(c * CHUNK, (c + 1) * CHUNK)  # indexed from 0 (docs/engine.md, Threads)
        x, v, w = land[b], wealth[b], weight[b]
        n4 = x.size - x.size % 4
        s0 = s1 = s2 = s3 = 0.0
        for i in range(0, n4, 4):
            s0 += _seize_one(x, v, w, i, gain, levelled)
            s1 += _seize_one(x, v, w, i + 1, gain, levelled)
            s2 += _seize_one(x, v, w, i + 2, gain, levelled)
            s3 += _seize_one(x, v, w, i + 3, gain, levelled)
        for i in range(n4, x.size):
            s0 += _seize_one(x, v, w, i, gain, levelled)
        tot = 0
        for i in range(x.size):
            tot += w[i]
        pools[c] = (s0 + s1) + (s2 + s3)
        totals[c] = tot
    pool = 0.0
    for c in range(nb):
        pool += pools[c]
    return pool, totals.sum()


@threaded
def _share_out(wealth, levelled, pooled, gain):  # type: ignore[no-untyped-def]
    """Each household gives its excess and gains its part of the pool and its land's wealth."""
    for i in prange(wealth.size):
        x = wealth[i]
        excess = max(x - np.float32(KULAK_ABOVE), np.float32(0.0)) * levelled
        wealth[i] = x - excess + pooled + gain


# -- the seasons -------------------------------------------------------------------------------
@register_twin("peasants.sow")
def sow(
    hh: Population,
    normal: np.ndarray,
    k: peasants.Sowing,
    hands: np.ndarray,
    reach: np.ndarray,
    crops: dict[str, tuple[np.ndarray, float]],
) -> None:
    """``peasants.sow``: the grain sown and the market's pull in one pass; numpy raises the pull
    to each crop's power (its SIMD pow), and one pass moves each crop's area toward its target."""
    areas = tuple(f"area_{c}" for c in crops)
    tables = (normal, hands, reach, *(a for a, _ in crops.values()))
    if not _model_dtypes(hh, "surplus", "taken", "wealth", "land", "sown", *areas) or any(
        t.dtype != np.float64 for t in tables
    ):
        return peasants.sow.reference(hh, normal, k, hands, reach, crops)  # type: ignore[attr-defined,no-any-return]
    k = _floats(k)
    market = np.empty(hh.n)
    r = hh["region"]
    _sow(hh["surplus"], hh["taken"], normal, hh["wealth"], hh["land"], hh["sown"], r, hands,
         reach, k, market)  # fmt: skip
    for col, (area0, elasticity) in zip(areas, crops.values(), strict=True):
        _toward(hh[col], r, area0, market ** float(elasticity), k.adjust)
    touched(hh, "sown", *areas)


@threaded
def _sow(surplus, taken, normal, wealth, land, sown, region, hands, reach, k, market):  # type: ignore[no-untyped-def]
    """Per household: the burden felt, the draught animals, the area wanted and sown (stored),
    the market's pull (into ``market``)."""
    share32, grow32 = np.float32(k.sown_share), np.float32(1.0 + k.recovery)
    lo, hi = np.float32(0.2), np.float32(1.0)
    for i in prange(sown.size):
        disposable = np.float64(surplus[i]) + 0.1 * normal[i]
        felt = min(min(max(np.float64(taken[i]) / max(disposable, 1e-3), 0.0), 1.5), 1.0)
        incentive = min(max(1.0 - k.burden_cut * felt, 0.25), 1.0)
        draught = np.sqrt(min(max(wealth[i] / np.float32(0.5), lo), hi))  # float32, as numpy
        g = region[i]
        wanted = np.float64(land[i] * share32) * incentive * np.float64(draught) * hands[g]
        sown[i] = np.float32(min(wanted, np.float64(sown[i] * grow32)))
        market[i] = min(max(reach[g] * k.goods * (1.0 - felt), 0.0), 1.0)


@threaded
def _toward(area, region, area0, power, adjust):  # type: ignore[no-untyped-def]
    """``area += adjust * (area0[region] * power - area)`` in float64, stored as float32."""
    for i in prange(area.size):
        a = np.float64(area[i])
        area[i] = np.float32(a + adjust * (area0[region[i]] * power[i] - a))


@register_twin("peasants.reap")
def reap(
    hh: Population, k: peasants.Reaping, yields: np.ndarray, pph: np.ndarray, season_r: np.ndarray
) -> tuple[float, np.ndarray]:
    """``peasants.reap`` in one pass over the households, and one per crop; each total is
    numpy's sum of the products the pass writes into one buffer (no array per operation)."""
    cols = ("sown", "harvest", "stock", "surplus", "taken", *(f"area_{c}" for c in CROPS))
    tables = (yields, pph, season_r)
    if not _model_dtypes(hh, *cols) or any(np.asarray(t).dtype != np.float64 for t in tables):
        return peasants.reap.reference(hh, k, yields, pph, season_r)  # type: ignore[attr-defined,no-any-return]
    r, weight = hh["region"], hh["weight"]
    buf = np.empty(hh.n)
    _reap(hh["sown"], hh["harvest"], hh["stock"], hh["surplus"], hh["taken"], weight, r,
          yields, pph, _floats(k), buf)  # fmt: skip
    touched(hh, "harvest", "stock", "surplus", "taken")
    grain = float(buf.sum())
    crops = np.empty(len(CROPS))
    for j, crop in enumerate(CROPS):
        _weighted_by_region(hh[f"area_{crop}"], r, season_r, weight, buf)
        crops[j] = buf.sum()
    return grain, crops


@threaded
def _reap(sown, harvest, stock, surplus, taken, weight, region, yields, pph, k, out):  # type: ignore[no-untyped-def]
    """Per household: the grain (stored as the harvest), what it leaves over the ration and the
    seed (stored as the stock and the surplus), nothing taken; ``out`` gets grain * weight."""
    yield32, seed32 = np.float32(k.grain_yield), np.float32(k.seed)
    for i in prange(sown.size):
        g = region[i]
        grain = np.float64(sown[i] * yield32) * yields[g]
        harvest[i] = np.float32(grain)
        left = np.float32(max(grain - (k.ration * pph[g] + np.float64(seed32 * sown[i])), 0.0))
        stock[i] = left
        surplus[i] = left
        taken[i] = np.float32(0.0)
        out[i] = grain * np.float64(weight[i])


@threaded
def _weighted_by_region(x, region, table, weight, out):  # type: ignore[no-untyped-def]
    """``out = x * table[region] * weight`` in float64, to be summed."""
    for i in prange(x.size):
        out[i] = np.float64(x[i]) * table[region[i]] * np.float64(weight[i])


# -- support and livestock ---------------------------------------------------------------------
@register_twin("peasants.relax_support")
def relax_support(hh: Population, normal: np.ndarray, k: peasants.Mood) -> float:
    """``peasants.relax_support`` in one threaded pass, the unrest's weights with it (integer
    sums: exact)."""
    cols = ("support", "disposition", "harvest", "taken", "surplus")
    if not _model_dtypes(hh, *cols) or normal.dtype != np.float64:
        return peasants.relax_support.reference(hh, normal, k)  # type: ignore[attr-defined,no-any-return]
    against, total = _support(hh["support"], hh["disposition"], hh["harvest"], hh["taken"],
                              hh["surplus"], normal, hh["weight"], _floats(k))  # fmt: skip
    touched(hh, "support")
    return float(against / total) if total > 0 else float("nan")


@threaded
def _support(support, disposition, harvest, taken, surplus, normal, weight, k):  # type: ignore[no-untyped-def]
    """Each household's support moved toward its target; returns the weight of the households
    against the regime (support below zero) and the households' total weight."""
    base32, land32, hunger32 = np.float32(k.base), np.float32(k.land), np.float32(k.hunger)
    against = 0
    total = 0
    for i in prange(support.size):
        disposable = np.float64(surplus[i]) + 0.1 * normal[i]
        felt = min(max(np.float64(taken[i]) / max(disposable, 1e-3), 0.0), 1.5)
        left = harvest[i] - taken[i]
        hungry = np.float32(1.0) if np.float64(left) < HUNGER_BELOW * normal[i] else np.float32(0.0)
        t = base32 + disposition[i] + land32  # float32, as numpy adds Python floats
        target = (np.float64(t) - k.burden * felt - np.float64(hunger32 * hungry) + k.market
                  + k.abroad)  # fmt: skip
        s = np.float64(support[i])
        v = np.float32(min(max(s + k.rate * (target - s), -1.0), 1.0))
        support[i] = v
        if v < 0.0:
            against += weight[i]
        total += weight[i]
    return against, total


@register_twin("peasants.scale_wealth")
def scale_wealth(hh: Population, factor: np.ndarray) -> None:
    """``peasants.scale_wealth`` in place, on threads."""
    if not _model_dtypes(hh, "wealth") or factor.dtype != np.float64:
        return peasants.scale_wealth.reference(hh, factor)  # type: ignore[attr-defined,no-any-return]
    _scale_by_region(hh["wealth"], hh["region"], factor)
    touched(hh, "wealth")


@threaded
def _scale_by_region(x, region, factor):  # type: ignore[no-untyped-def]
    """``x = float32(x * factor[region])`` in place (a float64 product, as numpy's)."""
    for i in prange(x.size):
        x[i] = np.float32(np.float64(x[i]) * factor[region[i]])
