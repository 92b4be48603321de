"""M1 consciousness and M2 the collective capacity of the class (§1, §2, §3, §7).

Workers' consciousness grows fast in the towns while grievance runs high (1917), partly by
contagion from the city's mean; it decays under atomisation (hunger, unemployment). Soldiers'
sympathy grows with war weariness. The class's collective capacity K combines its size against
1917, its mean consciousness, its hereditary core, employment and food (§2, §3).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context, Population
from thermidor.engine import backend as _backend
from thermidor.engine.accel import kernels
from thermidor.engine.accel.kernels import prange
from thermidor.model.params import Params
from thermidor.model.world import CITIES, World


def update_consciousness(w: World, p: Params, ctx: Context) -> None:
    """M1: grievance and contagion raise consciousness, hunger and unemployment wear it down."""
    grievance = w.inputs.grievance[ctx.step]
    hunger = max(0.0, 1.0 - w.signals["food"])
    wk = w.workers
    c = wk["consciousness"]
    n_city = wk.sum_by("city", len(CITIES))
    mean_city = wk.sum_by("city", len(CITIES), values=c) / np.maximum(n_city, 1.0)
    k = p["consciousness.contagion"]
    rate = p["consciousness.grievance_rate"] * grievance
    atom = p["consciousness.atomisation_rate"]
    sd = w.soldiers
    srate = p["consciousness.soldier_rate"] * (w.inputs.world_war[ctx.step] * grievance)
    shunger = atom * hunger
    # (the soldiers' rate is a numpy float64, from the inputs: with a Python float their
    # whole chain would be float32, which the kernel does not do)
    if _fused(wk, sd, k, atom, ctx.dt, mean_city) and isinstance(srate, np.float64):
        # the two chains below in one pass each, in numpy's dtypes: a Python float scalar is
        # "weak" (float32 arithmetic with a float32 column), a numpy float64 is not (NEP 50)
        _workers_update(c, wk["city"], wk["employed"], mean_city, k, rate, type(rate) is float,
                        atom, hunger, type(hunger) is float, ctx.dt)  # fmt: skip
        _soldiers_update(sd["consciousness"], srate, shunger, type(shunger) is float, ctx.dt)
        return
    pull = (1.0 - k) + k * 2.0 * mean_city[wk["city"]]
    growth = p["consciousness.grievance_rate"] * grievance * (1.0 - c) * pull
    idle = (~wk["employed"]).astype(np.float32)
    decay = p["consciousness.atomisation_rate"] * (hunger + idle) * c
    wk["consciousness"] = np.clip(c + ctx.dt * (growth - decay), 0.0, 1.0)

    cs = sd["consciousness"]
    weariness = w.inputs.world_war[ctx.step] * grievance
    sgrowth = p["consciousness.soldier_rate"] * weariness * (1.0 - cs)
    sdecay = p["consciousness.atomisation_rate"] * hunger * cs * 0.5
    sd["consciousness"] = np.clip(cs + ctx.dt * (sgrowth - sdecay), 0.0, 1.0)


def _fused(wk: Population, sd: Population, *scalars: object) -> bool:
    """Whether the kernels compute what the numpy chains do: numba, float32 consciousness,
    boolean employment, Python float parameters and a float64 table by city."""
    *floats, mean_city = scalars
    return (
        (_backend.current() != "numpy")
        and wk.dtypes["consciousness"] == np.float32 and sd.dtypes["consciousness"] == np.float32
        and wk.dtypes["employed"] == np.bool_ and wk.dtypes["city"].kind in "iu"
        and all(type(x) is float for x in floats)
        and isinstance(mean_city, np.ndarray) and mean_city.dtype == np.float64
        and (wk.n == 0 or 0 <= int(wk["city"].min()) <= int(wk["city"].max()) < mean_city.size)
    )  # fmt: skip


@kernels.threaded
def _workers_update(c, city, employed, mean_city, k, rate, rate_weak, atom, hunger, hunger_weak, dt):  # type: ignore[no-untyped-def]  # fmt: skip
    """``update_consciousness``'s workers' chain per worker, in place."""
    base, k2 = 1.0 - k, k * 2.0
    rate32, atom32, hunger32 = np.float32(rate), np.float32(atom), np.float32(hunger)
    for i in prange(c.size):
        ci = c[i]
        pull = base + k2 * mean_city[city[i]]
        rest = np.float32(1.0) - ci
        growth = (np.float64(rate32 * rest) if rate_weak else rate * np.float64(rest)) * pull
        idle = np.float32(0.0) if employed[i] else np.float32(1.0)
        if hunger_weak:  # float32: (hunger + idle), times the rate, times c
            decay = np.float64(atom32 * (hunger32 + idle) * ci)
        else:
            decay = atom * (hunger + np.float64(idle)) * np.float64(ci)
        c[i] = np.float32(min(max(np.float64(ci) + dt * (growth - decay), 0.0), 1.0))


@kernels.threaded
def _soldiers_update(cs, srate, shunger, shunger_weak, dt):  # type: ignore[no-untyped-def]
    """``update_consciousness``'s soldiers' chain per soldier, in place (``srate`` a float64)."""
    shunger32, half = np.float32(shunger), np.float32(0.5)
    for i in prange(cs.size):
        ci = cs[i]
        growth = srate * np.float64(np.float32(1.0) - ci)
        if shunger_weak:
            decay = np.float64(shunger32 * ci * half)
        else:
            decay = shunger * np.float64(ci) * 0.5
        cs[i] = np.float32(min(max(np.float64(ci) + dt * (growth - decay), 0.0), 1.0))


def class_capacity(w: World, p: Params, ctx: Context) -> None:
    """M2: K in [0, 1], nationally and by city; W (workers' democracy) follows in M6."""
    wk = w.workers
    base = w.base
    food = float(np.clip(w.signals["food"], 0.0, 1.0))
    n, c_sum, h_sum, e_sum = city_census(wk)
    cons = c_sum / np.maximum(n, 1.0)
    her = h_sum / np.maximum(n, 1.0)
    emp = e_sum / np.maximum(n, 1.0)

    def index(size: np.ndarray, c: np.ndarray, h: np.ndarray, e: np.ndarray) -> np.ndarray:
        return (
            np.clip(size, 0.0, 1.0) ** p["capacity.w_size"]
            * np.clip(c, 1e-6, 1.0) ** p["capacity.w_consciousness"]
            * np.clip(h, 1e-6, 1.0) ** p["capacity.w_hereditary"]
            * np.clip(e, 1e-6, 1.0) ** p["capacity.w_employment"]
            * max(food, 1e-6) ** p["capacity.w_food"]
        )

    per_city = base["workers_by_city"]
    size = np.where(per_city > 0, n / np.maximum(per_city, 1.0), 1.0)
    her_ratio = her / max(base["hereditary_share"], 1e-9)
    by_city = index(size, cons, her_ratio, emp)
    total = n.sum()
    national = index(
        np.array([total / base["workers"]]),
        np.array([(cons * n).sum() / max(total, 1.0)]),
        np.array([(her * n).sum() / max(total, 1.0) / max(base["hereditary_share"], 1e-9)]),
        np.array([(emp * n).sum() / max(total, 1.0)]),
    )
    w.signals["K_city"] = by_city
    w.signals["K"] = float(national[0])


def city_census(wk: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The workers by city (float64): their weight, and the weighted sums of consciousness, of
    the hereditary and of the employed, as ``sum_by`` gives each. With numba in one pass."""
    cols = (wk["city"], wk["weight"], wk["consciousness"], wk["hereditary"], wk["employed"])
    if (
        (_backend.current() != "numpy") and wk.n
        and cols[0].dtype.kind in "iu" and cols[1].dtype.kind in "iu"
        and cols[2].dtype.kind == "f" and cols[3].dtype == np.bool_ and cols[4].dtype == np.bool_
    ):  # fmt: skip
        out = _city_census(*cols, len(CITIES))
        if out[4]:
            return out[0], out[1], out[2], out[3]
    size = len(CITIES)
    return (
        wk.sum_by("city", size),
        wk.sum_by("city", size, values=wk["consciousness"]),
        wk.sum_by("city", size, values=wk["hereditary"]),
        wk.sum_by("city", size, values=wk["employed"]),
    )


@kernels.jit
def _city_census(city, weight, cons, hereditary, employed, size):  # type: ignore[no-untyped-def]
    """``city_census`` in one pass, on one thread: consciousness's sums are float sums, each city's
    added in agent order as ``np.bincount`` adds them (a city's running sum stays in a register
    while consecutive workers share the city); the weights are integer sums in four interleaved
    tables (exact in any order). Not ok where a city lies outside ``[0, size)``."""
    ints = np.zeros((4, 3, size), dtype=np.int64)
    sums = np.zeros(size)
    cur = -1
    acc = 0.0
    for i in range(city.size):
        k = city[i]
        if k < 0 or k >= size:
            return sums, sums, sums, sums, False
        if k != cur:
            if cur >= 0:
                sums[cur] = acc
            cur = k
            acc = sums[k]
        wi = weight[i]
        acc += np.float64(wi) * np.float64(cons[i])
        a = ints[i & 3]
        a[0, k] += wi
        a[1, k] += wi if hereditary[i] else 0
        a[2, k] += wi if employed[i] else 0
    if cur >= 0:
        sums[cur] = acc
    t = ints[0] + ints[1] + ints[2] + ints[3]
    return (
        t[0].astype(np.float64), sums, t[1].astype(np.float64), t[2].astype(np.float64),
        city.size > 0,
    )  # fmt: skip
