"""The core's fused numba kernels (benchmarks/core_kernels.py) compute the numpy core's stages.

The numpy core runs the equivalence scenario from a seed; before every stage of every step its
state is copied, the stage runs on the copy under the numba backend, and the two must agree:
integer and bool columns exactly, float columns to ``RTOL_COLUMNS`` (they are float32), the
scalar signals (float64 totals, summed in another order by the kernels) to ``RTOL_SIGNALS``. A
difference is caught in the stage that made it. The scenario spans a sowing, a harvest and the
year's sales.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest
from benchmarks.core_spec import PARAMS, TEST, month_of

import thermidor.engine.accel  # noqa: F401  (registers "numba")
from benchmarks import core_numpy
from thermidor.engine import using

RTOL_COLUMNS = 1e-6
RTOL_SIGNALS = 1e-9

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


def _close(a: core_numpy.CoreState, b: core_numpy.CoreState, where: str) -> None:
    for pa, pb in zip(a.populations, b.populations, strict=True):
        for col in pa.columns:
            x, y = pa[col], pb[col]
            assert x.dtype == y.dtype, f"{where}: {pa.name}.{col}"
            if x.dtype.kind == "f":
                np.testing.assert_allclose(y, x, rtol=RTOL_COLUMNS, atol=0, err_msg=where)
            else:
                n_diff = int(np.sum(x != y))
                assert n_diff == 0, f"{where}: {pa.name}.{col} differs in {n_diff} agents"
    assert a.signals.keys() == b.signals.keys(), where
    for k, v in a.signals.items():
        assert b.signals[k] == pytest.approx(v, rel=RTOL_SIGNALS, abs=1e-12), f"{where}: {k}"


def _same(a: core_numpy.CoreState, b: core_numpy.CoreState, where: str) -> None:
    for pa, pb in zip(a.populations, b.populations, strict=True):
        for col in pa.columns:
            x, y = pa[col], pb[col]
            assert x.dtype == y.dtype and x.tobytes() == y.tobytes(), (
                f"{where}: {pa.name}.{col} differs in {int(np.sum(x != y))} agents"
            )
    assert a.signals == b.signals, where


def _stages(p, t):  # type: ignore[no-untyped-def]
    _, month = month_of(p, t)
    for name, stage in STAGES:
        if (name == "sow" and month != p.sow_month) or (
            name == "harvest" and month != p.harvest_month
        ):
            continue
        yield name, stage


@pytest.mark.parametrize("seed", [0, 11])
def test_every_stage_agrees_with_the_numpy_core(seed: int) -> None:
    p = PARAMS
    ref = core_numpy.build(TEST, seed, p)
    ran = set()
    for t in range(TEST.steps):
        for name, stage in _stages(p, t):
            fused = copy.deepcopy(ref)
            stage(ref, p, seed, t)
            with using("numba"):
                stage(fused, p, seed, t)
            _close(ref, fused, f"step {t}, {name}")
            ran.add(name)
        want = core_numpy.observe(ref)
        with using("numba"):
            got = core_numpy.observe(fused)
        assert got == pytest.approx(want, rel=RTOL_SIGNALS, abs=1e-12)
    assert ran == {name for name, _ in STAGES}


def test_the_step_order_is_the_cores() -> None:
    # the stages above are those core_numpy.step runs, in its order: same bytes on one backend
    p, seed = PARAMS, 5
    a, b = core_numpy.build(TEST, seed, p), core_numpy.build(TEST, seed, p)
    with using("numba"):
        for t in range(TEST.steps):
            row = core_numpy.step(a, p, seed, t)
            for _, stage in _stages(p, t):
                stage(b, p, seed, t)
            assert core_numpy.observe(b) == row
    _same(a, b, "end")
