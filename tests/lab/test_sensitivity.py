"""Sensitivity: Morris over every parameter, then grouped Sobol indices with the ranges narrowed
and widened, run at a toy budget so that the whole code path is exercised."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.lab.conftest import TINY, VERY_COARSE_ARGS, cli, said
from thermidor.lab.seeds import member_seed
from thermidor.lab.sensitivity import (
    CHANCE,
    RANGE_SETS,
    SETS,
    THRESHOLD_SETS,
    definitions,
    factors,
    seed_of,
)
from thermidor.lab.store import Store
from thermidor.model.params import PARAMS as ALL_PARAMS
from thermidor.model.params import validate_value

PARAMS = tuple(p for p in ALL_PARAMS if p.cls != "definition")  # definitions are held fixed


def test_ranges_are_frozen_from_the_schema_and_respect_hard_bounds() -> None:
    """Every parameter but the definitions (what an outcome means, M15) is a factor."""
    assert len(PARAMS) < len(ALL_PARAMS)
    documented = factors("documented")
    assert [f.name for f in documented] == [p.name for p in PARAMS] + [CHANCE]
    for p, f in zip(PARAMS, documented, strict=False):
        assert (f.lo, f.hi) == (p.lo, p.hi) and f.group == p.cls
    for ranges in RANGE_SETS:
        for p, f in zip(PARAMS, factors(ranges), strict=False):
            validate_value(p.name, f.lo, hard=ranges == "widened")
            validate_value(p.name, f.hi, hard=ranges == "widened")
    narrow = {f.name: f for f in factors("narrowed")}
    wide = {f.name: f for f in factors("widened")}
    for p in PARAMS:
        assert narrow[p.name].hi - narrow[p.name].lo <= (p.hi - p.lo) / 2 + 1e-9
        # widened: up to half as far again above the default, stopping at the hard bound
        assert wide[p.name].hi == pytest.approx(
            min(p.hard_hi, p.default + 1.5 * (p.hi - p.default))
        )
    assert sum(wide[p.name].hi > p.hi for p in PARAMS) > len(PARAMS) // 2
    assert factors("documented")[-1].group == "chance"


def test_the_thresholds_sets_move_every_definition_to_its_declared_alternatives() -> None:
    """Robustness to what the outcome means: the documented ranges, with each definition that
    declares alternatives at its lower (then higher) one, every value the model accepts."""
    defs = [p for p in ALL_PARAMS if p.cls == "definition"]
    assert {"bureaucracy.control_threshold", "bureaucracy.cohesion_threshold"} <= {
        p.name for p in defs if p.alternatives
    }
    low, high = (definitions(r) for r in THRESHOLD_SETS)
    assert set(low) == set(high) == {p.name for p in defs if p.alternatives}
    for p in defs:
        if p.alternatives:
            assert low[p.name] < p.default < high[p.name]
            validate_value(p.name, low[p.name])
            validate_value(p.name, high[p.name])
    assert definitions("documented") == {} and factors("thresholds_low") == factors("documented")


def test_chance_maps_to_member_seeds() -> None:
    assert seed_of(0.0, 5) == member_seed(5, 0)
    assert seed_of(0.5, 5) == member_seed(5, 2048)
    assert seed_of(1.0, 5) == member_seed(5, 4095)


def test_a_toy_sensitivity_analysis_runs_end_to_end(tmp_path: Path) -> None:
    doc = tmp_path / "sensitivity.md"
    r = cli(
        "sensitivity",
        "--budget",
        "2",
        "--trajectories",
        "2",
        "--outcomes",
        "workers_democracy_1917,mean_consciousness_1917",
        "--outcomes",
        "consolidated",
        "--until",
        TINY,
        *VERY_COARSE_ARGS,
        "--workers",
        "2",
        "--write-docs",
        str(doc),
        "--json",
        "--store",
        str(tmp_path / "runs"),
    )
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)  # the data alone: what was saved is said on stderr
    assert said(r.stderr, f"saved as {out['analysis']}") and said(r.stderr, f"wrote {doc}")
    n = len(PARAMS) + 1
    assert out["runs"]["morris"] == 2 * (n + 1)
    assert out["runs"]["sobol_documented"] == out["runs"]["sobol_narrowed"] == 2 * 5
    assert out["runs"]["sobol_thresholds_low"] == out["runs"]["sobol_thresholds_high"] == 2 * 5
    rows = out["indices"]
    sobol = {(x["ranges"], x["outcome"], x["factor"]) for x in rows if x["method"] == "sobol"}
    for ranges in SETS:
        for group in ("structural", "political", "chance"):
            assert (ranges, "mean_consciousness_1917", group) in sobol
    morris = [
        x for x in rows if x["method"] == "morris" and x["outcome"] == "mean_consciousness_1917"
    ]
    assert len(morris) == n
    assert any("consolidated: the same in every run" in note for note in out["notes"])
    saved = Store(tmp_path / "runs").analysis("sensitivity", out["analysis"])
    assert len(saved) == len(rows) and set(saved["budget"]) == {2}
    text = doc.read_text()
    assert "## Sample budget" in text and f"{2 * (n + 1)} runs" in text
    assert "| ST structural |" in text and "| narrowed | 2 |" in text and "| widened |" in text
    assert "| thresholds high | 2 |" in text and "`bureaucracy.control_threshold` 0.7 / 0.9" in text


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--budget", "3"], "budget: got 3"),
        (["--trajectories", "1"], "trajectories: got 1"),
        (["--robust-budget", "3"], "robust_budget: got 3"),
        (["--figure", "x.jpg"], "figure: got"),
        (["--outcomes", "nonsense"], "outcome: got 'nonsense'"),
        (["--scenario", "nosuch"], "scenario: got 'nosuch'"),
    ],
)
def test_sensitivity_rejects_bad_input(args: list[str], says: str, tmp_path: Path) -> None:
    r = cli("sensitivity", *args, "--store", str(tmp_path / "runs"))
    assert r.exit_code == 2 and said(r.output, says)
    assert not (tmp_path / "runs").exists()


class _Interrupted(Exception):
    pass


class _Stops:
    """A serial executor that is 'killed' after ``after`` evaluations, and counts what it ran."""

    name = "serial"
    workers = 1

    def __init__(self, after: int | None = None) -> None:
        self.after, self.ran = after, 0

    def map_unordered(self, fn, items):  # type: ignore[no-untyped-def]
        for i, item in enumerate(items):
            if self.after is not None and self.ran == self.after:
                raise _Interrupted
            self.ran += 1
            yield i, fn(item)


def test_an_interrupted_analysis_resumes_without_running_anything_twice(tmp_path: Path) -> None:
    from tests.support import COARSE
    from thermidor.lab.sensitivity import sensitivity

    store = Store(tmp_path / "runs")
    kw = {
        "budget": 2, "trajectories": 2, "outcomes": ["mean_consciousness_1917"],
        "until": TINY, "scale": {k: 20 * v for k, v in COARSE.items()}, "store": store,
    }  # fmt: skip
    first = _Stops(after=100)
    with pytest.raises(_Interrupted):
        sensitivity(executor=first, **kw)  # type: ignore[arg-type]
    logs = list((tmp_path / "runs" / "checkpoints").glob("*.jsonl"))
    assert len(logs) == 1 and len(logs[0].read_text().splitlines()) == 100
    with logs[0].open("a") as f:
        f.write('{"i": 7, "y": [0.')  # a line cut short by the kill: ignored, the point reruns
    second = _Stops()
    resumed = sensitivity(executor=second, **kw)  # type: ignore[arg-type]
    assert second.ran == sum(resumed.runs.values()) - 100
    assert not logs[0].exists()
    fresh = sensitivity(executor=_Stops(), **{**kw, "store": None})  # type: ignore[arg-type]
    # the same indices (their bootstrap confidence intervals are resampled afresh each time)
    point = [c for c in fresh.frame.columns if not c.endswith("_conf")]
    assert resumed.frame[point].equals(fresh.frame[point])


def test_a_committed_journal_resumes_elsewhere_and_is_checked_under_other_code(
    tmp_path: Path,
) -> None:
    """``evaluations``: a journal kept beside the project. A second analysis (another store, so
    another machine or session) reuses it whole; a journal whose header names other code is
    reused only after two of its evaluations run again equal, and refused when they differ; a
    journal of another design is refused unless ``force``. The documented set's indices are also
    given on each power-of-two prefix of its sample (the convergence rows)."""
    from tests.support import COARSE
    from thermidor.lab.errors import LabError
    from thermidor.lab.sensitivity import VERIFY, sensitivity

    journal = tmp_path / "sobol.jsonl"
    kw = {
        "budget": 16, "trajectories": 0, "robust_budget": 2,
        "outcomes": ["mean_consciousness_1917"], "until": TINY,
        "scale": {k: 20 * v for k, v in COARSE.items()}, "evaluations": journal,
    }  # fmt: skip
    first = _Stops()
    a = sensitivity(executor=first, store=Store(tmp_path / "a"), **kw)  # type: ignore[arg-type]
    assert a.runs == {"morris": 0, "sobol_documented": 80, "sobol_narrowed": 10,
                      "sobol_widened": 10, "sobol_thresholds_low": 10,
                      "sobol_thresholds_high": 10}  # fmt: skip
    assert first.ran == 120 and len(journal.read_text().splitlines()) == 121  # header + runs
    conv = a.frame[a.frame.method == "convergence"]
    assert sorted(set(conv.base)) == [8, 16] and set(conv.factor) == {
        "structural", "political", "chance"
    }  # fmt: skip
    full = a.frame[(a.frame.method == "sobol") & (a.frame.ranges == "documented")]
    at16 = conv[conv.base == 16].set_index("factor")
    assert full.set_index("factor").st.to_dict() == at16.st.to_dict()  # the whole sample
    second = _Stops()
    b = sensitivity(executor=second, store=Store(tmp_path / "b"), **kw)  # type: ignore[arg-type]
    assert second.ran == 0 and b.frame[["st"]].equals(a.frame[["st"]])

    lines = journal.read_text().splitlines()
    head = json.loads(lines[0])
    journal.write_text("\n".join([json.dumps({**head, "source_hash": "0" * 16}), *lines[1:]]))
    third = _Stops()
    c = sensitivity(executor=third, store=Store(tmp_path / "c"), **kw)  # type: ignore[arg-type]
    assert third.ran == VERIFY and any("ran again" in n for n in c.notes)

    rec = json.loads(lines[1])
    bad = json.dumps({"i": rec["i"], "y": [v + 1 for v in rec["y"]]})
    journal.write_text("\n".join([json.dumps({**head, "source_hash": "0" * 16}), bad, *lines[2:]]))
    with pytest.raises(LabError, match="the model's behaviour changed"):
        sensitivity(executor=_Stops(), store=Store(tmp_path / "d"), **kw)  # type: ignore[arg-type]
    with pytest.raises(LabError, match="a journal of this analysis's design"):
        sensitivity(executor=_Stops(), **{**kw, "budget": 8})  # type: ignore[arg-type]
    fresh = _Stops()
    sensitivity(executor=fresh, **{**kw, "budget": 8, "force": True})  # type: ignore[arg-type]
    assert fresh.ran == 80 and json.loads(journal.read_text().splitlines()[0])["budget"] == 8


def test_a_partial_analysis_gives_the_indices_of_the_complete_prefix(tmp_path: Path) -> None:
    """``partial``: between the sittings of an analysis too large for one, the journal's
    evaluations give each set's indices at the longest power-of-two prefix of its sample that is
    complete; those are the indices a whole analysis of that base sample gives (a Sobol' sample
    of base n is the first n points of a larger one). Nothing runs; a set not begun is left out."""
    from tests.support import COARSE
    from thermidor.lab.sensitivity import sensitivity, to_markdown

    journal = tmp_path / "sobol.jsonl"
    kw = {
        "budget": 16, "trajectories": 0, "robust_budget": 2,
        "outcomes": ["mean_consciousness_1917"], "until": TINY,
        "scale": {k: 20 * v for k, v in COARSE.items()},
    }  # fmt: skip
    with pytest.raises(_Interrupted):  # 9 of the 16 base points (5 runs each), a tenth begun
        sensitivity(executor=_Stops(after=47), evaluations=journal, **kw)  # type: ignore[arg-type]
    store = Store(tmp_path / "runs")
    idle = _Stops(after=0)
    part = sensitivity(executor=idle, evaluations=journal, partial=True, store=store, **kw)  # type: ignore[arg-type]
    assert idle.ran == 0 and part.made == 47
    doc = part.frame[(part.frame.method == "sobol") & (part.frame.ranges == "documented")]
    assert set(doc.base) == {8}
    assert sorted(set(part.frame[part.frame.method == "convergence"].base)) == [8]
    assert set(part.frame.ranges) == {"documented"}
    assert sum("left out" in n for n in part.notes) == 4  # narrowed, widened, thresholds ×2
    whole = sensitivity(executor=_Stops(), **{**kw, "budget": 8})  # type: ignore[arg-type]
    ref = whole.frame[(whole.frame.method == "sobol") & (whole.frame.ranges == "documented")]
    assert doc.set_index("factor")[["s1", "st"]].equals(ref.set_index("factor")[["s1", "st"]])
    text = to_markdown(part)
    assert "**partial**" in text and "when 47 of 120 were made" in text
    assert "| documented | 8 |" in text
    assert "sensitivity" not in store.tables()  # not saved: the analysis is not done


def test_the_cli_writes_the_convergence_figure_and_table(tmp_path: Path) -> None:
    fig, doc = tmp_path / "convergence.svg", tmp_path / "sensitivity.md"
    args = ["sensitivity", "--budget", "8", "--robust-budget", "2", "--trajectories", "0",
            "--outcomes", "mean_consciousness_1917", "--until", TINY, *VERY_COARSE_ARGS,
            "--figure", str(fig), "--write-docs", str(doc), "--evaluations",
            str(tmp_path / "j.jsonl"), "--store", str(tmp_path / "runs"), "--json"]  # fmt: skip
    r = cli(*args)
    assert r.exit_code == 0, r.output
    assert fig.read_bytes().startswith(b"<?xml") and b"base sample" in fig.read_bytes()
    text = doc.read_text()
    assert "Morris screening: none" in text and "| n = 8 |" in text and "--robust-budget 2" in text
    again = cli(*args)  # the figure is the user's now
    assert again.exit_code == 2 and said(again.output, "figure: got")


def test_a_point_whose_run_cannot_go_on_is_named_in_the_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # the guard's own error (model/guards.py), raised in place of a 20-second run at a corner of
    # the ranges: the analysis stops with it, and the error now says which point to run again
    import thermidor.lab.sensitivity as sens
    from thermidor.model.errors import RunError
    from thermidor.model.scenario import load

    def stopped(*_: object) -> None:
        raise RunError("population.soldiers", "200,650 agents after M4 army", "at most 200,000")

    monkeypatch.setattr(sens, "run", stopped)
    point = sens.Point(
        load("baseline"), {}, {"war.kronstadt_rotation": 0.25}, 1234, ("consolidated",)
    )
    with pytest.raises(RunError, match=r"M4 army.*seed 1234: war.kronstadt_rotation=0.25\)$"):
        sens.evaluate(point)
