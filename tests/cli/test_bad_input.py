"""Every bad input of issue 20 (items 6 and 7) is refused with exit code 2 and one line naming
what is wrong, before anything runs or is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from thermidor.cli import app
from thermidor.model.scenario import MAX_FILE_BYTES

runner = CliRunner()
SHORT = ["--until", "1917-03-15"]


def refused(*args: str) -> str:
    """Run ``thermidor ARGS``; assert exit 2 and exactly one line of output; return it."""
    result = runner.invoke(app, list(args), env={"COLUMNS": "400"})
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert result.exit_code == 2, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert len(lines) == 1, result.output
    assert lines[0].startswith("error: ")
    return lines[0]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, str]:
    deep = tmp_path / "deep.toml"
    deep.write_text("extends = 'baseline'\n[params]\na = " + "[" * 5000 + "]" * 5000 + "\n")
    big = tmp_path / "big.toml"
    big.write_text("extends = 'baseline'\n#" + "x" * MAX_FILE_BYTES + "\n")
    early = tmp_path / "early.toml"
    early.write_text("extends = 'baseline'\n[run]\nstart = 1914-01-01\n")
    late = tmp_path / "late.toml"
    late.write_text("extends = 'baseline'\n[run]\nstart = 1940-01-01\nend = 1941-01-01\n")
    empty = tmp_path / "empty.toml"
    empty.write_text("extends = 'baseline'\n[inputs.civil_war]\n")
    a_file = tmp_path / "a-file"
    a_file.write_text("mine")
    return {"deep": str(deep), "big": str(big), "early": str(early), "late": str(late),
            "empty": str(empty), "file": str(a_file), "tmp": str(tmp_path)}  # fmt: skip


@pytest.mark.parametrize("command", [["run", "--scenario"], ["targets", "--scenario"],
                                     ["ensemble"]])  # fmt: skip
def test_deeply_nested_toml(files, command) -> None:
    assert "nest" in refused(*command, files["deep"])


def test_a_scenario_file_over_the_size_limit(files) -> None:
    line = refused("run", "--scenario", files["big"], *SHORT)
    assert f"{MAX_FILE_BYTES:,} bytes" in line


@pytest.mark.parametrize("which", ["early", "late"])
def test_a_start_outside_the_data_names_the_span(files, which) -> None:
    line = refused("run", "--scenario", files[which])
    assert "run.start" in line and "1917-03-01 to 1917-03-31" in line


def test_an_empty_input_table(files) -> None:
    line = refused("ensemble", files["empty"], "--store", files["tmp"] + "/s")
    assert "inputs.civil_war" in line and "at least one" in line


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["targets", "--root", "-1"], "root"),
        (["ensemble", "baseline", "--root", "-1"], "root"),
        (["compare", "baseline", "baseline", "--root", "-1"], "root"),
        (["report", "--ensemble", "baseline", "--root", "-1"], "root"),
        (["compare", "baseline", "baseline", "--bootstrap-seed", "-3"], "bootstrap_seed"),
        (["compare", "baseline", "baseline", "--event", "nothing_happened"], "event"),
        (["compare", "baseline", "baseline", "--resamples", "5"], "resamples"),
        (["run", "--seed", str(2**128)], "seed"),
        (["run", "--seed", "-1"], "seed"),
        (["targets", "--workers", "0"], "workers"),
        (["targets", "--seeds", "0"], "seeds"),
        (["ensemble", "baseline", "--workers", "0"], "workers"),
        (["ensemble", "baseline", "--seeds", "0"], "seeds"),
        (["ensemble", "baseline", "--seeds", "10000000"], "seeds"),
        (["runs", "--limit", "-5"], "limit"),
    ],
)
def test_out_of_range_numbers_and_unknown_names(tmp_path: Path, args, path) -> None:
    where = {"run": ["--out", str(tmp_path / "r"), *SHORT], "targets": []}
    line = refused(*args, *where.get(args[0], ["--store", str(tmp_path / "s")]))
    assert line.startswith(f"error: {path}: got")
    assert not (tmp_path / "r").exists()


def test_an_unknown_event_lists_the_events(tmp_path: Path) -> None:
    line = refused("compare", "baseline", "baseline", "--event", "x", "--store", str(tmp_path))
    assert "bureaucracy_consolidated" in line


def test_a_report_into_a_directory_or_an_unwritable_place(files) -> None:
    run = files["tmp"] + "/run"
    assert runner.invoke(app, ["run", *SHORT, "--out", run]).exit_code == 0
    assert "this is a directory" in refused("report", run, "-o", files["tmp"])
    line = refused("report", run, "-o", "/proc/thermidor/report.html")
    assert "a place this user can write" in line
    assert "is a file" in refused("report", run, "-o", files["file"] + "/r.html")


def test_a_report_on_an_empty_parquet_file(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert runner.invoke(app, ["run", *SHORT, "--out", str(out)]).exit_code == 0
    (out / "indicators.parquet").write_bytes(b"")
    line = refused("report", str(out), "-o", str(tmp_path / "r.html"))
    assert "indicators.parquet" in line
    assert not (tmp_path / "r.html").exists()


def test_a_seed_beyond_64_bits_runs(tmp_path: Path) -> None:
    result = runner.invoke(app, ["run", *SHORT, "--seed", str(2**64), "--out", str(tmp_path / "r")])
    assert result.exit_code == 0, result.output


def test_a_file_name_too_long_is_refused(tmp_path: Path) -> None:  # found by tests/test_fuzz.py
    assert "usable" in refused("report", "x", "-o", "x" * 300)
    assert "usable" in refused("run", *SHORT, "--out", str(tmp_path / ("x" * 300)))


def test_an_empty_query_is_refused(tmp_path: Path) -> None:  # found by tests/test_fuzz.py
    assert refused("store", "query", "", "--store", str(tmp_path)).startswith("error: sql: got")


def test_a_report_source_name_too_long_is_refused(tmp_path: Path) -> None:  # found by fuzzing
    line = refused("report", "x" * 300, "-o", str(tmp_path / "r.html"))
    assert line.startswith("error: RUN_DIR: got")
