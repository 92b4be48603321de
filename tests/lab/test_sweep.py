"""Parameter sweeps (lab/sweep.py, ``thermidor sweep``): designs, validation, the store."""

from __future__ import annotations

import csv
import io
import json

import numpy as np
import pytest

from tests.lab.conftest import cli, said
from thermidor.lab.errors import LabError
from thermidor.lab.store import Store
from thermidor.lab.sweep import by_point, design_points, grid, latin_hypercube, sweep
from thermidor.model.errors import ScenarioError
from thermidor.model.params import BY_NAME

UNTIL = "1917-08-01"
BAN = "factions.ban_readiness"
RATE = "consciousness.grievance_rate"
OUTS = ("horizon_year", "working_class_vs_1917_1917")


def test_a_grid_is_every_combination_the_first_parameter_slowest():
    pts = grid({"a": [1, 2], "b": [10, 20, 30]})
    assert pts == [{"a": a, "b": b} for a in (1, 2) for b in (10, 20, 30)]


def test_a_latin_hypercube_has_one_point_in_each_stratum_of_each_range_and_is_seeded():
    pts = latin_hypercube({"a": (0.0, 1.0), "b": (10.0, 20.0)}, 8, seed=3)
    assert len(pts) == 8
    for name, (lo, hi) in {"a": (0.0, 1.0), "b": (10.0, 20.0)}.items():
        strata = sorted(int((p[name] - lo) / (hi - lo) * 8) for p in pts)
        assert strata == list(range(8))
    assert latin_hypercube({"a": (0.0, 1.0)}, 5, seed=3) == latin_hypercube(
        {"a": (0.0, 1.0)}, 5, seed=3
    )
    assert latin_hypercube({"a": (0.0, 1.0)}, 5, seed=3) != latin_hypercube(
        {"a": (0.0, 1.0)}, 5, seed=4
    )


def test_an_lhs_parameter_without_a_range_takes_its_documented_range():
    pts = design_points({RATE: None}, "lhs", samples=20)
    p = BY_NAME[RATE]
    assert all(p.lo <= x[RATE] <= p.hi for x in pts)
    assert max(x[RATE] for x in pts) - min(x[RATE] for x in pts) > 0.8 * (p.hi - p.lo)


@pytest.mark.parametrize(
    ("params", "design", "samples", "says"),
    [
        ({"factions.ban_readines": [0.5]}, "grid", None, "sweep.factions.ban_readines: got"),
        ({BAN: [1.5]}, "grid", None, f"sweep.{BAN}: got 1.5"),
        ({BAN: (0.8, 0.2)}, "lhs", 4, "lo <= hi"),
        ({BAN: None}, "lhs", 1, "samples: got 1"),
        ({BAN: [0.5]}, "grid", 4, "only with design lhs"),
        ({}, "grid", None, "one parameter or more"),
        ({BAN: [0.5]}, "cube", None, "design: got 'cube'"),
    ],
)
def test_a_bad_design_is_refused_naming_what_is_wrong(params, design, samples, says):
    with pytest.raises(ScenarioError) as e:
        design_points(params, design, samples)
    assert says in str(e.value)


def test_sweep_runs_each_point_with_the_same_seeds_into_the_store_and_resumes(tmp_path):
    store = Store(tmp_path / "runs")
    values = {RATE: [0.2, 2.0]}
    frame = sweep(values, seeds=2, until=UNTIL, outcomes=OUTS, store=store)
    assert list(frame.columns) == ["point", RATE, "member", "seed", "key", *OUTS]
    assert len(frame) == 4 and frame["key"].nunique() == 4
    assert len(store.run_dirs()) == 4
    # the points share their seeds (common random numbers), and differ by the parameter
    a, b = (frame[frame.point == i] for i in (0, 1))
    assert list(a.seed) == list(b.seed)
    assert not np.allclose(a["working_class_vs_1917_1917"], b["working_class_vs_1917_1917"])
    # each run is the scenario with that value
    manifest = json.loads((store.path_of(a.key.iloc[0]) / "manifest.json").read_text())
    assert manifest["scenario"]["params"][RATE] == 0.2
    # again: nothing runs, the same frame comes back
    seen = []
    again = sweep(
        values, seeds=2, until=UNTIL, outcomes=OUTS, store=store,
        on_progress=lambda done, total, stored: seen.append((done, total, stored)),
    )  # fmt: skip
    assert seen[0] == (4, 4, 4)
    assert again.equals(frame)
    means = by_point(frame)
    assert list(means["runs"]) == [2, 2]
    assert means.loc[0, "horizon_year"] == pytest.approx(
        frame[frame.point == 0].horizon_year.mean()
    )


def test_the_cli_prints_a_table_csv_per_run_and_refuses_a_bad_spec(tmp_path):
    store = str(tmp_path / "runs")
    args = ["sweep", "-p", f"{RATE}=0.2:2.0:2", "--until", UNTIL, "--store", store]
    args += ["--outcome", ",".join(OUTS), "--workers", "1"]
    r = cli(*args, "--format", "csv", "--per-run", "--seeds", "2")
    assert r.exit_code == 0, r.output
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert len(rows) == 4 and {float(x[RATE]) for x in rows} == {0.2, 2.0}
    assert set(rows[0]) == {"point", RATE, "member", "seed", *OUTS}
    table = cli(*args, "--seeds", "2")
    assert table.exit_code == 0 and said(table.stdout, "one row per point (mean of 2 runs)")
    assert said(table.stderr, "4 runs in")
    for spec, says in [
        (f"{RATE}=a,b", f"param.{RATE}: got 'a'"),
        (f"{RATE}=1:2:1", "LO:HI:N with N a whole number >= 2"),
        (RATE, "NAME=V1,V2"),
    ]:
        bad = cli("sweep", "-p", spec, "--store", store)
        assert bad.exit_code == 2 and said(bad.output, says), bad.output
    lhs = cli(*args[:2], RATE, "--design", "lhs", "--samples", "1", "--store", store)
    assert lhs.exit_code == 2 and said(lhs.output, "samples: got 1")
    with pytest.raises(LabError):
        design_points({RATE: [0.1]}, "lhs")
