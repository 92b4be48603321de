"""Compiled twins of M1's drift of consciousness and M2's census of the workers by city
(model/mechanisms/consciousness.py)."""

from __future__ import annotations

import numpy as np

from thermidor.engine import Population, register_twin
from thermidor.engine.accel.kernels import jit, prange, threaded
from thermidor.model.mechanisms import consciousness
from thermidor.model.mechanisms.consciousness import Drift
from thermidor.model.state import touched
from thermidor.model.world import CITIES


@register_twin("consciousness.workers_drift")
def workers_drift(wk: Population, mean_city: np.ndarray, k: Drift) -> None:
    """``consciousness.workers_drift`` in one pass over the workers, on threads when many."""
    if not (
        wk.dtypes["consciousness"] == np.float32 and wk.dtypes["employed"] == np.bool_
        and wk.dtypes["city"].kind in "iu" and mean_city.dtype == np.float64
        and (wk.n == 0 or 0 <= int(wk["city"].min()) <= int(wk["city"].max()) < mean_city.size)
    ):  # fmt: skip
        consciousness.workers_drift.reference(wk, mean_city, k)  # type: ignore[attr-defined]
        return
    _workers(wk["consciousness"], wk["city"], wk["employed"], mean_city, _floats(k))
    touched(wk, "consciousness")


@register_twin("consciousness.soldiers_drift")
def soldiers_drift(sd: Population, k: Drift) -> None:
    """``consciousness.soldiers_drift`` in one pass over the soldiers."""
    if sd.dtypes["consciousness"] != np.float32:
        consciousness.soldiers_drift.reference(sd, k)  # type: ignore[attr-defined]
        return
    _soldiers(sd["consciousness"], _floats(k))
    touched(sd, "consciousness")


def _floats(k: Drift) -> Drift:
    return Drift(*(float(x) for x in k))  # one numba type for the kernels' parameters


@threaded
def _workers(c, city, employed, mean_city, k):  # type: ignore[no-untyped-def]
    """Per worker, in place: the growth in float64 from the float32 ``1 - c``; the decay, whose
    terms are all float32-sized, in float32."""
    base, k2 = 1.0 - k.contagion, k.contagion * 2.0
    atom32, hunger32 = np.float32(k.atomisation), np.float32(k.hunger)
    for i in prange(c.size):
        ci = c[i]
        pull = base + k2 * mean_city[city[i]]
        growth = k.rate * np.float64(np.float32(1.0) - ci) * pull
        idle = np.float32(0.0) if employed[i] else np.float32(1.0)
        decay = np.float64(atom32 * (hunger32 + idle) * ci)
        c[i] = np.float32(min(max(np.float64(ci) + k.dt * (growth - decay), 0.0), 1.0))


@threaded
def _soldiers(cs, k):  # type: ignore[no-untyped-def]
    """Per soldier, in place, as ``_workers`` (the decay in float32)."""
    shunger32, half = np.float32(k.atomisation * k.hunger), np.float32(0.5)
    for i in prange(cs.size):
        ci = cs[i]
        growth = k.soldier_rate * np.float64(np.float32(1.0) - ci)
        decay = np.float64(shunger32 * ci * half)
        cs[i] = np.float32(min(max(np.float64(ci) + k.dt * (growth - decay), 0.0), 1.0))


@register_twin("consciousness.city_census")
def city_census(wk: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``consciousness.city_census`` in one pass over the workers."""
    cols = (wk["city"], wk["weight"], wk["consciousness"], wk["hereditary"], wk["employed"])
    if (
        wk.n and cols[0].dtype.kind in "iu" and cols[1].dtype.kind in "iu"
        and cols[2].dtype.kind == "f" and cols[3].dtype == np.bool_ and cols[4].dtype == np.bool_
    ):  # fmt: skip
        out = _city_census(*cols, len(CITIES))
        if out[4]:
            return out[0], out[1], out[2], out[3]
    return consciousness.city_census.reference(wk)  # type: ignore[attr-defined,no-any-return]


@jit
def _city_census(city, weight, cons, hereditary, employed, size):  # type: ignore[no-untyped-def]
    """One thread: a city's running sum of consciousness stays in a register while consecutive
    workers share the city; the weights are integer sums in four interleaved tables (exact in any
    order). Not ok where a city lies outside ``[0, size)``."""
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
