"""M1 consciousness and M2 the collective capacity of the class (§1, §2, §3, §7).

Workers' consciousness grows fast in the towns while grievance runs high (1917), partly by
contagion from the city's mean; it decays under atomisation (hunger, unemployment). Soldiers'
sympathy grows with war weariness. The class's collective capacity K combines its size against
1917, its mean consciousness, its hereditary core, employment and food (§2, §3).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from thermidor.engine import Context, Population, twin
from thermidor.model.params import Params
from thermidor.model.world import CITIES, World


def update_consciousness(w: World, p: Params, ctx: Context) -> None:
    """M1: grievance and contagion raise consciousness, hunger and unemployment wear it down."""
    grievance = w.inputs.grievance[ctx.step]
    hunger = max(0.0, 1.0 - w.food.supply)
    wk = w.workers
    c = wk["consciousness"]
    n_city = wk.sum_by("city", len(CITIES))
    mean_city = wk.sum_by("city", len(CITIES), values=c) / np.maximum(n_city, 1.0)
    drift = Drift(
        contagion=p["consciousness.contagion"],
        rate=p["consciousness.grievance_rate"] * grievance,
        atomisation=p["consciousness.atomisation_rate"],
        hunger=hunger,
        soldier_rate=p["consciousness.soldier_rate"] * (w.inputs.world_war[ctx.step] * grievance),
        dt=ctx.dt,
    )
    workers_drift(wk, mean_city, drift)
    soldiers_drift(w.soldiers, drift)


class Drift(NamedTuple):
    """What moves consciousness this step (rates per year; ``dt`` in years)."""

    contagion: float  # the weight of the city's mean in a worker's pull
    rate: float  # the workers' rate of growth under the week's grievance
    atomisation: float  # the rate of decay under hunger and unemployment
    hunger: float  # 1 - food, in [0, 1]
    soldier_rate: float  # the soldiers' rate of growth under war weariness
    dt: float


@twin("consciousness.workers_drift")
def workers_drift(wk: Population, mean_city: np.ndarray, k: Drift) -> None:
    """Each worker's consciousness grows with the grievance, pulled toward the city's mean
    (``mean_city``, by city), and decays with hunger and unemployment (in place)."""
    c = wk["consciousness"]
    pull = (1.0 - k.contagion) + k.contagion * 2.0 * mean_city[wk["city"]]
    growth = k.rate * (1.0 - c) * pull
    idle = (~wk["employed"]).astype(np.float32)
    decay = k.atomisation * (k.hunger + idle) * c
    wk["consciousness"] = np.clip(c + k.dt * (growth - decay), 0.0, 1.0)


@twin("consciousness.soldiers_drift")
def soldiers_drift(sd: Population, k: Drift) -> None:
    """Soldiers' sympathy grows with war weariness and decays, at half the workers' rate, with
    hunger (in place)."""
    cs = sd["consciousness"]
    growth = k.soldier_rate * (1.0 - cs)
    decay = k.atomisation * k.hunger * cs * 0.5
    sd["consciousness"] = np.clip(cs + k.dt * (growth - decay), 0.0, 1.0)


def class_capacity(w: World, p: Params, ctx: Context) -> None:
    """M2: K in [0, 1], nationally and by city; W (workers' democracy) follows in M6."""
    wk = w.workers
    base = w.base
    food = float(np.clip(w.food.supply, 0.0, 1.0))
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
    w.working_class.K_city = by_city
    w.working_class.K = float(national[0])


@twin("consciousness.city_census")
def city_census(wk: Population) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The workers by city (float64): their weight, and the weighted sums of consciousness, of
    the hereditary and of the employed."""
    size = len(CITIES)
    return (
        wk.sum_by("city", size),
        wk.sum_by("city", size, values=wk["consciousness"]),
        wk.sum_by("city", size, values=wk["hereditary"]),
        wk.sum_by("city", size, values=wk["employed"]),
    )
