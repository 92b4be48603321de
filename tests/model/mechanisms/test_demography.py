"""M4 hunger and the towns (§2): workers with village ties go back to the land."""

from __future__ import annotations

import datetime as dt

import numpy as np

from tests.support import extend, run_coarse, window_mean
from thermidor.engine import Context, Recorder, Streams
from thermidor.model.mechanisms.demography import towns
from thermidor.model.run import prepare
from thermidor.model.world import CITIES


def test_hunger_sends_workers_back_to_the_land_and_shrinks_the_class(coarse_baseline):
    """§2: the starving towns emptied as workers with ties to the village went back to it."""
    base = coarse_baseline(0)
    rooted = run_coarse(until=dt.date(1920, 1, 1), params={"hunger.return_rate": 0.5})
    window = ("1919-07-01", "1920-01-01")
    assert (
        window_mean(base, "working_class_vs_1917", *window)
        < window_mean(rooted, "working_class_vs_1917", *window) - 0.05
    )


def test_only_workers_with_village_ties_go_back():
    _, cal, w, p, _ = prepare(
        extend(params={"hunger.urban_mortality": 0.0, "hunger.famine_mortality": 0.0}), 0, None
    )
    w.food.by_city = np.full(len(CITIES), 0.3)
    wk = w.workers
    tied, untied = wk.total(wk["ties"]), wk.total(~wk["ties"])
    for step in range(10):
        towns(w, p, Context(step, cal, Streams(0), Recorder(cal.n_steps)))
    assert wk.total(~wk["ties"]) == untied
    gone = tied - wk.total(wk["ties"])
    assert gone > 0
    assert w.ledger.flows[("return_to_village", "workers", "villagers")] == gone
