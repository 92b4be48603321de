"""The core's fused numba kernels (benchmarks/core_kernels.py) give the numpy core's bytes.

Both backends run the equivalence scenario side by side from the same seed; after every stage
of every step each population's columns must be equal byte for byte, so a difference is caught
in the stage that made it. The scenario spans a sowing, a harvest and the year's sales.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from benchmarks.core_spec import PARAMS, TEST, month_of

from benchmarks import core_numpy
from thermidor.engine import kernels

STAGES = (
    ("sow", lambda s, p, seed, t: core_numpy.sow(s, p)),
    ("harvest", lambda s, p, seed, t: core_numpy.harvest(s, p, seed, t)),
    ("market", lambda s, p, seed, t: core_numpy.market(s, p, t)),
    ("food", lambda s, p, seed, t: core_numpy.food(s, p)),
    ("support", lambda s, p, seed, t: core_numpy.support(s, p)),
    ("consciousness", lambda s, p, seed, t: core_numpy.consciousness(s, p)),
    ("employment", lambda s, p, seed, t: core_numpy.employment(s, p, seed, t)),
    ("party_signals", lambda s, p, seed, t: core_numpy.party_signals(s, p, t)),
    ("appointments", lambda s, p, seed, t: core_numpy.appointments(s, p, seed, t)),
    ("follow", lambda s, p, seed, t: core_numpy.follow(s, p, seed, t)),
    ("align", lambda s, p, seed, t: core_numpy.align(s, p)),
    ("elections", lambda s, p, seed, t: core_numpy.elections(s)),
)


def _same(a: core_numpy.CoreState, b: core_numpy.CoreState, where: str) -> None:
    for pa, pb in zip(a.populations, b.populations, strict=True):
        for col in pa.columns:
            x, y = pa[col], pb[col]
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), (
                f"{where}: {pa.name}.{col} differs in {int(np.sum(x != y))} agents"
            )
    assert a.signals == b.signals, where


@pytest.mark.parametrize("seed", [0, 11])
def test_every_stage_gives_the_numpy_bytes(seed: int, backend: None) -> None:
    p = PARAMS
    ref = core_numpy.build(TEST, seed, p)
    fused = copy.deepcopy(ref)
    for t in range(TEST.steps):
        _, month = month_of(p, t)
        for name, stage in STAGES:
            if (name == "sow" and month != p.sow_month) or (
                name == "harvest" and month != p.harvest_month
            ):
                continue
            kernels.use("numpy")
            stage(ref, p, seed, t)
            kernels.use("numba")
            stage(fused, p, seed, t)
            _same(ref, fused, f"step {t}, {name}")
        kernels.use("numpy")
        want = core_numpy.observe(ref)
        kernels.use("numba")
        assert core_numpy.observe(fused) == want


def test_the_step_order_is_the_cores(backend: None) -> None:
    # the stages above are those core_numpy.step runs, in its order: same rows either way
    p, seed = PARAMS, 5
    a, b = core_numpy.build(TEST, seed, p), core_numpy.build(TEST, seed, p)
    rows = []
    for t in range(TEST.steps):
        kernels.use("numba")
        rows.append(core_numpy.step(a, p, seed, t))
        _, month = month_of(p, t)
        for name, stage in STAGES:
            if (name == "sow" and month != p.sow_month) or (
                name == "harvest" and month != p.harvest_month
            ):
                continue
            stage(b, p, seed, t)
        assert core_numpy.observe(b) == rows[-1]
    _same(a, b, "end")
