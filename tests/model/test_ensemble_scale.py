"""The ``ensemble`` scale (four times the default persons per agent, the soldiers but the default)
reproduces the default's.

The statistic: over the same 10 seeds of the baseline, 1917-1929, (a) the pass/fail of every
target in TARGETS.csv (pass: hit in at least 80% of the seeds) is the same at both scales but
for at most MAX_FLIPS targets, each of which has a hit rate within 0.25 of the other scale's; and
(b) the yearly means (over the seeds, then the year's recorded weeks) of the indicators below
agree within 10% of the default scale's value, or 0.03 in absolute terms for a share near zero.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

from thermidor import Result
from thermidor.cli.core import parse_scale
from thermidor.lab.ensemble import run_many, seeds_for
from thermidor.model.errors import ScenarioError
from thermidor.model.initial import DEFAULT_SCALES
from thermidor.model.run import resolve_scales
from thermidor.model.targets import score

SEEDS = 10
MAX_FLIPS = 2
INDICATORS = (
    "working_class", "industrial_output_vs_prewar", "grain_harvest_vs_prewar", "party_members",
    "old_bolshevik_share", "state_officials", "class_capacity", "workers_democracy",
    "food_supply", "mean_consciousness", "kulak_share", "bureaucratic_control",
)  # fmt: skip


def _yearly(results: list[Result], column: str) -> np.ndarray:
    with warnings.catch_warnings():  # weeks without a value (between harvests) stay NaN
        warnings.simplefilter("ignore", RuntimeWarning)
        x = np.nanmean([np.asarray(r.columns[column], dtype=float) for r in results], axis=0)
        years = results[0].dates.astype("datetime64[Y]").astype(int)
        return np.array([np.nanmean(x[years == y]) for y in np.unique(years)])


def test_the_ensemble_scale_is_four_times_the_default_and_a_bad_name_is_refused() -> None:
    four = {k: 2 * v for k, v in DEFAULT_SCALES.items()}
    assert resolve_scales("ensemble") == four | {"soldiers": DEFAULT_SCALES["soldiers"]}
    assert resolve_scales("default") == DEFAULT_SCALES
    assert parse_scale(["ensemble"]) == "ensemble"
    with pytest.raises(ScenarioError, match=r"scale: got 'coarse'"):
        resolve_scales("coarse")


@pytest.mark.slow
def test_the_ensemble_scale_reproduces_the_default_scales_targets_and_yearly_means() -> None:
    seeds = seeds_for(SEEDS, 0)  # one test: the 20 runs are made once, on two processes
    default = run_many("baseline", seeds, None, workers=2)
    ensemble = run_many("baseline", seeds, "ensemble", workers=2)
    a, b = score(default), score(ensemble)
    flips = [(x["id"], x["hit_rate"], y["hit_rate"]) for x, y in zip(a, b, strict=True)
             if x["passed"] != y["passed"]]  # fmt: skip
    print("flips", flips)
    assert len(flips) <= MAX_FLIPS, flips
    assert all(abs(ha - hb) <= 0.25 for _, ha, hb in flips), flips
    bad = []
    for column in INDICATORS:
        x, y = _yearly(default, column), _yearly(ensemble, column)
        ok = np.isnan(x) | (np.abs(y - x) <= np.maximum(0.10 * np.abs(x), 0.03))
        print(column, np.round(x, 3), np.round(y, 3))
        if not ok.all():
            bad.append((column, np.round(x, 3), np.round(y, 3)))
    assert not bad, bad
