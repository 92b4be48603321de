"""Ensembles: killed at any moment (SIGKILL) and run again, they complete with no run lost and
none made twice; the same seeds give the same bytes on any executor; a stored run reruns to the
same bytes."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.lab.conftest import (
    COARSE,
    SCALE_ARGS,
    SHORT,
    THERMIDOR,
    TINY,
    VERY_COARSE_ARGS,
    cli,
    python,
    said,
    thermidor,
)
from thermidor.lab.ensemble import ensemble, rerun, seeds_for
from thermidor.lab.executors import Local, Serial, Stopped
from thermidor.lab.store import Store

RUN_FILES = ("indicators.parquet", "events.parquet")


def run_bytes(store: Store, key: str) -> dict[str, bytes | dict[str, object]]:
    d = store.path_of(key)
    manifest = json.loads((d / "manifest.json").read_text())
    manifest.pop("wall_time_s")
    return {**{f: (d / f).read_bytes() for f in RUN_FILES}, "manifest": manifest}


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def _wait_for_runs(store: Store, at_least: int, proc: subprocess.Popen[bytes]) -> int:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        n = len(store.run_dirs())
        if n >= at_least or proc.poll() is not None:
            return n
        time.sleep(0.05)
    raise AssertionError("the ensemble made no progress")


def test_a_killed_ensemble_completes_when_run_again(tmp_path: Path, frozen: dict[str, str]) -> None:
    store = Store(tmp_path / "runs")
    n = 12
    args = [
        "ensemble",
        "baseline",
        "--seeds",
        str(n),
        "--until",
        SHORT,
        *SCALE_ARGS,
        "--workers",
        "2",
        "--store",
        str(store.root),
    ]
    expected = set(
        json.loads(
            python(
                frozen,
                "import json; from thermidor.lab.ensemble import plan, seeds_for; "
                f"print(json.dumps(plan('baseline', seeds_for({n}, 0), {COARSE!r}, "
                f"{SHORT!r}).keys))",
            )
        )
    )
    for at_least in (1, 5):  # killed twice: early, then later
        proc = subprocess.Popen(
            [THERMIDOR, *args],
            env=frozen,
            start_new_session=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            _wait_for_runs(store, at_least, proc)
            os.kill(proc.pid, signal.SIGKILL)  # the coordinator only: its workers must notice
            proc.wait()
            deadline = time.monotonic() + 10
            while _group_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert not _group_alive(proc.pid), "workers outlived their coordinator"
        finally:
            if _group_alive(proc.pid):
                os.killpg(proc.pid, signal.SIGKILL)
    before = {d.name: (d / "indicators.parquet").stat().st_mtime_ns for d in store.run_dirs()}
    assert 0 < len(before) < n, "the kill came too late to test anything"
    assert set(before) <= expected

    done = thermidor(frozen, *args)
    assert done.returncode == 0, done.stderr
    assert f"{len(before)} already stored" in done.stderr
    dirs = store.run_dirs()
    assert {d.name for d in dirs} == expected  # none lost
    runs = store.runs()
    assert len(runs) == n and runs["key"].is_unique  # none twice
    assert set(runs["key"]) == expected
    assert sorted(runs["seed"]) == sorted(seeds_for(n, 0))
    for key, mtime in before.items():  # a stored run is never made again
        assert (store.path_of(key) / "indicators.parquet").stat().st_mtime_ns == mtime
    again = thermidor(frozen, *args)
    assert again.returncode == 0 and f"{n} already stored" in again.stderr


def test_same_seeds_same_bytes_on_one_or_two_processes(tmp_path: Path) -> None:
    one, two = Store(tmp_path / "one"), Store(tmp_path / "two")
    with Serial() as ex:
        a = ensemble("baseline", 4, 3, COARSE, SHORT, store=one, executor=ex)
    with Local(2) as ex:
        b = ensemble("baseline", 4, 3, COARSE, SHORT, store=two, executor=ex, ship_results=True)
    assert a.keys == b.keys
    for key in a.keys:
        assert run_bytes(one, key) == run_bytes(two, key)


def test_the_summary_is_a_message_that_quiet_silences(store: Store) -> None:
    """The one line after an ensemble says what was done (stderr, through logging): stdout
    stays for results, and ``-q`` leaves only results and errors."""
    args = ["ensemble", "baseline", "--seeds", "2", "--until", TINY, *VERY_COARSE_ARGS]
    r = cli(*args, "--workers", "1", "--store", str(store.root))
    assert r.exit_code == 0, r.output
    assert r.stdout == ""
    assert said(r.stderr, f"2 runs in {store.root}: 2 run now on serial")
    assert said(r.stderr, "0 already stored")
    hushed = cli("-q", *args, "--workers", "1", "--store", str(store.root))
    assert hushed.exit_code == 0 and hushed.stdout == "" and hushed.stderr == ""
    again = cli(*args, "--workers", "1", "--store", str(store.root))
    assert again.exit_code == 0 and said(again.stderr, "2 already stored")


def test_rerun_reproduces_a_stored_run_byte_for_byte(store: Store) -> None:
    ran = ensemble("no_menshevik_ban", 1, 0, COARSE, SHORT, store=store)
    key = ran.keys[0]
    report = rerun(store.path_of(key) / "manifest.json")
    assert report.identical and report.key == key and not report.differences
    r = cli("rerun", str(store.path_of(key)), "--store", str(store.root))
    assert r.exit_code == 0 and said(r.output, "identical")


def test_rerun_detects_changed_bytes(store: Store) -> None:
    ran = ensemble("baseline", 1, 0, COARSE, SHORT, store=store)
    d = store.path_of(ran.keys[0])
    target = d / "events.parquet"
    target.chmod(0o644)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    report = rerun(d)
    assert not report.identical and report.differences == ["events.parquet differs"]
    assert cli("rerun", str(d)).exit_code == 1


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["ensemble", "nosuch", "--seeds", "2"], "scenario: got 'nosuch'"),
        (["ensemble", "baseline", "--seeds", "0"], "seeds: got 0"),
        (["ensemble", "baseline", "--seeds", "-3"], "seeds: got -3"),
        (["ensemble", "baseline", "--seeds", "2", "--until", "1900-01-01"], "until"),
        (["ensemble", "baseline", "--seeds", "2", "--scale", "house=5"], "scale.house"),
        (["ensemble", "baseline", "--seeds", "2", "--executor", "mpi"], "executor: got 'mpi'"),
        (["ensemble", "baseline", "--seeds", "2", "--workers", "0"], "workers: got 0"),
        (["rerun", "/nonexistent/run"], "run: got '/nonexistent/run'"),
    ],
)
def test_bad_input_is_one_error_and_exit_2(args: list[str], says: str, tmp_path: Path) -> None:
    r = cli(*args, "--store", str(tmp_path / "runs"))
    assert r.exit_code == 2, r.output
    assert r.output.startswith("error:") and said(r.output, says)
    assert not (tmp_path / "runs").exists()  # nothing written


def test_a_serial_executor_told_to_stop_runs_nothing_more() -> None:
    import threading

    stop, seen = threading.Event(), []

    def work(x: int) -> int:
        seen.append(x)
        if x == 1:
            stop.set()  # set from another thread in the dashboard; here, by the second item
        return x * 10

    got = []
    with pytest.raises(Stopped, match="stopped after 2 of 5"):
        for i, out in Serial(stop=stop).map_unordered(work, [0, 1, 2, 3, 4]):
            got.append((i, out))
    assert seen == [0, 1] and got == [(0, 0), (1, 10)]
    assert [out for _, out in Serial().map_unordered(work, [2, 3])] == [20, 30]
