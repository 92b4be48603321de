"""The store: run directories are the truth, the DuckDB index is rebuilt from them; a corrupt or
locked index is refused, naming the file, and left as it was."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import thermidor
from tests.lab.conftest import COARSE, SHORT, cli, said
from thermidor.lab.ensemble import ensemble, plan, rerun, seeds_for
from thermidor.lab.errors import StoreError
from thermidor.lab.store import Store, content_key, index_row, key_of, write_run
from thermidor.model.run import resolve_scales, source_hash


def _index(store: Store) -> pd.DataFrame:
    return store.query("SELECT * FROM runs ORDER BY key").reset_index(drop=True)


def test_the_content_key_hashes_scenario_seed_scales_and_source() -> None:
    p = plan("baseline", [5], COARSE, "1917-04-01")
    result = thermidor.run(p.scenario, 5, COARSE)
    sc = result.manifest["scenario"]
    assert p.keys == [key_of(result.manifest)]
    assert key_of(result.manifest) == content_key(sc, 5, resolve_scales(COARSE), source_hash())
    assert key_of(result.manifest) != content_key(sc, 6, resolve_scales(COARSE), source_hash())
    assert key_of(result.manifest) != content_key(sc, 5, resolve_scales(None), source_hash())


def test_a_run_cut_by_until_is_not_mistaken_for_the_full_run(store: Store) -> None:
    cut = thermidor.run("baseline", 5, COARSE, until=dt.date(1917, 4, 1))
    full_key = content_key(
        cut.manifest["scenario"], 5, resolve_scales(COARSE), cut.manifest["source_hash"]
    )
    key = store.write(cut)
    assert key != full_key and store.has_run(key) and not store.has_run(full_key)
    assert rerun(store.path_of(key)).identical


def test_rebuild_from_files_gives_the_same_index(store: Store) -> None:
    ensemble("baseline", 4, 0, COARSE, SHORT, store=store)
    store.save_analysis("toy", "a1", pd.DataFrame({"x": [1.0, 2.0]}))
    before = _index(store)
    assert len(before) == 4 and before["key"].is_unique
    store.db.unlink()
    report = store.rebuild()
    assert report.runs == 4 and report.analyses == {"toy": 2} and not report.skipped
    pd.testing.assert_frame_equal(_index(store), before)
    assert store.analysis("toy", "a1")["x"].tolist() == [1.0, 2.0]


def test_query_reaches_the_parquet_files(store: Store) -> None:
    ran = ensemble("baseline", 2, 0, COARSE, SHORT, store=store)
    steps = store.query(
        "SELECT r.seed, count(*) AS steps FROM runs r JOIN indicators i USING (key) "
        "GROUP BY r.seed ORDER BY r.seed"
    )
    assert sorted(int(s) for s in steps["seed"]) == sorted(seeds_for(2, 0))  # 128 bits: text
    assert set(steps["steps"]) == {int(store.runs()["steps"].iloc[0])}
    kinds = store.query("SELECT DISTINCT kind FROM events")["kind"]
    assert "insurrection" in set(kinds)
    assert set(store.query("SELECT DISTINCT key FROM events")["key"]) == set(ran.keys)


def test_a_run_written_but_not_indexed_is_indexed_not_rerun(store: Store) -> None:
    p = plan("baseline", seeds_for(3, 0), COARSE, SHORT)
    orphan = thermidor.run(p.scenario, p.seeds[1], COARSE)
    write_run(orphan, store.path_of(p.keys[1]))  # as if killed before its index entry
    mtime = (store.path_of(p.keys[1]) / "indicators.parquet").stat().st_mtime_ns
    ran = ensemble("baseline", 3, 0, COARSE, SHORT, store=store)
    assert (ran.ran, ran.skipped) == (2, 1)
    assert set(_index(store)["key"]) == set(p.keys)
    assert (store.path_of(p.keys[1]) / "indicators.parquet").stat().st_mtime_ns == mtime
    assert int(index_row(orphan, p.keys[1])["seed"]) == p.seeds[1]


def test_a_corrupt_index_is_refused_and_left_unchanged(store: Store, tmp_path: Path) -> None:
    ensemble("baseline", 1, 0, COARSE, SHORT, store=store)
    garbage = b"this is not a duckdb file" * 100
    store.db.write_bytes(garbage)
    with pytest.raises(StoreError, match="not a DuckDB database") as e:
        store.runs()
    assert str(store.db) in str(e.value)
    r = cli("runs", "--store", str(store.root))
    assert r.exit_code == 2
    assert said(r.output, f"error: store {store.db}: not a DuckDB database")
    assert said(r.output, "store rebuild --force")
    r = cli("ensemble", "baseline", "--seeds", "2", "--until", SHORT, "--store", str(store.root))
    assert r.exit_code == 2
    assert store.db.read_bytes() == garbage
    assert len(store.run_dirs()) == 1  # nothing was run
    assert cli("store", "rebuild", "--store", str(store.root)).exit_code == 2
    assert store.db.read_bytes() == garbage
    r = cli("store", "rebuild", "--force", "--store", str(store.root))
    assert r.exit_code == 0, r.output
    assert r.stdout == "" and said(r.stderr, "indexed 1 runs") and said(r.stderr, "corrupt")
    assert len(store.runs()) == 1


HOLD = """
import duckdb, sys, time
con = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(60)
"""


def test_a_locked_index_is_refused_and_left_unchanged(store: Store) -> None:
    ensemble("baseline", 1, 0, COARSE, SHORT, store=store)
    before = store.db.read_bytes()
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(store.db)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
        with pytest.raises(StoreError, match="locked by another process") as e:
            store.runs()
        assert e.value.reason == "locked" and str(store.db) in str(e.value)
        for args in (
            ["runs"],
            ["store", "rebuild", "--force"],
            ["ensemble", "baseline", "--seeds", "2", "--until", SHORT],
        ):
            r = cli(*args, "--store", str(store.root))
            assert r.exit_code == 2, args
            assert said(r.output, f"error: store {store.db}: locked by another process")
        assert len(store.run_dirs()) == 1
    finally:
        holder.kill()
        holder.wait()
    assert store.db.read_bytes() == before
    assert len(store.runs()) == 1


def test_the_index_is_held_only_while_writing(store: Store) -> None:
    """A reader in another process opens the index between the coordinator's writes."""
    ensemble("baseline", 1, 0, COARSE, SHORT, store=store)
    code = f"from thermidor.lab.store import Store; print(len(Store({str(store.root)!r}).runs()))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "1", out.stderr


def test_runs_lists_as_json(store: Store) -> None:
    ensemble("baseline", 2, 7, COARSE, SHORT, store=store)
    r = cli("runs", "--json", "--store", str(store.root))
    assert r.exit_code == 0
    import json

    rows = json.loads(r.output)
    assert sorted(row["seed"] for row in rows) == sorted(seeds_for(2, 7))
    assert all(row["end_date"] <= SHORT and row["consolidated_on"] is None for row in rows)


def test_a_read_waits_for_a_write_in_the_same_process(store: Store) -> None:
    """A web server reads the index while its job thread writes it: the read waits for the
    write (DuckDB refuses a second handle on the file within one process), never fails."""
    ensemble("baseline", 1, 0, COARSE, SHORT, store=store)
    writer = duckdb.connect(str(store.db))  # as the coordinator holds it during a write
    released = threading.Timer(0.5, writer.close)
    released.start()
    try:
        assert len(store.runs()) == 1
    finally:
        released.join()
