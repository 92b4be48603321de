"""The EMA workbench example (examples/exploratory/ema.py): EMA's own Latin hypercube drives
``thermidor.simulate`` through the ``__`` spelling of parameters, and gets back both scalar
outcomes and a time series, the same numbers a direct call gives."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import numpy as np

import thermidor
from thermidor.model.params import BY_NAME

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:  # examples/ is not an installed package
    sys.path.insert(0, str(ROOT))
ema = importlib.import_module("examples.exploratory.ema")


def test_ema_workbench_explores_thermidor_with_scalars_and_a_time_series() -> None:
    experiments, outcomes = ema.explore(5)
    names = [n.replace(".", "__") for n in ema.EXPLORED]
    assert len(experiments) == 5
    for dotted, name in zip(ema.EXPLORED, names, strict=True):
        x = experiments[name].to_numpy()
        assert (BY_NAME[dotted].lo <= x).all() and (x <= BY_NAME[dotted].hi).all()
        assert np.unique(x).size == 5  # a Latin hypercube: every experiment its own value
    series = outcomes["workers_democracy"]
    assert series.shape[0] == 5 and series.shape[1] > 150 and np.isfinite(series).all()
    assert outcomes["working_class_1920"].shape == (5,)
    assert np.ptp(outcomes["working_class_1920"]) > 0  # the parameters move the outcome
    # what EMA got is what simulate gives for the same values
    first = {n: float(experiments[n].iloc[0]) for n in names}
    direct = thermidor.simulate(
        seed=0, until=ema.UNTIL, scale=ema.SCALE, outcomes=("workers_democracy",), **first
    )
    np.testing.assert_array_equal(direct["workers_democracy"], series[0])
