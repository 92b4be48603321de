"""thermidor under the EMA workbench: a Latin hypercube over two parameters, scalar outcomes and
a time series, with ``thermidor.simulate`` as the model's function.

    python -m examples.exploratory.ema          # from the repository's root; about a minute

EMA workbench (``pip install ema_workbench``) names its uncertainties as Python identifiers, so
the parameters take the ``__`` spelling of their dots (``parties__ban_readiness``; see
docs/lab.md). ``simulate`` returns an indicator's weekly series when an outcome is named after
the indicator, which is what a ``TimeSeriesOutcome`` asks for.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

import thermidor
from thermidor.model.params import BY_NAME

UNTIL = "1921-01-01"  # the essay's 1920 figures; a run to 1921 takes about half a second
SCALE = 10000  # persons per agent: coarse, as exploration needs many runs
EXPLORED = ("parties.ban_readiness", "consciousness.grievance_rate")
SCALARS = ("working_class_1920", "industrial_output_1920")
SERIES = ("workers_democracy",)


def model_function(seed: int = 0, **params: float) -> dict[str, Any]:
    """What EMA calls with each experiment's values (and the constants)."""
    return thermidor.simulate(
        seed=seed, until=UNTIL, scale=SCALE, outcomes=(*SCALARS, *SERIES), **params
    )


def build() -> Any:
    """The EMA ``Model``: each explored parameter over its documented range, the seed fixed."""
    from ema_workbench import Constant, Model, RealParameter, ScalarOutcome, TimeSeriesOutcome

    model = Model("thermidor", function=model_function)
    model.uncertainties = [
        RealParameter(name.replace(".", "__"), BY_NAME[name].lo, BY_NAME[name].hi)
        for name in EXPLORED
    ]
    model.constants = [Constant("seed", 0)]
    model.outcomes = [*(ScalarOutcome(n) for n in SCALARS), *(TimeSeriesOutcome(n) for n in SERIES)]
    return model


def explore(n: int = 16) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """``n`` experiments (a Latin hypercube, EMA's default sampler) run in this process."""
    from ema_workbench import SequentialEvaluator

    with SequentialEvaluator(build()) as evaluator:
        experiments, outcomes = evaluator.perform_experiments(scenarios=n)
    return experiments, outcomes


if __name__ == "__main__":
    experiments, outcomes = explore()
    table = experiments[[n.replace(".", "__") for n in EXPLORED]].copy()
    for name in SCALARS:
        table[name] = outcomes[name]
    table["workers_democracy_end"] = outcomes["workers_democracy"][:, -1]
    print(table.round(3).to_string(index=False))
