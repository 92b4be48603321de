"""``run --out``: nothing of the user's is ever destroyed; replacing a run needs --force."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from thermidor.cli import app

runner = CliRunner()
SHORT = ["--until", "1917-03-15"]


def run_to(out: Path, *extra: str):
    return runner.invoke(app, ["run", *SHORT, "--out", str(out), *extra])


def error_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return lines[0]


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.startswith("."))


def test_a_directory_of_the_users_is_refused_and_kept(tmp_path: Path) -> None:
    d = tmp_path / "d"
    d.mkdir()
    (d / "keep.txt").write_text("precious")
    for extra in ([], ["--force"]):
        result = run_to(d, *extra)
        assert result.exit_code == 2
        assert "keep.txt" in error_line(result)
        assert (d / "keep.txt").read_text() == "precious"
        assert sorted(p.name for p in d.iterdir()) == ["keep.txt"]
    assert leftovers(tmp_path) == []


def test_a_file_is_refused_and_kept(tmp_path: Path) -> None:
    f = tmp_path / "f"
    f.write_text("mine")
    result = run_to(f)
    assert result.exit_code == 2
    assert "is a file" in error_line(result)
    assert f.read_text() == "mine"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f"]


def test_a_path_through_a_file_is_refused(tmp_path: Path) -> None:
    (tmp_path / "f").write_text("mine")
    result = run_to(tmp_path / "f" / "sub")
    assert result.exit_code == 2
    assert "is a file" in error_line(result)


def test_an_unwritable_place_is_refused_in_one_line(tmp_path: Path) -> None:
    result = run_to(Path("/proc/thermidor-cannot-write-here"))
    assert result.exit_code == 2
    assert "a place this user can write" in error_line(result)


def test_replacing_a_run_needs_force_and_leaves_nothing_behind(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert run_to(out, "--seed", "1").exit_code == 0
    first = json.loads((out / "manifest.json").read_text())
    again = run_to(out, "--seed", "2")
    assert again.exit_code == 2
    assert "--force" in error_line(again)
    assert json.loads((out / "manifest.json").read_text()) == first
    forced = run_to(out, "--seed", "2", "--force")
    assert forced.exit_code == 0, forced.output
    assert json.loads((out / "manifest.json").read_text())["seed"] == 2
    assert leftovers(tmp_path) == []


def test_a_run_directory_with_a_foreign_file_is_not_replaced(tmp_path: Path) -> None:
    out = tmp_path / "run"
    assert run_to(out).exit_code == 0
    (out / "notes.txt").write_text("mine")
    result = run_to(out, "--force")
    assert result.exit_code == 2
    assert "notes.txt" in error_line(result)
    assert (out / "notes.txt").read_text() == "mine"


def test_an_empty_directory_is_used(tmp_path: Path) -> None:
    out = tmp_path / "empty"
    out.mkdir()
    assert run_to(out).exit_code == 0
    assert (out / "manifest.json").is_file()


def test_the_manifest_records_a_checksum_of_each_file(tmp_path: Path) -> None:
    import hashlib

    out = tmp_path / "run"
    assert run_to(out).exit_code == 0
    files = json.loads((out / "manifest.json").read_text())["files"]
    for name in ("indicators.parquet", "events.parquet"):
        assert files[name] == "sha256:" + hashlib.sha256((out / name).read_bytes()).hexdigest()
