"""M1 consciousness and M2 the collective capacity of the class (§1, §2, §3, §7).

Workers' consciousness grows fast in the towns while grievance runs high (1917), partly by
contagion from the city's mean; it decays under atomisation (hunger, unemployment). Soldiers'
sympathy grows with war weariness. The class's collective capacity K combines its size against
1917, its mean consciousness, its hereditary core, employment and food (§2, §3).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import Context
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
    pull = (1.0 - k) + k * 2.0 * mean_city[wk["city"]]
    growth = p["consciousness.grievance_rate"] * grievance * (1.0 - c) * pull
    idle = (~wk["employed"]).astype(np.float32)
    decay = p["consciousness.atomisation_rate"] * (hunger + idle) * c
    wk["consciousness"] = np.clip(c + ctx.dt * (growth - decay), 0.0, 1.0)

    sd = w.soldiers
    cs = sd["consciousness"]
    weariness = w.inputs.world_war[ctx.step] * grievance
    sgrowth = p["consciousness.soldier_rate"] * weariness * (1.0 - cs)
    sdecay = p["consciousness.atomisation_rate"] * hunger * cs * 0.5
    sd["consciousness"] = np.clip(cs + ctx.dt * (sgrowth - sdecay), 0.0, 1.0)


def class_capacity(w: World, p: Params, ctx: Context) -> None:
    """M2: K in [0, 1], nationally and by city; W (workers' democracy) follows in M6."""
    wk = w.workers
    base = w.base
    food = float(np.clip(w.signals["food"], 0.0, 1.0))
    n = wk.sum_by("city", len(CITIES))
    cons = wk.sum_by("city", len(CITIES), values=wk["consciousness"]) / np.maximum(n, 1.0)
    her = wk.sum_by("city", len(CITIES), values=wk["hereditary"]) / np.maximum(n, 1.0)
    emp = wk.sum_by("city", len(CITIES), values=wk["employed"]) / np.maximum(n, 1.0)

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
