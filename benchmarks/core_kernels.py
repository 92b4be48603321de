"""The fixed core's stages as fused numba kernels, equal to ``core_numpy``'s numpy code to float
rounding.

``core_numpy`` runs these under the numba backend (``with thermidor.engine.using("numba")``); its
numpy code is the definition, and tests/benchmarks/test_core_kernels.py checks that both agree,
stage by stage (the kernels' totals are plain sums, not numpy's pairwise ones).

Each kernel makes one pass over its agents with no temporary arrays and rounds where numpy
rounds: numpy (NEP 50) computes ``float32_array * python_float`` in float32, so the constants
that meet float32 columns arrive here as ``np.float32``; a bool column that meets a Python float
becomes float64 in numpy, and is widened here the same way. The uniform draws are counter-based
(``thermidor.engine.accel.counter``) and made inside the loops, only for the agents that need one; the
harvest's normals are filled by ``counter.fill_normal``. ``exp`` and ``**`` stay in numpy (its
SIMD ``exp`` and float32 ``pow`` differ from libm in the last bit), as do the few per-sector or
per-organ operations, which are too small to matter.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine.accel.counter import uniform_at
from thermidor.engine.accel.kernels import jit

F32 = np.float32


@jit
def _burden(taken, surplus, normal, i, tenth, floor, top):  # type: ignore[no-untyped-def]
    # clip(taken / maximum(surplus + 0.1 * normal, 1e-3), 0.0, 1.5), all float32
    b = taken[i] / max(surplus[i] + tenth * normal[i], floor)
    return min(max(b, F32(0.0)), top)


@jit
def market(  # type: ignore[no-untyped-def]
    persons, sown, surplus, kulak, stock, taken,
    ration, seed, twentieth, rr_kulak, rr_other, dt, sell32, dt32,
):  # fmt: skip
    """Requisition then sales; updates ``stock`` and ``taken``; returns (taken, sold) totals."""
    n = stock.size
    took = np.empty(n)
    sold = np.empty(n)
    for i in range(n):
        subsistence = ration * persons[i] + seed * sown[i]  # float32
        rate = rr_kulak if kulak[i] else rr_other  # requisition_rate * bias, float64
        quota = rate * np.float64(surplus[i] + twentieth * subsistence)
        s = np.float64(stock[i])
        t = min(quota * dt, s)
        m = min(np.float64(surplus[i] * sell32 * dt32), s - t)
        took[i] = t
        sold[i] = m
        stock[i] = F32((s - t) - m)
        taken[i] = F32(np.float64(taken[i]) + t)
    return took.sum(), sold.sum()


@jit
def support(  # type: ignore[no-untyped-def]
    harvest, taken, surplus, normal, disposition, sup,
    tenth, floor, top, hunger_below, base, burden_w, hunger_w, rate,
):  # fmt: skip
    """Support relaxes toward what burden and hunger allow (in place)."""
    for i in range(sup.size):
        b = _burden(taken, surplus, normal, i, tenth, floor, top)
        hungry = (harvest[i] - taken[i]) < hunger_below * normal[i]
        target = np.float64((base + disposition[i]) - burden_w * b) - (
            hunger_w if hungry else hunger_w * 0.0
        )
        s = np.float64(sup[i])
        sup[i] = F32(min(max(s + rate * (target - s), -1.0), 1.0))


@jit
def consciousness(  # type: ignore[no-untyped-def]
    c, city, employed, n_cities, keep, spread, growth_w, hungry, decay_w, dt,
):  # fmt: skip
    """Grievance and contagion from the city's mean, decay from hunger and idleness (in place)."""
    n_city = np.zeros(n_cities, dtype=np.int64)
    sum_city = np.zeros(n_cities)
    for i in range(c.size):
        n_city[city[i]] += 1
        sum_city[city[i]] += np.float64(c[i])
    mean_city = np.empty(n_cities)
    for k in range(n_cities):
        mean_city[k] = sum_city[k] / max(n_city[k], 1)
    around = np.empty(c.size)  # gathered apart, so that the main loop compiles to SIMD
    for i in range(c.size):
        around[i] = mean_city[city[i]]
    for i in range(c.size):
        x = c[i]
        pull = keep + spread * around[i]
        growth = np.float64(growth_w * (F32(1.0) - x)) * pull
        idle = 0.0 if employed[i] else 1.0
        decay = decay_w * (hungry + idle) * np.float64(x)
        c[i] = F32(min(max(np.float64(x) + dt * (growth - decay), 0.0), 1.0))


@jit
def employment(employed, sector, k, jobs, hz_off, hz_on):  # type: ignore[no-untyped-def]
    """Lay off what each sector's jobs cannot use, rehire toward them (in place); returns how
    many work. Worker ``i`` draws ``uniform(k, n)[i]``."""
    n_s = jobs.size
    on = np.zeros(n_s)
    every = np.zeros(n_s, dtype=np.int64)
    for i in range(sector.size):
        every[sector[i]] += 1
        if employed[i]:
            on[sector[i]] += 1.0
    p_off = np.empty(n_s)
    p_on = np.empty(n_s)
    for j in range(n_s):
        excess = min(max((on[j] - jobs[j]) / max(on[j], 1.0), 0.0), 1.0)
        free = min(max((jobs[j] - on[j]) / max(every[j] - on[j], 1.0), 0.0), 1.0)
        p_off[j] = hz_off * excess
        p_on[j] = hz_on * free
    threshold = np.empty(employed.size)  # gathered apart, so that the main loop compiles to SIMD
    for i in range(employed.size):
        threshold[i] = p_off[sector[i]] if employed[i] else p_on[sector[i]]
    working = 0
    for i in range(employed.size):
        u = uniform_at(k, i)
        e = u >= threshold[i] if employed[i] else u < threshold[i]
        employed[i] = e
        working += e
    return working


@jit
def align(  # type: ignore[no-untyped-def]
    conviction, origin, old, apparatus, province, cell, organ_faction, out,
    left_appeal, unrest, centre_pull, right_pull, nep_market, loyalty, blocked,
    worker, peasant, leningrad,
):  # fmt: skip
    """Each member takes the available faction of highest pull (the first on a tie); the five
    factions of core_spec.

    The secretaries' factions are gathered first, so that the main loop has neither a gather
    nor a branch and compiles to SIMD: the loyalty pull is added to every faction, as zero to all
    but the secretary's (``x + 0.0`` is ``x`` but for the sign of a zero, which no comparison
    sees), and a blocked faction's pull is ``-inf``.
    """
    n = conviction.size
    secretary = np.empty(n, dtype=np.int8)
    for i in range(n):
        secretary[i] = organ_faction[cell[i]]
    neg = -np.inf
    m0 = neg if blocked[0] else 0.0
    m1 = neg if blocked[1] else 0.0
    m2 = neg if blocked[2] else 0.0
    m3 = neg if blocked[3] else 0.0
    m4 = neg if blocked[4] else 0.0
    for i in range(n):
        conv = np.float64(conviction[i])
        w = 1.0 if origin[i] == worker else 0.0
        a = 1.0 if apparatus[i] else 0.0
        tradition = min(1.0, (0.6 + 0.4 * (1.0 if old[i] else 0.0)) + 0.2 * w)
        left = left_appeal * conv * tradition * unrest
        pull = 0.5 * (1.0 if origin[i] == peasant else 0.0) + 0.5 * a
        bonus = loyalty * (1.0 - conv)
        sec = secretary[i]
        s0 = centre_pull * (0.4 + 0.6 * a) + (bonus if sec == 0 else 0.0) + m0
        s1 = left + (bonus if sec == 1 else 0.0) + m1
        s2 = right_pull * pull * nep_market + (bonus if sec == 2 else 0.0) + m2
        s3 = left * (1.0 if province[i] == leningrad else 0.0) + (bonus if sec == 3 else 0.0) + m3
        s4 = left * w * (1.0 - a) + (bonus if sec == 4 else 0.0) + m4
        best = 0
        top = s0
        best = 1 if s1 > top else best
        top = max(top, s1)
        best = 2 if s2 > top else best
        top = max(top, s2)
        best = 3 if s3 > top else best
        top = max(top, s3)
        best = 4 if s4 > top else best
        out[i] = best


@jit
def harvest(  # type: ignore[no-untyped-def]
    sown, persons, region, luck, regional, harvested, surplus, stock, taken,
    grain_yield, ration, seed,
):  # fmt: skip
    """Grain, surplus and stock of each household (in place); returns the total grain."""
    n = sown.size
    grain = np.empty(n)
    for i in range(n):
        grain[i] = regional[region[i]]  # gathered apart, so that the main loop compiles to SIMD
    for i in range(n):
        g = np.float64(sown[i] * grain_yield) * grain[i] * luck[i]
        keep = ration * persons[i] + seed * sown[i]  # float32
        s = max(g - np.float64(keep), 0.0)
        grain[i] = g
        harvested[i] = F32(g)
        surplus[i] = F32(s)
        stock[i] = F32(s)
        taken[i] = F32(0.0)
    return grain.sum()


@jit
def _vote(counts, g):  # type: ignore[no-untyped-def]
    # the engine's plurality: the first label of most weight, -1 if nobody is there
    best = 0
    empty = counts[g, 0] == 0.0
    for f in range(1, counts.shape[1]):
        if counts[g, f] > counts[g, best]:
            best = f
        if counts[g, f] != 0.0:
            empty = False
    return -1 if empty else best


@jit
def elections(  # type: ignore[no-untyped-def]
    cell, member_faction, member_weight, level, parent, appointed, faction, organ_weight,
    head, nf, cell_level,
):  # fmt: skip
    """Elected cells take their members' plurality, then each level up its children's (in place)."""
    n = level.size
    counts = np.zeros((n, nf))
    for i in range(cell.size):
        counts[cell[i], member_faction[i]] += np.float64(member_weight[i])
    for g in range(n):
        if not appointed[g] and level[g] == cell_level:
            pick = _vote(counts, g)
            if pick >= 0:
                faction[g] = pick
    for lvl in (cell_level - 1, cell_level - 2):  # districts, then provinces
        counts[:] = 0.0
        for j in range(n):
            if level[j] == lvl + 1:
                counts[parent[j], faction[j]] += np.float64(organ_weight[j])
        for g in range(n):
            if not appointed[g] and level[g] == lvl and g != head:
                pick = _vote(counts, g)
                if pick >= 0:
                    faction[g] = pick


@jit
def appoint(appointed, level, parent, patron, faction, k, head, p_go, lowest):  # type: ignore[no-untyped-def]
    """Elected secretaries below the centre replaced (probability ``p_go``) by the organ above's;
    organ ``i`` draws ``uniform(k, n)[i]``, only if it is a candidate."""
    before = faction.copy()  # an appointee takes his patron's line as it was when the stage began
    for i in range(appointed.size):
        if not appointed[i] and level[i] >= lowest and i != head and uniform_at(k, i) < p_go:
            appointed[i] = True
            patron[i] = parent[i]
            faction[i] = before[parent[i]]


@jit
def follow(appointed, patron, faction, k, p_go):  # type: ignore[no-untyped-def]
    """Appointed secretaries take their patron's line (as it was when the stage began); organ
    ``i`` draws ``uniform(k, n)[i]``, only if it is appointed."""
    before = faction.copy()
    for i in range(appointed.size):
        if appointed[i] and patron[i] >= 0 and uniform_at(k, i) < p_go:
            faction[i] = before[patron[i]]


@jit
def sow(  # type: ignore[no-untyped-def]
    taken, surplus, normal, wealth, land, labour, sown, tenth, floor, top, cut, share, recovery,
):  # fmt: skip
    """This year's sowing from land, labour (``labour``: numpy's float32 power), draught and the
    burden felt (in place)."""
    for i in range(sown.size):
        felt = _burden(taken, surplus, normal, i, tenth, floor, top)
        incentive = min(max(F32(1.0) - cut * min(felt, F32(1.0)), F32(0.25)), F32(1.0))
        draught = np.sqrt(min(max(wealth[i] / F32(0.5), F32(0.2)), F32(1.0)))
        wanted = land[i] * share * (labour[i] * incentive * draught)
        sown[i] = min(wanted, sown[i] * recovery)


@jit
def share_from(flag, level, lowest):  # type: ignore[no-untyped-def]
    """``flag[level >= lowest].mean()``: the share of the organs from ``lowest`` down."""
    hit = 0
    among = 0
    for i in range(flag.size):
        if level[i] >= lowest:
            among += 1
            hit += flag[i]
    return hit / among
