"""The conventions of a Python command line: --version, __version__, python -m, completion,
-q/-v, readable help placeholders, documented exit codes."""

from __future__ import annotations

import re
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest
from typer.testing import CliRunner

import thermidor
from thermidor.cli import app
from thermidor.cli.app import EXIT_CODES

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[2]


def invoke(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "80"})


def test_version_is_the_package_metadata():
    assert thermidor.__version__ == version("thermidor")
    r = invoke("--version")
    assert r.exit_code == 0 and r.stdout.strip() == f"thermidor {thermidor.__version__}"


def test_python_dash_m_thermidor_is_the_command_line():
    out = subprocess.run(
        [sys.executable, "-m", "thermidor", "--help"], capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert "Usage: thermidor" in out.stdout and "sweep" in out.stdout
    assert "Exit codes" in out.stdout


def test_shell_completion_is_offered():
    out = subprocess.run(
        [sys.executable, "-m", "thermidor", "--show-completion", "bash"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "complete -o default -F _thermidor_completion thermidor" in out.stdout


@pytest.mark.parametrize(
    "cmd",
    ["run", "targets", "calibrate", "compare", "sensitivity", "sweep", "report", "store",
     "ensemble", "rerun", "store query", "trace"],
)  # fmt: skip
def test_help_shows_words_not_python_types_and_whole_option_names(cmd):
    r = invoke(*cmd.split(), "--help")
    assert r.exit_code == 0, r.output
    assert not re.search(r"<[a-z\[\]]+>|\{[A-Za-z_]+\}", r.stdout), r.stdout
    assert "…" not in r.stdout
    assert all(len(line) <= 80 for line in r.stdout.splitlines())


@pytest.mark.parametrize(
    ("cmd", "usage"),
    [
        ("compare", "compare [OPTIONS] BASE ALTERNATIVES..."),
        ("ensemble", "ensemble [OPTIONS] SCENARIO"),
        ("report", "report [OPTIONS] [SOURCES]..."),
        ("store query", "store query [OPTIONS] SQL"),
    ],
)
def test_usage_lines_name_arguments_as_click_does(cmd, usage):
    """Required arguments bare, optional ones in brackets, repeatable ones with ``...``."""
    r = invoke(*cmd.split(), "--help")
    assert r.exit_code == 0 and r.stdout.splitlines()[0].split(" ", 2)[2] == usage, r.stdout


def test_a_missing_argument_is_named_in_words():
    r = invoke("compare")
    assert r.exit_code == 2 and "Missing argument 'BASE'" in r.stderr, r.stderr


def test_calibrate_help_names_every_option_whole():
    out = invoke("calibrate", "--help").stdout
    assert "--populations, --population N" in out
    assert "--params TEXT" in out and "--store PATH" in out


def test_exit_codes_are_documented_in_the_readme_and_the_help():
    readme = (ROOT / "README.md").read_text()
    assert "## Exit codes" in readme
    for code in ("0", "1", "2"):
        assert f"`{code}`" in readme
    assert "2 bad input" in " ".join(EXIT_CODES.split())


def test_quiet_silences_messages_and_verbose_adds_them(tmp_path):
    args = ["run", "--until", "1917-04-01"]
    loud = invoke(*args, "--out", str(tmp_path / "a"))
    assert loud.exit_code == 0, loud.output
    assert "wrote" in loud.stderr and "wrote" not in loud.stdout
    hushed = invoke("-q", *args, "--out", str(tmp_path / "b"))
    assert hushed.exit_code == 0 and "wrote" not in hushed.stderr
    assert "Chronology" in hushed.stdout  # results still print
    chatty = invoke("-v", *args, "--out", str(tmp_path / "c"))
    assert chatty.exit_code == 0 and "weeks" in chatty.stderr


def test_a_missing_extra_is_named_with_the_command_that_installs_it(capsys):
    import typer

    from thermidor.cli.app import needs

    needs("lab", "json")  # present: nothing happens
    with pytest.raises(typer.Exit) as e:
        needs("lab", "no_such_module_for_thermidor")
    assert e.value.exit_code == 2
    said = " ".join(capsys.readouterr().err.split())
    assert "needs no_such_module_for_thermidor, from the [lab] extra" in said
    assert "pip install 'thermidor[lab]'" in said


@pytest.mark.parametrize(
    "args",
    [
        ["ensemble", "baseline", "--executor", "dask", "--seeds", "2"],
        ["compare", "baseline", "baseline", "--executor", "dask"],
        ["sweep", "-p", "consciousness.grievance_rate=1,2", "--scheduler", "tcp://127.0.0.1:9"],
    ],
)
def test_the_dask_executor_without_the_lab_extra_is_one_line(args, monkeypatch, tmp_path):
    """``distributed`` is made unimportable, as it is in an install without ``[lab]``."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    r = invoke(*args, "--store", str(tmp_path / "runs"))
    assert r.exit_code == 2 and r.stdout == ""
    assert r.stderr.count("\n") == 1, r.stderr
    said = " ".join(r.stderr.split())
    assert said.startswith("error: the dask executor needs distributed, from the [lab] extra")
    assert "pip install 'thermidor[lab]'" in said
    assert not (tmp_path / "runs").exists()
