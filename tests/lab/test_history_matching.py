"""History matching: a toy fit (two waves of eight points, one seed each, four parameters whose
targets fall before mid-1918, the coarse scale), resumed after a kill and run again; the
implausibility and the region's rules on their own."""

from __future__ import annotations

import json
import math
import shlex
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from tests.lab.conftest import COARSE, SCALE_ARGS, cli, said
from thermidor.lab.errors import LabError
from thermidor.lab.fit_docs import BEGIN, END, splice
from thermidor.lab.history_matching import evaluate, history_match, next_box
from thermidor.lab.implausibility import implausibility, measure_of
from thermidor.lab.store import Store
from thermidor.lab.uncertainty import read_posterior
from thermidor.model.params import BY_NAME
from thermidor.model.targets import calibrated_by, load_targets

UNTIL = "1918-06-30"  # T27 (1917-09), T28 (1917-11), T30 (1918-03), T09 (1918-06)
PARAMS = [
    "consciousness.grievance_rate",  # T27: the Petrograd soviet won over
    "insurrection.soviet_support",  # T28: the insurrection
    "brest.war_appeal",  # T30: the vote at the 7th Congress
    "parties.ban_readiness",  # T09: the Mensheviks lose legality
]
TOY: dict[str, Any] = {"waves": 2, "points": 8, "seeds": 1, "measure": "max"}
TARGETS = {t.id: t for t in load_targets()}
EMERGENT = sorted(t for t in TARGETS if not calibrated_by(t))[0]


def toy_args(tmp: Path, *more: str) -> list[str]:
    return [
        "calibrate", "--method", "history-matching", "--params", ",".join(PARAMS),
        *[a for k, v in TOY.items() for a in (f"--{k}", str(v))],
        "--until", UNTIL, *SCALE_ARGS, "--check-seeds", "1", "--store", str(tmp / "runs"),
        *more,
    ]  # fmt: skip


def timeless(waves: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The waves' diagnostics but the time they took."""
    return [{k: v for k, v in w.items() if k != "wall_time_s"} for w in waves]


@pytest.fixture(scope="module")
def toy(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("hm")
    (tmp / "calibration.md").write_text(
        f"# Calibration\n\nby hand\n\n{BEGIN}\nstale table\n{END}\nend\n"
    )
    r = cli(*toy_args(tmp, "--posterior-out", str(tmp / "posterior.parquet"),
                      "--diagnostics-out", str(tmp / "diagnostics.json"),
                      "--write-docs", str(tmp / "calibration.md"), "--json"))  # fmt: skip
    assert r.exit_code == 0, r.output
    return tmp, json.loads(r.stdout)


def test_the_toy_fit_narrows_the_region_of_an_informative_target(
    toy: tuple[Path, dict[str, Any]],
) -> None:
    tmp, d = toy
    assert d["config"]["params"] == PARAMS
    assert set(d["config"]["targets"]) == {"T09", "T27", "T28", "T30"}
    assert all(calibrated_by(t) for t in d["config"]["targets"])  # never an emergent one
    assert d["notes"] == []  # every parameter has a fitted target; every wave kept a point
    # the emergent targets within the runs are scored, never fitted: the validation
    emergent = {c["id"] for c in d["emergent"]}
    assert emergent and not emergent & set(d["config"]["targets"])
    assert {c["stage"] for c in d["emergent"]} == {"before", "predictive"}
    one, two = d["waves"]
    assert (one["points"], one["runs"], d["evaluated"], d["reused"]) == (8, 8, 16, 0)
    # the second wave samples a region narrower than the documented range where the target
    # is informative (the soviet won over: the rate of growth of consciousness) ...
    lo, hi = two["box"]["consciousness.grievance_rate"]
    assert hi - lo <= 0.5 * (BY_NAME["consciousness.grievance_rate"].hi - 0.0)
    # ... and its points are less implausible there than the first wave's
    for tid in ("T27", "T28"):
        assert two["targets"][tid]["median_before"] < one["targets"][tid]["median_before"]
    assert all(w["targets"][t]["max_after"] <= 3 for w in d["waves"] for t in w["targets"])
    # the posterior: 500 draws of the last wave's kept points, inside its box
    post = read_posterior(tmp / "posterior.parquet")
    assert post.rows == 500 and post.names == tuple(PARAMS)
    assert post.weights.sum() == pytest.approx(1.0)
    for j, p in enumerate(PARAMS):
        lo, hi = two["box"][p]
        assert (lo <= post.values[:, j]).all() and (post.values[:, j] <= hi).all()
    distinct = len(np.unique(post.values, axis=0))
    assert distinct == two["kept"] == d["posterior"]["distinct"]
    assert d["posterior"]["effective_size"] <= distinct
    # the diagnostics as JSON, and as markdown in the marked section of the page
    assert json.loads((tmp / "diagnostics.json").read_text())["waves"] == d["waves"]
    page = (tmp / "calibration.md").read_text()
    assert page.startswith("# Calibration\n\nby hand\n\n") and page.endswith(f"{END}\nend\n")
    assert "stale table" not in page and "| T27 |" in page and d["command"] in page
    store = Store(tmp / "runs")
    assert {"hm_points", "hm_outcomes", "hm_fits", "posterior"} <= set(store.tables())
    assert len(store.analysis("hm_outcomes", d["analysis"])) == 16 * 4
    store.db.unlink()
    store.rebuild()  # the waves are in the files too
    assert len(store.analysis("hm_points", d["analysis"])) == 16 * len(PARAMS)


def test_the_recorded_command_again_runs_nothing_and_gives_the_same_posterior(
    toy: tuple[Path, dict[str, Any]],
) -> None:
    tmp, d = toy
    stored = len(Store(tmp / "runs").runs())
    recorded = shlex.split(d["command"])
    assert recorded[:2] == ["thermidor", "calibrate"]
    out = ["--store", str(tmp / "runs"), "--posterior-out", str(tmp / "again.parquet"), "--json"]
    r = cli(*recorded[1:], *out)
    assert r.exit_code == 0, r.output
    again = json.loads(r.stdout)
    assert (again["evaluated"], again["reused"]) == (0, 16)
    assert len(Store(tmp / "runs").runs()) == stored  # the checks were not run again either
    assert timeless(again["waves"]) == timeless(d["waves"]) and again["analysis"] == d["analysis"]
    assert all(w["wall_time_s"] == 0 for w in again["waves"])  # read back, not run
    a = pd.read_parquet(tmp / "posterior.parquet")
    b = pd.read_parquet(tmp / "again.parquet")
    assert a.equals(b)


class _Killed(Exception):
    pass


class _Counts:
    """A serial executor that counts the fit's evaluations and dies after ``after`` of them."""

    name = "serial"
    workers = 1

    def __init__(self, after: int | None = None) -> None:
        self.after, self.ran = after, 0

    def map_unordered(
        self, fn: Callable[[Any], Any], items: Sequence[Any]
    ) -> Iterator[tuple[int, Any]]:
        for i, item in enumerate(items):
            if fn is evaluate:
                if self.after is not None and self.ran == self.after:
                    raise _Killed
                self.ran += 1
            yield i, fn(item)


def test_a_killed_fit_resumes_without_running_a_point_twice(
    tmp_path: Path, toy: tuple[Path, dict[str, Any]]
) -> None:
    _, d = toy
    store = Store(tmp_path / "runs")
    kw: dict[str, Any] = {**TOY, "until": UNTIL, "scale": COARSE, "check_seeds": 1, "store": store}
    with pytest.raises(_Killed):
        history_match(PARAMS, executor=_Counts(after=11), **kw)  # type: ignore[arg-type]
    # wave 1 is committed to the store; three runs of wave 2 are in its journal
    assert len(store.analysis("hm_outcomes")) == 8 * 4
    (log,) = (tmp_path / "runs" / "checkpoints").glob("hm-*-w2.jsonl")
    assert len(log.read_text().splitlines()) == 3
    with log.open("a") as f:
        f.write('{"i": 5, "y": [0.')  # a line cut short by the kill: that run is made again
    second = _Counts()
    m = history_match(PARAMS, executor=second, **kw)  # type: ignore[arg-type]
    assert second.ran == m.evaluated == 16 - 11 and m.reused == 11
    assert not log.exists()
    assert m.analysis == d["analysis"]
    assert timeless(m.diagnostics()["waves"]) == timeless(d["waves"])


def test_implausibility_reads_each_kind_of_target() -> None:
    t01 = TARGETS["T01"]  # a value: 0.43 ± 0.05
    assert implausibility(t01, np.array([0.43])) == 0
    assert implausibility(t01, np.array([0.58])) == pytest.approx(3.0)
    assert implausibility(t01, np.array([0.58]), discrepancy=1.0) == pytest.approx(3 / math.sqrt(2))
    spread = implausibility(t01, np.array([0.48, 0.68]))  # the seeds' spread counts
    assert spread < implausibility(t01, np.array([0.58, 0.58]))
    assert implausibility(t01, np.array([0.43, math.nan])) == math.inf
    o2 = TARGETS["O2"]  # an order: 1 when given
    assert implausibility(o2, np.array([1.0])) == 0 and implausibility(o2, np.array([0.0])) > 3
    t29 = TARGETS["T29"]  # exactly two: no tolerance
    assert implausibility(t29, np.array([2.0])) == 0
    assert implausibility(t29, np.array([3.0])) == math.inf
    imp = np.array([[1.0, 4.0, 2.0], [5.0, 6.0, 0.0]])
    assert measure_of(imp, "max").tolist() == [4.0, 6.0]
    assert measure_of(imp, "second").tolist() == [2.0, 5.0]


def test_the_next_region_holds_the_kept_points_inside_the_last() -> None:
    box = [(0.0, 10.0), (0.0, 1.0)]
    kept = np.array([[2.0, 0.05], [3.0, 0.5]])
    assert next_box(box, kept, 10) == [(1.0, 4.0), (0.0, 0.6)]


def test_the_docs_section_replaces_only_what_lies_between_the_markers() -> None:
    page = f"intro\n{BEGIN}\nold table\n{END}\n\nafter\n"
    assert splice(page, "new\n") == f"intro\n{BEGIN}\nnew\n{END}\nafter\n"
    assert splice(None, "new\n") == f"{BEGIN}\nnew\n{END}\n"
    with pytest.raises(LabError, match="markers"):
        splice("a page of someone's own\n", "new\n")


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--waves", "0"], "waves: got 0"),
        (["--measure", "mean"], "one of max, second"),
        (["--profile", "1"], "0 (no profiles) or a whole number >= 2"),
        (["--populations", "8"], "an option of --method abc only"),
        (["--target", EMERGENT], "emergent targets are never fitted"),
        (["--params", "consciousness.grievance_rat"], "did you mean"),
    ],
)
def test_history_matching_rejects_bad_input(args: list[str], says: str, tmp_path: Path) -> None:
    base = ["calibrate", "--method", "history-matching", "--until", UNTIL, *SCALE_ARGS]
    r = cli(*base, *args, "--store", str(tmp_path / "runs"))
    assert r.exit_code == 2 and said(r.output, says), r.output
    assert not (tmp_path / "runs" / "analyses").exists()


def test_abc_refuses_the_options_of_history_matching_and_docs_need_the_markers(
    tmp_path: Path,
) -> None:
    r = cli("calibrate", "--params", PARAMS[0], "--waves", "2", "--store", str(tmp_path))
    assert r.exit_code == 2 and said(r.output, "an option of --method history-matching only")
    (tmp_path / "mine.md").write_text("my own page\n")
    r = cli(*toy_args(tmp_path, "--write-docs", str(tmp_path / "mine.md")))
    assert r.exit_code == 2 and said(r.output, "markers"), r.output
    assert (tmp_path / "mine.md").read_text() == "my own page\n"
    assert not (tmp_path / "runs").exists()


def test_a_worker_running_other_code_refuses_to_evaluate() -> None:
    from thermidor.lab.history_matching import Evaluation
    from thermidor.lab.horizon import with_horizon

    e = Evaluation(
        with_horizon("baseline", "1917-03-15"), COARSE, {}, 0, (TARGETS["T27"],), "0" * 16
    )
    with pytest.raises(LabError, match="this worker runs other code"):
        evaluate(e)


def test_a_run_stopped_by_a_guard_rules_its_point_out_and_the_fit_goes_on() -> None:
    """A point whose run passes a population's maximum (here: recruitment of millions a week,
    past its range under ``ranges = "hard"``) gives NaN for every target, which is infinitely
    implausible, instead of stopping the whole fit (it did, in wave 2 of a 4-wave fit)."""
    from thermidor.lab.history_matching import Evaluation
    from thermidor.lab.horizon import with_horizon
    from thermidor.model.run import source_hash
    from thermidor.model.scenario import load

    sc = with_horizon(load({"extends": "baseline", "run": {"ranges": "hard"}}), "1918-06-01")
    targets = (TARGETS["T27"], TARGETS["T28"])
    bad = Evaluation(sc, COARSE, {"party.militant_recruitment": 1e7}, 0, targets, source_hash())
    out = evaluate(bad)
    assert len(out) == 2 and all(math.isnan(v) for v in out)
    assert implausibility(TARGETS["T27"], np.array(out)) == math.inf
    fine = Evaluation(sc, COARSE, {}, 0, targets, source_hash())
    assert not all(math.isnan(v) for v in evaluate(fine))  # the guard, not the horizon, did it


@pytest.mark.parametrize("columns", [60, 80])
def test_the_fit_tables_fit_the_width(
    toy: tuple[Path, dict[str, Any]],
    columns: int,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from thermidor.cli.calibrate import history_matching_sheets
    from thermidor.cli.tables import show, size

    monkeypatch.setenv("COLUMNS", str(columns))
    show(history_matching_sheets(toy[1]), "plain")
    out = capsys.readouterr().out
    assert all(size(line) <= columns for line in out.splitlines()) and "…" not in out
    assert "consciousness.grievance_rate" in out and "T27" in out


def test_the_profiles_box_reaches_the_nearest_ruled_out_value_each_side_of_the_default() -> None:
    from thermidor.lab.history_matching import profile_box, profile_points

    names = ["parties.ban_readiness", "insurrection.soviet_support"]
    x = profile_points(names, 5)
    defaults = [BY_NAME[p].default for p in names]
    assert x.shape == (11, 2) and list(x[0]) == defaults
    # each parameter alone moves, over its whole range; the other stays at its default
    for j, p in enumerate(names):
        rows = x[1 + 5 * j : 6 + 5 * j]
        assert list(rows[:, j]) == list(np.linspace(BY_NAME[p].lo, BY_NAME[p].hi, 5))
        assert (rows[:, 1 - j] == defaults[1 - j]).all()
    kept = np.ones(11, dtype=bool)
    assert profile_box(names, kept, 5) == [(BY_NAME[p].lo, BY_NAME[p].hi) for p in names]
    kept[[1, 5]] = False  # the first parameter ruled out at both ends of its range
    grid = np.linspace(BY_NAME[names[0]].lo, BY_NAME[names[0]].hi, 5)
    assert grid[0] < defaults[0] < grid[4]
    assert profile_box(names, kept, 5)[0] == (grid[0], grid[4])
    kept[0] = False  # the defaults ruled out: no box from the profiles
    assert profile_box(names, kept, 5) is None


def test_a_fit_with_profiles_runs_wave_0_around_the_defaults_then_samples_its_box(
    tmp_path: Path,
) -> None:
    kw: dict[str, Any] = dict(waves=1, points=4, seeds=1, measure="max", until=UNTIL,
                              scale=COARSE, check_seeds=1, store=Store(tmp_path / "runs"))  # fmt: skip
    m = history_match(PARAMS, profile=3, **kw)
    zero, one = m.waves
    assert (zero.index, zero.x.shape[0], one.x.shape[0]) == (0, 1 + 3 * len(PARAMS), 4)
    d = m.diagnostics()
    assert d["waves"][0]["kind"] == "profiles" and d["waves"][1]["kind"] == "hypercube"
    assert "--profile 3" in d["command"] and m.evaluated == 1 + 3 * len(PARAMS) + 4
    for j, (lo, hi) in enumerate(one.box):  # wave 1 samples inside the profiles' box
        assert (lo <= one.x[:, j]).all() and (one.x[:, j] <= hi).all()
    again = history_match(PARAMS, profile=3, **kw)  # resumed from the store: nothing runs
    assert again.evaluated == 0 and again.analysis == m.analysis
    assert history_match(PARAMS, **{**kw, "waves": 1}).analysis != m.analysis
