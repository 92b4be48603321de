"""The one table formatter (cli/tables.py) and the commands that print through it, as a user
sees them in a log or a pipe: no line wider than COLUMNS, no word cut, no ellipsis."""

from __future__ import annotations

import csv
import io
import json

import pytest
from typer.testing import CliRunner

from thermidor.cli import app
from thermidor.cli.tables import Sheet, _wrap, col, show, size
from thermidor.model.params import PARAMS
from thermidor.model.scenario import shipped

runner = CliRunner()

LONG = "a much longer sentence of words that cannot fit in one line of a narrow column " * 2


def piped(*args: str, columns: int = 80):
    """``thermidor ARGS`` with stdout not a terminal, COLUMNS set."""
    return runner.invoke(app, list(args), env={"COLUMNS": str(columns)})


def words_whole(text: str, source: str) -> bool:
    """Every word of ``source`` appears whole in ``text``."""
    got = set(text.split())
    return all(w in got for w in source.split())


@pytest.mark.parametrize("w", [20, 40, 80])
def test_wrap_keeps_every_line_within_the_width_in_bytes_and_every_word_whole(w):
    text = "§5 – ±3 " + LONG
    out = _wrap(text, w, "    ")
    assert all(size(line) <= w for line in out.splitlines())
    assert words_whole(out, text)
    assert " ".join(out.split()) == " ".join(text.split())


def test_wrap_cuts_only_a_word_longer_than_a_line():
    out = _wrap("short " + "x" * 30 + " end", 12)
    assert all(size(line) <= 12 for line in out.splitlines())
    assert "".join(out.split()) == "short" + "x" * 30 + "end"


def test_wrap_keeps_the_spaces_that_align_fields():
    assert _wrap("  name     value", 80) == "  name     value"


SHEET = Sheet(
    "Title",
    [col("name"), col("value", fmt=lambda v: f"{v:.1f}"), col("text")],
    [
        {"name": "first.parameter_name", "value": 0.25, "text": LONG},
        {"name": "b", "value": 2.0, "text": "x"},
    ],
    ["a note"],
)


def run_show(capsys, fmt, **kw):
    show(SHEET, fmt, **kw)
    return capsys.readouterr()


def test_plain_prints_blocks_when_the_columns_do_not_fit(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "60")
    out = run_show(capsys, "plain").out
    assert out.startswith("Title\n")
    assert all(size(line) <= 60 for line in out.splitlines())
    assert words_whole(out, LONG) and "first.parameter_name" in out and "0.2" in out
    assert "note: a note" in out and "…" not in out


def test_plain_aligns_columns_and_wraps_the_last_when_the_others_fit(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    out = run_show(capsys, "plain").out.splitlines()
    assert out[1].split() == ["name", "value", "text"]
    assert out[3].startswith("first.parameter_name  0.2    a much longer")
    indent = out[3].index("a much")
    assert out[4].startswith(" " * indent) and out[4].strip()  # the last column, wrapped under
    assert all(size(line) <= 100 for line in out)


def test_table_gives_every_column_its_longest_word_or_falls_back_to_plain(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "70")
    out = run_show(capsys, "table").out
    assert "┃" in out or "│" in out  # a boxed table
    assert words_whole(out.replace("│", " ").replace("┃", " "), LONG)
    assert "…" not in out
    monkeypatch.setenv("COLUMNS", "40")  # the longest words side by side do not fit
    out = run_show(capsys, "table").out
    assert "│" not in out and words_whole(out, LONG)


def test_csv_writes_values_as_data_and_notes_to_stderr(capsys):
    got = run_show(capsys, "csv")
    rows = list(csv.DictReader(io.StringIO(got.out)))
    assert rows[0] == {"name": "first.parameter_name", "value": "0.25", "text": LONG}
    assert "a note" in got.err and "a note" not in got.out


def test_json_prints_the_records_or_the_data_given(capsys):
    assert json.loads(run_show(capsys, "json").out)[1] == {"name": "b", "value": 2.0, "text": "x"}
    assert json.loads(run_show(capsys, "json", data={"k": 1}).out) == {"k": 1}


@pytest.mark.parametrize("command", [["params"], ["scenarios"]])
@pytest.mark.parametrize("columns", [60, 80, 120])
def test_params_and_scenarios_piped_fit_the_width_with_nothing_cut(command, columns):
    r = piped(*command, columns=columns)
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert all(size(line) <= columns for line in lines)
    assert "…" not in r.stdout
    text = r.stdout
    if command == ["params"]:
        for p in PARAMS:
            assert p.name in text and words_whole(text, p.meaning) and words_whole(text, p.source)
    else:
        assert all(name in text.split() for name in shipped())


def test_params_csv_gives_min_and_max_as_numbers():
    r = piped("params", "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [row["name"] for row in rows] == [p.name for p in PARAMS]
    assert float(rows[0]["min"]) == PARAMS[0].lo and float(rows[0]["max"]) == PARAMS[0].hi


def test_scenarios_json_and_an_unknown_format_refused():
    r = piped("scenarios", "--format", "json")
    assert {s["name"] for s in json.loads(r.stdout)} == set(shipped())
    bad = piped("scenarios", "--format", "yaml")
    assert bad.exit_code == 2 and "format: got 'yaml'" in " ".join(bad.stderr.split())


def toy_sensitivity():
    """A Sensitivity as the analysis returns it: Morris rows for every parameter and chance,
    grouped Sobol rows for each range set (one index SALib could not give: NaN)."""
    import pandas as pd

    from thermidor.lab.sensitivity import COLUMNS, GROUPS, RANGE_SETS, Sensitivity

    rows = [
        {"method": "morris", "ranges": "documented", "outcome": "consolidated", "factor": p.name,
         "group": p.cls, "mu_star": 0.001 * i, "mu_star_conf": 0.0005, "sigma": 0.002 * i}
        for i, p in enumerate(PARAMS)
    ]  # fmt: skip
    rows += [
        {"method": "sobol", "ranges": r, "outcome": "consolidated", "factor": g, "group": g,
         "s1": float("nan") if (r, g) == ("widened", "chance") else 0.25, "s1_conf": 0.05,
         "st": 0.5, "st_conf": 0.1}
        for r in RANGE_SETS
        for g in GROUPS
    ]  # fmt: skip
    config = {"outcomes": ["consolidated"]}
    frame = pd.DataFrame(rows, columns=COLUMNS)
    return Sensitivity("sens-1", config, frame, {"morris": 2}, ["a note on the analysis"])


def toy_fit():
    import pandas as pd

    from thermidor.lab.calibrate import Fit

    summary = [{"param": "consciousness.grievance_rate", "default": 1.0, "lo": 0.0, "hi": 10.0,
                "mean": 2.0, "q05": 0.5, "median": 1.9, "q95": 4.25}]  # fmt: skip
    checks = [
        {"stage": stage, "id": "T27", "quantity": "the Petrograd soviet won over",
         "when": "1917-09", "target": "1917-09-01", "tolerance": 2, "simulated_median":
         "1917-10-05", "p10": "1917-09-01", "p90": "1917-11-02", "hit_rate": 0.5,
         "occurred_share": 1.0, "passed": False}
        for stage in ("predictive", "before", "after")
    ]  # fmt: skip
    posterior = pd.DataFrame({"particle": [0], "weight": [1.0]})
    return Fit("fit-1", ["consciousness.grievance_rate"], ["T27"], posterior, summary, checks,
               0.125, 16, "multicore (2 processes)", ["a note on the fit"])  # fmt: skip


@pytest.mark.parametrize("columns", [60, 80])
def test_sensitivity_and_calibrate_tables_fit_the_width_with_nothing_cut(
    capsys, monkeypatch, columns
):
    from thermidor.cli.calibrate import calibrate_sheets
    from thermidor.cli.lab import sensitivity_sheets

    monkeypatch.setenv("COLUMNS", str(columns))
    show(sensitivity_sheets(toy_sensitivity()), "plain")
    show(calibrate_sheets(toy_fit()), "plain")
    out = capsys.readouterr().out
    assert all(size(line) <= columns for line in out.splitlines()) and "…" not in out
    assert words_whole(out, "consolidated: Sobol indices by group")
    assert words_whole(out, "Morris screening, the 10 most influential factors")
    assert "n/a" in out and "nan" not in out  # SALib's NaN said, not printed
    assert "0.25 ± 0.05" in out or columns < 80  # (at 60 the cell wraps after its ±)
    assert "note: a note on the analysis" in out and "note: a note on the fit" in out
    assert "consciousness.grievance_rate" in out and "0.5 – 4.25" in out


def test_sensitivity_csv_gives_the_indices_as_numbers_most_influential_first(capsys):
    from thermidor.cli.lab import sensitivity_sheets

    sheets = sensitivity_sheets(toy_sensitivity())
    assert [s.name for s in sheets] == ["consolidated: sobol", "consolidated: morris"]
    show(sheets, "csv")
    got = capsys.readouterr()
    sobol, morris = got.out.split("\n\n")
    rows = list(csv.DictReader(io.StringIO(sobol.split("\n", 1)[1])))
    assert list(rows[0]) == ["group", "ranges", "s1", "s1_conf", "st", "st_conf"]
    assert len(rows) == 9 and float(rows[0]["s1"]) == 0.25 and float(rows[0]["st_conf"]) == 0.1
    top = list(csv.DictReader(io.StringIO(morris.split("\n", 1)[1])))
    assert [r["factor"] for r in top] == [p.name for p in PARAMS[::-1][:10]]
    assert "a note on the analysis" in got.err


def test_calibrate_checks_in_stage_order_and_csv_splits_the_ranges(capsys):
    from thermidor.cli.calibrate import calibrate_sheets

    params, checks = calibrate_sheets(toy_fit())
    assert [r["stage"] for r in checks.rows] == ["before", "after", "predictive"]
    show([params, checks], "csv")
    first = capsys.readouterr().out.split("\n\n")[0]
    (row,) = csv.DictReader(io.StringIO(first.split("\n", 1)[1]))
    assert (row["lo"], row["hi"], row["q05"], row["q95"]) == ("0.0", "10.0", "0.5", "4.25")
