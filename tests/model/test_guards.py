"""Bounded runs: a memory estimate before the run, populations capped at a declared maximum,
a NaN or infinity in an indicator stops the run naming the indicator, mechanism and week."""

from __future__ import annotations

import math
from typing import Any

import pytest
from typer.testing import CliRunner

import thermidor
from thermidor.cli import app
from thermidor.engine import Context, Hook
from thermidor.model import guards
from thermidor.model.errors import RunError, ScenarioError
from thermidor.model.run import resolve_scales

COARSE = {"households": 5000, "workers": 1000, "soldiers": 2000, "members": 100, "officials": 1000}


class Poison(Hook):
    """Makes the workers' consciousness NaN after one mechanism of one week (a stand-in for a
    mechanism that divides by zero)."""

    def __init__(self, mechanism: str, step: int) -> None:
        self.mechanism, self.step = mechanism, step

    def after(self, name: str, ctx: Context, state: Any) -> None:
        if name == self.mechanism and ctx.step == self.step:
            state.workers["consciousness"][:] = math.nan


def test_a_nan_stops_the_run_naming_indicator_mechanism_and_week() -> None:
    with pytest.raises(RunError) as e:
        thermidor.run("baseline", 0, COARSE, until="1917-06-01", hooks=[Poison("M4 towns", 5)])
    msg = str(e.value)
    assert e.value.path.startswith("indicator.")  # the first indicator the NaN reaches
    assert "M4 towns" in msg and "1917-04-05" in msg, msg


def test_the_cli_says_it_in_one_line_and_writes_nothing(tmp_path, monkeypatch) -> None:
    monkeypatch.setattr(guards, "SPARSE", ())  # every indicator must be finite every week
    out = tmp_path / "run"
    result = CliRunner().invoke(app, ["run", "--until", "1917-06-01", "--out", str(out)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: indicator."), result.output
    assert not out.exists()


def test_a_population_past_its_maximum_stops_the_run() -> None:
    sc = {"extends": "baseline", "run": {"ranges": "hard"},
          "params": {"party.militant_recruitment": 1e7}}  # fmt: skip
    with pytest.raises(RunError, match=r"^population\.members: got") as e:
        thermidor.run(sc, 0, COARSE, until="1918-06-01")
    assert "ranges" in str(e.value)


def test_the_estimate_grows_with_finer_scales_and_is_about_right_by_default() -> None:
    default = guards.estimate(resolve_scales(None))
    assert guards.estimate(resolve_scales(1)) > 10 * default
    # a default run peaks at about 320 MB resident (AMD EPYC, numba): the estimate is above
    assert 320 * 2**20 < default < 1.5 * 2**30


def test_a_run_that_would_not_fit_is_refused_naming_both(monkeypatch) -> None:
    monkeypatch.setattr(guards, "available", lambda: 2 * 2**30)
    with pytest.raises(ScenarioError, match=r"GiB available") as e:
        thermidor.run("baseline", 0, 1, until="1917-03-15")
    assert "estimate" in str(e.value) and "--force" in str(e.value)
    with pytest.raises(ScenarioError, match=r"80 workers"):
        guards.check_memory(resolve_scales(None), workers=8 * 10)
    guards.check_memory(resolve_scales(1), force=True)  # forced: no refusal


def test_the_baseline_runs_under_the_guard() -> None:
    # an indicator that is NaN on some weeks by design must be in guards.SPARSE
    result = thermidor.run("baseline", 0, COARSE)
    assert len(result.dates) > 600
