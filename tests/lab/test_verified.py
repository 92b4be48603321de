"""A verified store: every read checks a run's checksums; a corrupt run is quarantined with a
note and computed again; two ensembles on one store never compute a run twice."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.lab.conftest import COARSE, SCALE_ARGS, THERMIDOR, TINY, cli, said
from thermidor.lab.ensemble import ensemble
from thermidor.lab.errors import StoreError
from thermidor.lab.store import Store

ARGS = ["--seeds", "3", "--until", TINY, *SCALE_ARGS, "--workers", "1"]


def one_line(result) -> str:
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


def stored(store: Store) -> list[str]:
    return [d.name for d in store.run_dirs()]


@pytest.fixture
def three(store: Store) -> Store:
    ensemble("baseline", 3, 0, COARSE, TINY, store=store)
    return store


@pytest.mark.parametrize(
    "damage",
    [
        lambda d: (d / "indicators.parquet").write_bytes(b""),
        lambda d: (d / "events.parquet").write_bytes((d / "events.parquet").read_bytes()[:-9]),
        lambda d: (d / "manifest.json").write_text("{"),
        lambda d: (d / "indicators.parquet").unlink(),
    ],
    ids=["emptied", "truncated", "bad-manifest", "missing"],
)
def test_a_corrupt_run_is_quarantined_and_computed_again(three: Store, damage) -> None:
    key = stored(three)[0]
    damage(three.path_of(key))
    ran = ensemble("baseline", 3, 0, COARSE, TINY, store=three)
    assert ran.ran == 1 and ran.skipped == 2
    assert sorted(stored(three)) == sorted(ran.keys)
    assert not three.problems(key)
    if (three.root / "quarantine").is_dir():  # a missing file leaves an incomplete directory
        (note,) = [q / "NOTE.txt" for q in three.quarantined()]
        assert key in note.read_text()
    assert len(three.runs()) == 3


def test_a_corrupt_run_does_not_break_query_compare_or_report(three: Store) -> None:
    key = stored(three)[0]
    (three.path_of(key) / "indicators.parquet").write_bytes(b"")
    q = cli("store", "query", "SELECT count(DISTINCT key) AS n FROM indicators", "--json",
            "--store", str(three.root))  # fmt: skip
    assert q.exit_code == 0, q.output
    assert json.loads(q.stdout) == [{"n": 2}]
    assert [p.name.split(".")[0] for p in three.quarantined()] == [key]
    c = cli("compare", "baseline", "baseline", *ARGS, "--json", "--store", str(three.root))
    assert c.exit_code == 0, c.output  # the quarantined run is computed again
    assert len(stored(three)) == 3


def test_load_of_a_corrupt_run_raises_a_store_error_and_quarantines_it(three: Store) -> None:
    key = stored(three)[0]
    (three.path_of(key) / "events.parquet").write_bytes(b"PAR1")
    with pytest.raises(StoreError, match="corrupt") as e:
        three.load(key)
    assert e.value.reason == "corrupt" and not isinstance(e.value, ValueError)
    assert key not in stored(three)


def test_store_verify_reports_what_it_found_and_repaired(three: Store) -> None:
    key = stored(three)[0]
    (three.path_of(key) / "indicators.parquet").write_bytes(b"x")
    (three.root / f".{key}.abc123").mkdir()  # left by a killed writer
    out = cli("store", "verify", "--store", str(three.root))
    assert out.exit_code == 0, out.output
    assert said(out.output, "2 runs verified")
    assert said(out.output, "1 quarantined")
    assert said(out.output, f"quarantined {key}")
    assert said(out.output, "1 leftovers removed")
    assert not (three.root / f".{key}.abc123").exists()
    again = cli("store", "verify", "--store", str(three.root))
    assert said(again.output, "2 runs verified") and said(again.output, "0 quarantined")


def test_store_rebuild_quarantines_a_corrupt_run_and_says_so(three: Store) -> None:
    key = stored(three)[0]
    (three.path_of(key) / "indicators.parquet").write_bytes(b"")
    out = cli("store", "rebuild", "--store", str(three.root))
    assert out.exit_code == 0, out.output
    assert said(out.output, f"skipped {key}: quarantined")
    assert said(out.output, "indexed 2 runs")
    ran = ensemble("baseline", 3, 0, COARSE, TINY, store=three)  # no crash re-indexing it
    assert ran.ran == 1


@pytest.mark.parametrize("command", [["store", "rebuild"], ["store", "verify"]])
def test_a_store_that_does_not_exist_is_not_created(tmp_path: Path, command) -> None:
    out = cli(*command, "--store", str(tmp_path / "new"))
    assert out.exit_code == 2
    assert "no such store" in one_line(out)
    assert not (tmp_path / "new").exists()


@pytest.mark.parametrize(
    "command", [["runs"], ["ensemble", "baseline", *ARGS], ["store", "verify"]]
)
def test_a_store_naming_a_file_is_refused_in_one_line(tmp_path: Path, command) -> None:
    f = tmp_path / "file"
    f.write_text("mine")
    out = cli(*command, "--store", str(f))
    assert out.exit_code == 2
    assert "a file, not a directory" in one_line(out)
    assert f.read_text() == "mine"


def test_a_store_in_an_unwritable_place_is_refused_in_one_line() -> None:
    out = cli("ensemble", "baseline", *ARGS, "--store", "/proc/thermidor-store")
    assert out.exit_code == 2
    assert "cannot be created" in one_line(out)


def test_two_concurrent_ensembles_compute_each_run_once(tmp_path: Path) -> None:
    root = tmp_path / "runs"
    args = [THERMIDOR, "ensemble", "baseline", "--seeds", "6", "--until", "1917-04-30",
            *SCALE_ARGS, "--workers", "1", "--store", str(root)]  # fmt: skip
    env = {"THERMIDOR_LOCK_TIMEOUT": "30", "COLUMNS": "400", "PATH": "/usr/bin:/bin"}
    import os

    env["PYTHONPATH"] = os.environ.get("PYTHONPATH", "")
    procs = [subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                              env=env) for _ in range(2)]  # fmt: skip
    outs = [p.communicate(timeout=300) for p in procs]
    assert all(p.returncode == 0 for p in procs), outs
    ran = []
    for _, message in outs:  # the summary is a message (stderr, after the progress bar)
        (now,) = re.findall(r"(\d+) run now", " ".join(message.split()))
        ran.append(int(now))
    assert sum(ran) == 6, outs  # not 12: each key computed by one of them
    store = Store(root)
    assert len(store.run_dirs()) == 6 and len(store.runs()) == 6
    assert not list((root / "locks").glob("*.lock"))


def test_rerun_accepts_a_run_whose_horizon_ends_before_a_forced_date(store: Store) -> None:
    from thermidor.lab.ensemble import rerun

    sc = {"extends": "baseline", "force": {"mensheviks_lose_legality": "1921-03-01"}}
    ran = ensemble(sc, 1, 0, COARSE, TINY, store=store)
    report = rerun(store.path_of(ran.keys[0]))
    assert report.identical, report.differences
