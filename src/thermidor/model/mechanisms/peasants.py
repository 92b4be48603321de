"""M3 peasants and the alliance (§1, §4): land, sowing, harvest, technical crops, support.

The peasants seize the estates and divide them household by household, kulaks included (§1); the
commune levels. Sowing falls with the men at the front, lost livestock and last year's
requisitions; technical crops (hemp, flax, cotton, sugar beet) fall further when their market is
cut off by the fronts or has nothing to offer in exchange (§2). Support for the regime rests on
the threat to the land while the Whites are in the field; once it is gone only the burden of
requisitions and hunger count (§4). Unrest is the share of households whose support is negative.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from thermidor.engine import Context, Population
from thermidor.engine import backend as _backend
from thermidor.engine.accel import kernels
from thermidor.engine.accel.kernels import prange
from thermidor.model.params import Params
from thermidor.model.world import CROPS, REGIONS, STRATA, World

N_R = len(REGIONS)
POOR_BELOW, KULAK_ABOVE = 0.7, 2.5  # wealth, 1917 median = 1 (modelling)
HUNGER_BELOW = 0.6  # of a normal year's harvest (modelling: the famine line)
ESTATES_DIVIDED = 1e-3
"""Share of the estates left below which the rest is divided at once and the seizure ends
(modelling: the share left decays exponentially and would otherwise never reach zero; after
October it passes 1e-3 within about two years, the end of 1919 in the baseline, by when the
record has the estates divided; before, a seizure of ever smaller shares ran weekly to 1929)."""
SOWING = (4, 20)  # month, day (record: spring sowing)
HARVEST = (8, 20)


def contains(ctx: Context, month: int, day: int) -> bool:
    d = ctx.date
    target = dt.date(d.year, month, day)
    return d <= target < d + dt.timedelta(days=ctx.calendar.step_days)


def strata(wealth: np.ndarray, median: float) -> np.ndarray:
    """0 poor, 1 middle, 2 kulak: wealth against the current median household (modelling)."""
    med = median
    return (wealth >= POOR_BELOW * med).astype(np.int8) + (wealth > KULAK_ABOVE * med).astype(
        np.int8
    )


def strata_weights(wealth: np.ndarray, weight: np.ndarray, median: float) -> np.ndarray:
    """Households (weight) in each stratum: ``sum_by(strata(wealth, median))``, float64."""
    if _backend.current() != "numpy" and wealth.dtype == np.float32 and weight.dtype.kind in "iu":
        # numpy compares a float32 column with a Python float in float32 (NEP 50): so do we
        poor, kulak = np.float32(POOR_BELOW * median), np.float32(KULAK_ABOVE * median)
        return _strata_weights(wealth, weight, poor, kulak)  # type: ignore[no-any-return]
    return _backend.ops().sum_by(strata(wealth, median), weight, None, None, len(STRATA))


@kernels.threaded
def _strata_weights(wealth, weight, poor, kulak):  # type: ignore[no-untyped-def]
    # integer sums: exact, as bincount's float64 of them, in any order (so, in blocks, threaded).
    # A household's stratum is a + b (a: wealth >= poor, b: wealth > kulak); three scalar sums
    # (where a, where b, where both) and the total give the three strata with no store to a
    # table indexed by the stratum (a chain through memory that cost about 5 cycles a household)
    parts = np.zeros((kernels.chunks_of(wealth.size), 4), dtype=np.int64)
    for c in prange(parts.shape[0]):
        # the block's slices, indexed from 0 (docs/engine.md, Threads)
        b = slice(c * kernels.CHUNK, (c + 1) * kernels.CHUNK)
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


def _median(x: np.ndarray, weight: np.ndarray | None) -> float:
    """The weighted median: the smallest value v with weight(x <= v) >= half the total."""
    if x.size == 0:
        return 1.0
    if weight is None:
        return float(np.median(x))
    if _backend.current() != "numpy" and weight.dtype.kind in "iu" and x.dtype == np.float32:
        key = int(_radix_median(x.view(np.uint32), weight))
        return float(x.min()) if key < 0 else _from_key(key)
    order = np.argsort(x)
    cum = np.cumsum(weight[order])
    return float(x[order][np.searchsorted(cum, cum[-1] / 2.0)])


@kernels.jit
def _order_key(u):  # type: ignore[no-untyped-def]
    # a float32's bits as an unsigned key in the floats' order (sign flipped, negatives inverted)
    if u & np.uint32(0x80000000):
        return ~u
    return u | np.uint32(0x80000000)


@kernels.jit
def _radix_median(bits, weight):  # type: ignore[no-untyped-def]
    """``_median``'s value for float32 ``x`` (``bits = x.view(np.uint32)``) and integer weights,
    by radix selection: the weight in each of 65,536 bins of the keys' top half, then within the
    bin that holds the half weight, by the bottom half. Two passes, no copy, no sort. Returns the
    key of the value; -1 if the weights are all zero."""
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


def persons_per_household(w: World, households: np.ndarray | None = None) -> np.ndarray:
    """Villagers per household by region (``households``: their count by region, if known)."""
    hh = households_by_region(w) if households is None else households
    return w.villagers / np.maximum(hh, 1.0)


def households_by_region(w: World) -> np.ndarray:
    """The households' weight by region, cached until their weights change: a mechanism that
    changes a household's weight drops the cache (``w.signals.pop(HOUSEHOLDS_BY_REGION)``; only
    the villages' partition does). A pass over every household saved in three weeks of four."""
    cached = w.signals.get(HOUSEHOLDS_BY_REGION)
    if cached is None:
        cached = w.households.sum_by("region", N_R)
        w.signals[HOUSEHOLDS_BY_REGION] = cached
    return np.asarray(cached)


HOUSEHOLDS_BY_REGION = "households_by_region"


def normal_harvest(w: World, p: Params) -> np.ndarray:
    """What a household's land gives in a normal year, tonnes (cached until the land changes)."""
    hh = w.households
    cached = w.signals.get("normal_harvest")
    if cached is None or cached.size != hh.n:
        a, b = p["peasants.sown_share"], p["peasants.yield"]
        if _backend.current() != "numpy" and w.base["yields"].dtype == np.float64:
            cached = _normal(hh["land"], np.float32(a), np.float32(b), hh["region"],
                             w.base["yields"])  # fmt: skip
        else:
            cached = np.asarray(hh["land"] * a * b * w.base["yields"][hh["region"]])
        w.signals["normal_harvest"] = cached
    return cached


@kernels.jit
def _normal(land, a32, b32, region, yields):  # type: ignore[no-untyped-def]
    out = np.empty(land.size)
    for i in range(land.size):
        out[i] = np.float64(land[i] * a32 * b32) * yields[region[i]]
    return out


def burden(w: World, p: Params) -> np.ndarray:
    """Requisitions felt against what the household could have sold this year, in [0, 1.5]."""
    hh = w.households
    disposable = hh["surplus"] + 0.1 * normal_harvest(w, p)
    return np.clip(hh["taken"] / np.maximum(disposable, 1e-3), 0.0, 1.5)


def land_seizure(w: World, p: Params, ctx: Context) -> None:
    """Estates pass to the households in equal shares; the commune repartitions kulak excess."""
    left = w.signals["estates_left"]
    if left <= 0:
        return
    if w.decided("insurrection"):
        rate = p["land.seizure_rate"]
    else:
        rate = p["land.seizure_rate_1917"] * float(w.inputs.grievance[ctx.step])
    share = min(left, left * (1.0 - np.exp(-rate * ctx.dt)))
    if left - share < ESTATES_DIVIDED:
        share = left  # the last estates are divided: the seizure is over
    if share <= 0:
        return
    w.signals["estates_left"] = left - share
    hh = w.households
    gain = p["land.estate_share"] * w.base["land_per_household"] * share
    gain_wealth = gain / w.base["land_per_household"]  # land is half of wealth (modelling)
    normal = w.signals.pop("normal_harvest", None)
    repartition = p["land.kulak_repartition"] * share
    if _backend.current() == "numpy" or not _strong(gain, repartition, gain_wealth):
        hh["land"] = hh["land"] + gain
        wealth = hh["wealth"]
        excess = np.maximum(wealth - KULAK_ABOVE, 0.0) * p["land.kulak_repartition"] * share
        pooled = float((excess * hh["weight"]).sum() / max(hh.total(), 1))
        hh["wealth"] = wealth - excess + pooled + 0.5 * gain_wealth
        return
    # the normal harvest follows the land in the same pass, as ``normal_harvest`` computes it
    keep = normal is not None and normal.size == hh.n and w.base["yields"].dtype == np.float64
    if not keep:
        normal = np.empty(0)
    rep32 = np.float32(p["land.kulak_repartition"])
    a32, b32 = np.float32(p["peasants.sown_share"]), np.float32(p["peasants.yield"])
    total = _seize_subtrees(
        hh["land"], hh["wealth"], hh["weight"],
        gain, rep32, share, normal, keep, a32, b32, hh["region"], w.base["yields"],
    )  # fmt: skip
    if keep:
        w.signals["normal_harvest"] = normal
    pooled = float(total / max(hh.total(), 1))
    _repartition(hh["wealth"], rep32, share, pooled, 0.5 * gain_wealth)


def _strong(*scalars: object) -> bool:
    """All numpy float64 scalars (NEP 50: they make float32 arithmetic float64)."""
    return all(isinstance(x, np.float64) for x in scalars)


@kernels.jit
def _seize_leaf(
    land, wealth, weight, lo, n, gain, rep32, share, normal, keep, a32, b32, region, yields, buf
):  # type: ignore[no-untyped-def]  # fmt: skip
    """One leaf of ``_seize``'s pairwise tree (at most 128 households): land gained, the cached
    normal harvest with it, and the leaf's sum of ``excess * weight`` as numpy adds a leaf."""
    for j in range(n):
        i = lo + j
        land[i] = np.float32(np.float64(land[i]) + gain)
        if keep:
            normal[i] = np.float64(land[i] * a32 * b32) * yields[region[i]]
        over = max(wealth[i] - np.float32(KULAK_ABOVE), np.float32(0.0))
        buf[j] = (np.float64(over * rep32) * share) * np.float64(weight[i])
    return kernels.pairwise_leaf(buf, 0, n)


@kernels.jit
def _seize(
    land, wealth, weight, lo, n, gain, rep32, share, normal, keep, a32, b32, region, yields, buf
):  # type: ignore[no-untyped-def]  # fmt: skip
    """``land_seizure`` fused, first pass over ``[lo, lo + n)``: land gained (and the cached
    normal harvest with it); returns ``(excess * weight).sum()`` to the bit: numpy's pairwise
    order (halves, the first a multiple of 8, down to leaves of 128), its leaves computed into
    ``buf``, so no array the size of the households is made. The tree is walked with a stack
    of its own, not by recursion: numba's disk cache cannot link a recursive kernel into
    another kernel (it crashed, or summed wrong, measured)."""
    node_lo = np.empty(64, dtype=np.int64)  # depth <= 64: n < 2**70
    node_n = np.empty(64, dtype=np.int64)
    stage = np.zeros(64, dtype=np.int8)  # 0: neither half summed, 1: the first, 2: both
    first = np.zeros(64)
    node_lo[0], node_n[0], stage[0] = lo, n, 0
    top = 0
    v = 0.0  # the sum of the node last finished
    while top >= 0:
        m = node_n[top]
        if m <= 128:
            v = _seize_leaf(land, wealth, weight, node_lo[top], m, gain, rep32, share, normal,
                            keep, a32, b32, region, yields, buf)  # fmt: skip
            top -= 1
            continue
        m2 = m // 2
        m2 -= m2 % 8
        if stage[top] == 0:  # descend into the first half
            stage[top] = 1
            node_lo[top + 1], node_n[top + 1], stage[top + 1] = node_lo[top], m2, 0
            top += 1
        elif stage[top] == 1:  # the first half is v: descend into the second
            first[top] = v
            stage[top] = 2
            node_lo[top + 1], node_n[top + 1], stage[top + 1] = node_lo[top] + m2, m - m2, 0
            top += 1
        else:  # both halves done: first + second, as the recursion adds them
            v = first[top] + v
            top -= 1
    return v


SUBTREES = 32  # the pairwise sum's subtrees that _seize_subtrees hands to threads (2**5)


@kernels.threaded
def _seize_subtrees(
    land, wealth, weight, gain, rep32, share, normal, keep, a32, b32, region, yields
):  # type: ignore[no-untyped-def]  # fmt: skip
    """``_seize`` over every household, the pairwise tree's top five levels cut off: its 32
    subtrees (each summed by ``_seize``, on threads) are added back level by level, as the
    recursion adds them, so the sum's bits do not depend on the threads."""
    n = land.size
    if n < 128 * 8 * SUBTREES:  # small: the plain recursion (every top node must split)
        return _seize(land, wealth, weight, 0, n, gain, rep32, share, normal, keep, a32, b32,
                      region, yields, np.empty(128))  # fmt: skip
    lo = np.zeros(SUBTREES, dtype=np.int64)
    size = np.zeros(SUBTREES, dtype=np.int64)
    size[0] = n
    parts = 1
    while parts < SUBTREES:  # split every node in two, as _seize does, keeping their order
        for j in range(parts - 1, -1, -1):
            at, m = lo[j], size[j]
            n2 = m // 2
            n2 -= n2 % 8
            lo[2 * j], size[2 * j] = at, n2
            lo[2 * j + 1], size[2 * j + 1] = at + n2, m - n2
        parts *= 2
    sums = np.zeros(SUBTREES)
    for t in prange(SUBTREES):
        sums[t] = _seize(land, wealth, weight, lo[t], size[t], gain, rep32, share, normal, keep,
                         a32, b32, region, yields, np.empty(128))  # fmt: skip
    while parts > 1:  # the additions of the levels cut off, bottom up
        parts //= 2
        for j in range(parts):
            sums[j] = sums[2 * j] + sums[2 * j + 1]
    return sums[0]


@kernels.threaded
def _repartition(wealth, rep32, share, pooled, half_gain):  # type: ignore[no-untyped-def]
    """``land_seizure`` fused, second pass: the commune shares the pooled excess out."""
    for i in prange(wealth.size):
        over = max(wealth[i] - np.float32(KULAK_ABOVE), np.float32(0.0))
        excess = np.float64(over * rep32) * share
        wealth[i] = np.float32(np.float64(wealth[i]) - excess + pooled + half_gain)


def season(w: World, p: Params, ctx: Context) -> None:
    """Spring sowing and the August harvest (grain and the technical crops)."""
    if contains(ctx, *SOWING):
        _sow(w, p, ctx)
    if contains(ctx, *HARVEST):
        _harvest(w, p, ctx)


def _sow(w: World, p: Params, ctx: Context) -> None:
    hh = w.households
    r = hh["region"]
    sd = w.soldiers
    at_front = sd.sum_by("region", N_R, mask=sd["origin"] == 1)
    labour = w.villagers / np.maximum(w.villagers + at_front, 1.0)
    labour = np.clip(labour / w.base["labour_1917"], 0.0, 1.0) ** p["peasants.labour_elasticity"]
    war = 1.0 - 0.3 * w.signals["war_zone"]
    cut = w.signals["cut_off"]
    goods = float(np.clip(w.signals["goods"], 0.0, 1.2))
    reach = (1.0 - cut) * (1.0 - 0.5 * w.signals["war_zone"]) * w.regional_capacity
    adjust = p["crops.adjust"]
    k = (p["peasants.burden_sowing_cut"], p["peasants.sown_share"], p["peasants.sown_recovery"])
    if _sow_fused(hh, (*k, adjust), (labour, war, reach)):
        # the sowing's chain in one pass; numpy raises each market to the crop's power (its
        # SIMD pow's bits), and one pass moves each crop's area toward its target
        market = np.empty(hh.n)
        _sow_pass(
            hh["surplus"], hh["taken"], normal_harvest(w, p), hh["wealth"], hh["land"],
            hh["sown"], r, labour, war, reach, np.sqrt(goods), np.array(k), market,
        )  # fmt: skip
        for crop in CROPS:
            power = market ** p[f"crops.elasticity_{crop}"]
            _toward(hh[f"area_{crop}"], r, w.base["area0"][crop], power, adjust)
        return
    felt = np.minimum(burden(w, p), 1.0)
    incentive = np.clip(1.0 - p["peasants.burden_sowing_cut"] * felt, 0.25, 1.0)
    draught = np.clip(hh["wealth"] / 0.5, 0.2, 1.0) ** 0.5
    wanted = hh["land"] * p["peasants.sown_share"] * labour[r] * incentive * draught * war[r]
    hh["sown"] = np.minimum(wanted, hh["sown"] * (1.0 + p["peasants.sown_recovery"]))

    market = np.clip(reach[r] * np.sqrt(goods) * (1.0 - felt), 0.0, 1.0)
    for crop in CROPS:
        col = f"area_{crop}"
        target = w.base["area0"][crop][r] * market ** p[f"crops.elasticity_{crop}"]
        hh[col] = hh[col] + adjust * (target - hh[col])


def _sow_fused(hh: Population, scalars: tuple[object, ...], tables: tuple[object, ...]) -> bool:
    """Whether ``_sow_pass`` computes what the numpy chain does: numba, the households' float32
    columns, float64 tables by region and Python floats (NEP 50: a numpy float64 would make the
    float32 products float64)."""
    return (
        (_backend.current() != "numpy")
        and all(type(x) is float for x in scalars)
        and all(isinstance(a, np.ndarray) and a.dtype == np.float64 for a in tables)
        and all(hh.dtypes[c] == np.float32 for c in
                ("surplus", "taken", "wealth", "land", "sown", *(f"area_{c}" for c in CROPS)))
    )  # fmt: skip


@kernels.threaded
def _sow_pass(
    surplus, taken, normal, wealth, land, sown, region, labour, war, reach, sqrt_goods, k, market
):  # type: ignore[no-untyped-def]  # fmt: skip
    """``_sow``'s numpy chain per household, the same operations in the same dtypes: the burden
    felt (float64), the draught (float32, as numpy divides and clips a float32 column by Python
    floats), the wanted area (a float32 product first), the sown area (float32) and the market's
    pull (float64, into ``market``)."""
    cut, share32, grow32 = k[0], np.float32(k[1]), np.float32(1.0 + k[2])
    lo, hi = np.float32(0.2), np.float32(1.0)
    for i in prange(sown.size):
        disposable = np.float64(surplus[i]) + 0.1 * normal[i]
        felt = min(min(max(np.float64(taken[i]) / max(disposable, 1e-3), 0.0), 1.5), 1.0)
        incentive = min(max(1.0 - cut * felt, 0.25), 1.0)
        draught = np.sqrt(min(max(wealth[i] / np.float32(0.5), lo), hi))
        g = region[i]
        wanted = np.float64(land[i] * share32) * labour[g] * incentive * np.float64(draught)
        wanted = wanted * war[g]
        sown[i] = np.float32(min(wanted, np.float64(sown[i] * grow32)))
        market[i] = min(max(reach[g] * sqrt_goods * (1.0 - felt), 0.0), 1.0)


@kernels.threaded
def _toward(area, region, area0, power, adjust):  # type: ignore[no-untyped-def]
    """``area += adjust * (area0[region] * power - area)`` in float64, stored as float32."""
    for i in prange(area.size):
        a = np.float64(area[i])
        area[i] = np.float32(a + adjust * (area0[region[i]] * power[i] - a))


def _harvest(w: World, p: Params, ctx: Context) -> None:
    hh = w.households
    r = hh["region"]
    weather = w.inputs.weather[ctx.step]
    war = 1.0 - 0.3 * w.signals["war_zone"]
    k = (p["peasants.yield"], p["peasants.ration"], p["peasants.seed"])
    if _harvest_fused(hh, k):
        # the harvest's chain in one pass; each total is numpy's pairwise sum of the products
        # the pass writes into one buffer (no array per operation)
        buf = np.empty(hh.n)
        _harvest_pass(
            hh["sown"], hh["harvest"], hh["stock"], hh["surplus"], hh["taken"], hh["weight"], r,
            np.asarray(w.base["yields"] * weather * war, dtype=np.float64),
            np.asarray(persons_per_household(w), dtype=np.float64), np.array(k), buf,
        )  # fmt: skip
        _record_harvest(w, float(buf.sum()))
        ww = np.asarray(weather * war, dtype=np.float64)
        for crop in CROPS:
            _weighted_by_region(hh[f"area_{crop}"], r, ww, hh["weight"], buf)
            w.flows[f"crop:{crop}"] = float(buf.sum())
        return
    grain = hh["sown"] * p["peasants.yield"] * (w.base["yields"] * weather * war)[r]
    hh["harvest"] = grain
    pph = persons_per_household(w)
    subsistence = p["peasants.ration"] * pph[r] + p["peasants.seed"] * hh["sown"]
    hh["stock"] = np.maximum(grain - subsistence, 0.0)  # the year's surplus, to sell or lose
    hh["surplus"] = hh["stock"]
    hh["taken"] = 0.0
    weight = hh["weight"].astype(np.float64)
    _record_harvest(w, float((grain * weight).sum()))
    for crop in CROPS:
        out = float((hh[f"area_{crop}"] * (weather * war)[r] * weight).sum())
        w.flows[f"crop:{crop}"] = out


def _record_harvest(w: World, total: float) -> None:
    w.flows["grain_harvest"] = total
    w.signals["harvest_ratio"] = total / w.base["grain_prewar"]
    w.signals["last_harvest"] = total
    w.signals["sold_since_harvest"] = 0.0


def _harvest_fused(hh: Population, k: tuple[float, ...]) -> bool:
    """Whether ``_harvest_pass`` computes what the numpy chain does (see ``_sow_fused``)."""
    return (
        (_backend.current() != "numpy")
        and all(type(x) is float for x in k) and hh.dtypes["weight"].kind == "i"
        and all(hh.dtypes[c] == np.float32 for c in
                ("sown", "harvest", "stock", "surplus", "taken", *(f"area_{c}" for c in CROPS)))
    )  # fmt: skip


@kernels.threaded
def _harvest_pass(sown, harvest, stock, surplus, taken, weight, region, yields, pph, k, out):  # type: ignore[no-untyped-def]
    """``_harvest``'s numpy chain per household in its dtypes: the grain (float64 from a float32
    product), stored as the harvest; the surplus over the ration and the seed, stored as the
    stock and the surplus; nothing taken yet. ``out`` gets grain * weight, to be summed."""
    yield32, ration, seed32 = np.float32(k[0]), k[1], np.float32(k[2])
    for i in prange(sown.size):
        g = region[i]
        grain = np.float64(sown[i] * yield32) * yields[g]
        harvest[i] = np.float32(grain)
        left = np.float32(max(grain - (ration * pph[g] + np.float64(seed32 * sown[i])), 0.0))
        stock[i] = left
        surplus[i] = left
        taken[i] = np.float32(0.0)
        out[i] = grain * np.float64(weight[i])


@kernels.threaded
def _weighted_by_region(x, region, table, weight, out):  # type: ignore[no-untyped-def]
    """``out = x * table[region] * weight`` in float64 (numpy's order), to be summed."""
    for i in prange(x.size):
        out[i] = np.float64(x[i]) * table[region[i]] * np.float64(weight[i])


def support(w: World, p: Params, ctx: Context) -> None:
    """Support for the regime relaxes toward what threat, burden, hunger and the market give."""
    hh = w.households
    gained = 1.0 - w.signals["estates_left"]
    threat = w.signals["white_threat"]
    nep = 1.0 if w.decided("new_economic_policy") else 0.0
    # aid from a revolution abroad helps reconcile the peasantry (§1)
    abroad = 0.5 * p["world.aid"] * min(1.0, float(w.signals.get("abroad", 0.0)))
    land = p["support.land_gain"] * threat * gained
    rate = 1.0 - np.exp(-p["support.rate"] * ctx.dt)
    if _backend.current() == "numpy":
        felt = burden(w, p)
        left = hh["harvest"] - hh["taken"]
        hungry = (left < HUNGER_BELOW * normal_harvest(w, p)).astype(np.float32)
        target = (
            p["support.base"]
            + hh["disposition"]
            + land
            - p["support.burden"] * felt
            - p["support.hunger"] * hungry
            + p["support.nep"] * nep
            + abroad
        )
        s = hh["support"]
        hh["support"] = np.clip(s + rate * (target - s), -1, 1)
    else:
        against, tot = _support(
            hh["support"], hh["disposition"], hh["harvest"], hh["taken"], hh["surplus"],
            normal_harvest(w, p),
            np.array([
                p["support.base"], land, p["support.burden"], p["support.hunger"],
                p["support.nep"] * nep, abroad, rate, HUNGER_BELOW,
            ]),
            type(land) is float,  # a Python float keeps float32 arithmetic (NEP 50)
            hh["weight"],
        )  # fmt: skip
        w.signals["unrest"] = float(against / tot) if tot > 0 else float("nan")
        return
    w.signals["unrest"] = hh.share(hh["support"] < 0.0)


@kernels.threaded
def _support(support, disposition, harvest, taken, surplus, normal, k, weak_land, weight):  # type: ignore[no-untyped-def]
    """``support`` fused (the numpy branch is the reference): same dtypes, same order; returns
    the weight of the households against the regime (support below zero) and the households'
    total weight (``hh.total()``, in the same pass)."""
    base32, land, burden_w, hunger32 = np.float32(k[0]), k[1], k[2], np.float32(k[3])
    nep, abroad, rate, hunger_below = k[4], k[5], k[6], k[7]
    land32 = np.float32(land)
    against = 0  # integer sums: the same in any order, so the loop may run on threads
    total = 0
    for i in prange(support.size):
        disposable = np.float64(surplus[i]) + 0.1 * normal[i]
        felt = min(max(np.float64(taken[i]) / max(disposable, 1e-3), 0.0), 1.5)
        left = harvest[i] - taken[i]
        hungry = np.float32(1.0) if np.float64(left) < hunger_below * normal[i] else np.float32(0.0)
        t = base32 + disposition[i]
        t2 = np.float64(t + land32) if weak_land else np.float64(t) + land
        target = t2 - burden_w * felt - np.float64(hunger32 * hungry) + nep + abroad
        s = np.float64(support[i])
        v = np.float32(min(max(s + rate * (target - s), -1.0), 1.0))
        support[i] = v
        if v < 0.0:
            against += weight[i]
        total += weight[i]
    return against, total


def livestock(w: World, p: Params, ctx: Context) -> None:
    """Livestock and implements are lost where the war passes and regrow slowly in peace."""
    hh = w.households
    r = hh["region"]
    regrow = 0.04 * (1.0 - w.signals["civil_war"])
    if _backend.current() != "numpy" and hh["wealth"].dtype == np.float32:
        # the same float64 factor, computed once per region rather than per household
        zone_r = np.asarray(w.signals["war_zone"] + 0.5 * w.signals["civil_war"], np.float64)
        factor = 1.0 + ctx.dt * (regrow - p["peasants.livestock_loss"] * zone_r)
        _scale_by_region(hh["wealth"], r, np.asarray(factor, dtype=np.float64))
    else:
        zone = w.signals["war_zone"][r] + 0.5 * w.signals["civil_war"]
        loss = p["peasants.livestock_loss"] * zone
        hh["wealth"] = hh["wealth"] * (1.0 + ctx.dt * (regrow - loss))
    if ctx.step % 4 == 0:  # the strata's yardstick, refreshed monthly
        w.signals["median_wealth"] = _median(hh["wealth"], hh["weight"])


@kernels.threaded
def _scale_by_region(x, region, factor):  # type: ignore[no-untyped-def]
    """``x = float32(x * factor[region])`` in place (float64 product, as numpy computes it)."""
    for i in prange(x.size):
        x[i] = np.float32(np.float64(x[i]) * factor[region[i]])
