"""``thermidor report``: from a run directory, an ensemble or a comparison, to one HTML file."""

from __future__ import annotations

from pathlib import Path

from report_support import Page
from typer.testing import CliRunner

from thermidor.cli import app
from thermidor.lab.store import Store
from thermidor.model.result import Result
from thermidor.report.check import external_references

runner = CliRunner()
SHORT = """extends = "baseline"
[meta]
title = "{title}"
[run]
end = 1917-12-01
{extra}
"""


def scenario(tmp: Path, name: str, extra: str = "") -> str:
    path = tmp / f"{name}.toml"
    path.write_text(SHORT.format(title=name.replace("_", " "), extra=extra))
    return str(path)


def test_report_of_a_run_directory(run0: Result, tmp_path: Path) -> None:
    run_dir = run0.write(tmp_path / "runs" / "baseline" / "seed-0")
    out = tmp_path / "report.html"
    res = runner.invoke(app, ["report", str(run_dir), "-o", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    assert external_references(html) == []
    assert "Run: baseline (seed 0)" in html
    assert {"chronology", "targets", "fig-classes"} <= Page(html).ids
    # what was written is a message (stderr), not the command's output; -q silences it
    assert res.stdout == "" and f"wrote {out}" in " ".join(res.stderr.split())
    assert "MB, 1 run)" in res.stderr
    hushed = runner.invoke(app, ["-q", "report", str(run_dir), "-o", str(tmp_path / "q.html")])
    assert hushed.exit_code == 0 and hushed.stdout == hushed.stderr == ""
    assert "Run: baseline (seed 0)" in (tmp_path / "q.html").read_text()


def test_compare_runs_each_scenario_once_and_keeps_the_runs_in_the_store(tmp_path: Path) -> None:
    base = scenario(tmp_path, "short_base")
    alt = scenario(tmp_path, "short_alt", '[force]\nmensheviks_lose_legality = "never"')
    store = tmp_path / "store"
    out = tmp_path / "compare.html"
    args = ["report", "--compare", base, alt, "--seeds", "2", "--scale", "20000",
            "--workers", "1", "--store", str(store), "-o", str(out)]  # fmt: skip
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    html = out.read_text()
    assert external_references(html) == []
    assert "Comparison: short base vs short alt" in html
    assert "force.mensheviks_lose_legality = &#x27;never&#x27;" in html
    assert "mensheviks_lose_legality" in html and "How often each event happened" in html
    assert len(Store(store).run_dirs()) == 4
    # a second report finds its runs in the store
    before = {p: p.stat().st_mtime for p in Store(store).run_dirs()}
    res = runner.invoke(app, [*args[:-1], str(tmp_path / "again.html")])
    assert res.exit_code == 0, res.output
    assert {p: p.stat().st_mtime for p in Store(store).run_dirs()} == before


def test_an_ensemble_report(tmp_path: Path) -> None:
    out = tmp_path / "ensemble.html"
    res = runner.invoke(app, ["report", "--ensemble", scenario(tmp_path, "short"), "--seeds", "2",
                              "--scale", "20000", "--workers", "1", "--store",
                              str(tmp_path / "store"), "-o", str(out)])  # fmt: skip
    assert res.exit_code == 0, res.output
    html = out.read_text()
    assert "Ensemble: short (2 runs)" in html and "10%–90%" in html
    assert 'id="sensitivity-missing"' in html


def test_bad_input_names_what_is_wrong_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "x.html"
    res = runner.invoke(app, ["report", str(tmp_path / "nowhere"), "-o", str(out)])
    assert res.exit_code == 2
    assert "RUN_DIR" in res.output and "nowhere" in res.output
    res = runner.invoke(app, ["report", "--compare", "baseline", "-o", str(out)])
    assert res.exit_code == 2 and "--compare" in res.output
    res = runner.invoke(app, ["report", "--ensemble", "no_such_scenario", "-o", str(out)])
    assert res.exit_code == 2 and "scenario" in res.output
    res = runner.invoke(app, ["report", "--ensemble", "baseline", "--seeds", "0", "-o", str(out)])
    assert res.exit_code == 2 and "seeds" in res.output
    assert not out.exists()
