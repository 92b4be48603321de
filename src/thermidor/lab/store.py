"""The store: run directories are the truth; a DuckDB file indexes them.

```
runs/                              the store's root
  3f9a…e1/                         one run, named by its content key (Result.write: atomic)
    indicators.parquet  events.parquet  manifest.json
  analyses/<table>/<id>.parquet    sensitivity indices, posteriors (also the truth)
  thermidor.duckdb                 the index: tables runs, <table>…; rebuilt from the files
  locks/<key>.lock                 a run being computed, and by whom (host, PID)
  quarantine/<key>.<time>/         a run whose files failed their checksums, with NOTE.txt
```
Every read of a run verifies it first (``verified``, ``load``): its manifest must give its
directory's key and each data file the SHA-256 the manifest records. A run that fails is moved
to ``quarantine/`` with a note saying what was wrong, and the next ensemble computes it again.
An ensemble claims each key it computes with a lock file, so that two ensembles on one store
never compute a run twice; a lock whose process is gone is taken over.
A run's content key hashes what determines its bytes: the scenario resolved in full, the seed,
the scales and the source hash. Workers write only their own run's directory; one coordinator
writes the index, opening its DuckDB connection only for as long as a write takes, so a reader
(the CLI, a web server) is never locked out for long. Readers attach the index read-only to an
in-memory database, where ``indicators`` and ``events`` are views over the Parquet files.
A corrupt or locked index raises ``StoreError`` naming the file before anything is written.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
import socket
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from thermidor.engine import Calendar
from thermidor.lab.errors import LabError, StoreError
from thermidor.lab.outcomes import CONSOLIDATION, TURN_OF_1928, event_date, last_date
from thermidor.model.errors import ScenarioError
from thermidor.model.result import Result, problems, read

KEY_LENGTH = 24
KEY = re.compile(rf"^[0-9a-f]{{{KEY_LENGTH}}}$")
INDEX_VERSION = "2"  # 2: seeds of 128 bits, kept as decimal text
DB_NAME = "thermidor.duckdb"
ANALYSES = "analyses"
QUARANTINE = "quarantine"
LOCKS = "locks"
RUN_FILES = ("indicators.parquet", "events.parquet", "manifest.json")
TABLE_NAME = re.compile(r"^[a-z][a-z0-9_]*$")

RUN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("key", "VARCHAR PRIMARY KEY"),
    ("scenario", "VARCHAR"),
    ("title", "VARCHAR"),
    ("scenario_hash", "VARCHAR"),
    ("seed", "VARCHAR"),  # decimal: member seeds have 128 bits
    ("scales", "VARCHAR"),
    ("source_hash", "VARCHAR"),
    ("package_version", "VARCHAR"),
    ("start_date", "DATE"),
    ("end_date", "DATE"),
    ("steps", "INTEGER"),
    ("events", "INTEGER"),
    ("interventions", "VARCHAR"),
    ("consolidated_on", "DATE"),
    ("turn_of_1928", "DATE"),
    ("wall_time_s", "DOUBLE"),
)
DATE_COLUMNS = ("start_date", "end_date", "consolidated_on", "turn_of_1928")
LOCK_TIMEOUT_S = 15.0  # how long to wait for another process's write (THERMIDOR_LOCK_TIMEOUT)
REBUILD_HINT = "rebuild the index from the run files with `thermidor store rebuild --force`"


# -- content keys ---------------------------------------------------------------------------
def canonical(obj: Any) -> str:
    """JSON with sorted keys and no spaces: the same text for the same content."""
    return json.dumps(obj, sort_keys=True, separators=(",", ":"), allow_nan=True)


def digest(obj: Any, length: int = KEY_LENGTH) -> str:
    return hashlib.sha256(canonical(obj).encode()).hexdigest()[:length]


def content_key(
    scenario: Mapping[str, Any],
    seed: int,
    scales: Mapping[str, int],
    source_hash: str,
    steps: int | None = None,
) -> str:
    """The key of a run: a hash of what determines its bytes. ``steps`` only for a run cut
    short by ``run(..., until=)``, whose manifest's scenario still names the full span."""
    content: dict[str, Any] = {
        "scenario": json.loads(canonical(scenario)),
        "seed": int(seed),
        "scales": dict(scales),
        "source_hash": source_hash,
    }
    if steps is not None:
        content["steps"] = int(steps)
    return digest(content)


def calendar_steps(run_spec: Mapping[str, Any]) -> int:
    """Steps of a scenario's ``run`` table (start, end, step_days), as the engine counts them."""
    start = dt.date.fromisoformat(run_spec["start"])
    end = dt.date.fromisoformat(run_spec["end"])
    return Calendar(start, end, int(run_spec["step_days"])).n_steps


def key_of(manifest: Mapping[str, Any]) -> str:
    sc = manifest["scenario"]
    cut = int(manifest["steps"]) != calendar_steps(sc["run"])
    return content_key(
        sc,
        manifest["seed"],
        manifest["scales"],
        manifest["source_hash"],
        int(manifest["steps"]) if cut else None,
    )


def index_row(result: Result, key: str) -> dict[str, Any]:
    """The run's row in the index (the same whether built from memory or from its files)."""
    m = result.manifest
    sc = m["scenario"]
    consolidated = event_date(result, CONSOLIDATION)
    turn = event_date(result, TURN_OF_1928)
    return {
        "key": key,
        "scenario": sc["name"],
        "title": sc.get("meta", {}).get("title", ""),
        "scenario_hash": digest(sc),
        "seed": str(int(m["seed"])),
        "scales": canonical(m["scales"]),
        "source_hash": m["source_hash"],
        "package_version": m.get("package_version", ""),
        "start_date": sc["run"]["start"],
        "end_date": last_date(result).isoformat(),
        "steps": int(m["steps"]),
        "events": len(result.events),
        "interventions": canonical(list(m.get("interventions", []))),
        "consolidated_on": consolidated.isoformat() if consolidated else None,
        "turn_of_1928": turn.isoformat() if turn else None,
        "wall_time_s": float(m.get("wall_time_s", float("nan"))),
    }


def write_run(result: Result, directory: Path) -> None:
    """Write a run directory unless it is already there (the same key means the same bytes).

    Two writers of one key (a rerun racing an orphan of a killed ensemble) cannot both win the
    rename; the loser finds the winner's complete directory and leaves it.
    """
    if (directory / "manifest.json").exists():
        return
    try:
        result.write(directory)
    except OSError:
        if not (directory / "manifest.json").exists():
            raise


@dataclass
class VerifyReport:
    good: int = 0
    quarantined: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    index_rows_dropped: int = 0


def _me() -> str:
    return f"{socket.gethostname()} {os.getpid()} {_started(os.getpid())}\n"


def _started(pid: int) -> str:
    """When process ``pid`` started (so that a reused PID is not taken for the lock's owner)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return "?"


def lock_alive(path: Path) -> bool:
    """Whether the process that wrote this lock file still runs. A lock from another host is
    taken as alive (its process cannot be seen from here)."""
    try:
        host, pid, started = path.read_text().split()
    except (OSError, ValueError):
        return path.exists() and time.time() - path.stat().st_mtime < 5.0  # being written
    if host != socket.gethostname():
        return True
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return started == "?" or _started(int(pid)) == started


@dataclass
class RebuildReport:
    runs: int
    analyses: dict[str, int] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    replaced_corrupt: bool = False


class Store:
    """Run directories under ``root`` and their DuckDB index (``root/thermidor.duckdb``).

    Waits up to ``lock_timeout`` seconds (default 15, or ``$THERMIDOR_LOCK_TIMEOUT``) for
    another process's connection before raising ``StoreError``."""

    def __init__(
        self,
        root: str | Path = "runs",
        db: str | Path | None = None,
        *,
        lock_timeout: float | None = None,
    ) -> None:
        self.root = Path(root)
        self.db = Path(db) if db is not None else self.root / DB_NAME
        if lock_timeout is None:
            lock_timeout = float(os.environ.get("THERMIDOR_LOCK_TIMEOUT", LOCK_TIMEOUT_S))
        self.lock_timeout = lock_timeout

        try:
            is_file = self.root.exists() and not self.root.is_dir()
        except OSError as e:  # a name too long, a loop of links
            raise StoreError(
                self.root, f"not usable ({e.strerror or e})", "a store directory"
            ) from None
        if is_file:
            raise StoreError(self.root, "a file, not a directory", "a store directory", "unusable")
        self._verified: dict[str, tuple[Any, ...]] = {}  # key -> the files' stat when verified

    def __repr__(self) -> str:
        return f"Store({str(self.root)!r}, db={str(self.db)!r})"

    def check_writable(self) -> None:
        """Before anything is computed: the store's directory exists or can be made, and can be
        written."""
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as e:
            raise StoreError(
                self.root,
                f"cannot be created ({e.strerror or e})",
                "a directory this user can write",
            ) from None
        if not os.access(self.root, os.W_OK | os.X_OK):
            raise StoreError(self.root, "not writable", "a directory this user can write")

    def check_exists(self) -> None:
        if not self.root.is_dir():
            raise StoreError(self.root, "no such store", "the directory of an existing store")

    # -- verification and quarantine ----------------------------------------------------------
    def problems(self, key: str) -> list[str]:
        """What is wrong with a stored run (empty: nothing). A run already verified, whose files
        have not changed since, is not hashed again."""
        d = self.path_of(key)
        try:
            stat = tuple((s.st_size, s.st_mtime_ns, s.st_ino) for s in
                         (os.stat(d / f) for f in RUN_FILES))  # fmt: skip
        except OSError:
            return ["incomplete: " + ", ".join(f for f in RUN_FILES if not (d / f).is_file())]
        if self._verified.get(key) == stat:
            return []
        found = problems(d)
        if not found:
            try:
                got = key_of(json.loads((d / "manifest.json").read_text()))
            except (KeyError, TypeError, ValueError, ScenarioError) as e:
                found.append(f"manifest.json: not a run's manifest ({_first_line(e)})")
            else:
                if got != key:
                    found.append(f"manifest.json: its content key is {got}, not {key}")
        if not found:
            self._verified[key] = stat
        return found

    def verified(self, key: str) -> bool:
        """Whether the store holds this run whole. A run whose files fail verification is
        quarantined (and so no longer held), and so is an incomplete one (a run directory
        appears whole, by a rename, or not at all)."""
        if not self.path_of(key).is_dir():
            return False
        found = self.problems(key)
        if found:
            self.quarantine(key, found)
            return False
        return True

    def quarantine(self, key: str, found: Sequence[str]) -> Path | None:
        """Move a run directory to ``quarantine/<key>.<time>/`` with ``NOTE.txt`` saying what was
        wrong, and drop its index row (when the index is free). Returns where it went (None if
        another process moved it first)."""
        self._verified.pop(key, None)
        when = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S.%fZ")
        folder = self.root / QUARANTINE
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{key}.{when}"
        try:
            os.replace(self.path_of(key), target)
        except FileNotFoundError:
            return None
        note = (
            f"run {key} was quarantined on {when} by PID {os.getpid()}:\n"
            + "".join(f"  {line}\n" for line in found)
            + "The next `thermidor ensemble` that needs it computes it again; this directory can "
            "be deleted.\n"
        )
        (target / "NOTE.txt").write_text(note)
        if self.db.exists():
            with contextlib.suppress(StoreError, duckdb.Error), self._writing(0.5) as con:
                con.execute("DELETE FROM runs WHERE key = ?", [key])
        return target

    def quarantined(self) -> list[Path]:
        folder = self.root / QUARANTINE
        return sorted(folder.iterdir()) if folder.is_dir() else []

    def verify(self) -> VerifyReport:
        """Verify every run; quarantine those that fail; remove what killed writers left
        half-written and locks whose process is gone; drop index rows whose runs are gone."""
        report = VerifyReport()
        for d in self.run_dirs():
            found = self.problems(d.name)
            if found:
                self.quarantine(d.name, found)
                report.quarantined.append(f"{d.name}: {'; '.join(found)}")
            else:
                report.good += 1
        if self.root.is_dir():
            for p in sorted(self.root.glob(".*")):
                name = p.name[1:].split(".")[0]
                if KEY.match(name) and not lock_alive(self.lock_path(name)):
                    shutil.rmtree(p, ignore_errors=True)
                    report.removed.append(p.name)
        locks = self.root / LOCKS
        if locks.is_dir():
            for p in sorted(locks.glob("*.lock")):
                if not lock_alive(p):
                    p.unlink(missing_ok=True)
                    report.removed.append(f"{LOCKS}/{p.name}")
        if self.db.exists():
            report.index_rows_dropped = self.sync()
        return report

    # -- claims: one computer per key -----------------------------------------------------------
    def lock_path(self, key: str) -> Path:
        return self.root / LOCKS / f"{key}.lock"

    def claim(self, key: str) -> bool:
        """Claim the right to compute ``key``: True if this process now holds its lock (a lock
        whose process is gone is taken over), False if a live process holds it."""
        path = self.lock_path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
            except FileExistsError:
                if lock_alive(path):
                    return False
                path.unlink(missing_ok=True)  # stale: its process is gone
                continue
            with os.fdopen(fd, "w") as f:
                f.write(_me())
            return True
        return False

    def release(self, key: str) -> None:
        path = self.lock_path(key)
        with contextlib.suppress(OSError):
            if path.read_text() == _me():
                path.unlink()

    # -- files ------------------------------------------------------------------------------
    def path_of(self, key: str) -> Path:
        return self.root / key

    def has_run(self, key: str) -> bool:
        d = self.path_of(key)
        return all((d / f).is_file() for f in RUN_FILES)

    def run_dirs(self) -> list[Path]:
        """Every complete run directory, by key (temporary and foreign directories ignored)."""
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if KEY.match(p.name) and self.has_run(p.name))

    def load(self, key: str) -> Result:
        """A stored run, verified: a run whose files fail is quarantined and ``StoreError``
        (reason ``corrupt``) says so."""
        if not self.has_run(key):
            raise LabError("run", key, f"the key of a run stored in {self.root}")
        found = self.problems(key)
        if found:
            where = self.quarantine(key, found)
            raise StoreError(
                self.path_of(key),
                f"run {key} is corrupt ({'; '.join(found)}); moved to {where}",
                "run the ensemble again to compute it anew",
                "corrupt",
            )
        return read(self.path_of(key))

    def write(self, result: Result) -> str:
        """Write one run's files and index it (for runs made in this process)."""
        key = key_of(result.manifest)
        write_run(result, self.path_of(key))
        self.index([index_row(result, key)])
        return key

    def clean_temporary(self, keys: Iterable[str]) -> None:
        """Remove what a killed writer of these keys left half-written (hidden temp dirs)."""
        for key in keys:
            for p in self.root.glob(f".{key}.*"):
                shutil.rmtree(p, ignore_errors=True)

    # -- connections --------------------------------------------------------------------------
    def _connect(
        self, path: Path, read_only: bool, timeout: float | None = None
    ) -> duckdb.DuckDBPyConnection:
        wait = self.lock_timeout if timeout is None else timeout
        deadline = time.monotonic() + wait
        while True:
            try:
                return duckdb.connect(str(path), read_only=read_only)
            except duckdb.Error as e:
                if not _is_lock(e):
                    raise _store_error(path, e) from None
                if time.monotonic() >= deadline:
                    raise StoreError(
                        path,
                        f"locked by another process{_holder(e)} for {wait:g} s",
                        "wait for it to finish (or stop it) and try again; nothing was written",
                        "locked",
                    ) from None
                time.sleep(0.1)

    @contextlib.contextmanager
    def _writing(self, timeout: float | None = None) -> Iterator[duckdb.DuckDBPyConnection]:
        """A read-write connection held only for one transaction."""
        self.db.parent.mkdir(parents=True, exist_ok=True)
        con = self._connect(self.db, read_only=False, timeout=timeout)
        try:
            _check_schema(con, self.db, "main", create=True)
            con.execute("BEGIN TRANSACTION")
            try:
                yield con
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()

    @contextlib.contextmanager
    def _reading(self, sql: str = "") -> Iterator[duckdb.DuckDBPyConnection]:
        """An in-memory connection with the index attached read-only and views over it."""
        con = duckdb.connect(":memory:")
        try:
            tables: list[str] = []
            if self.db.exists():
                self._attach(con)
                tables = [
                    r[0]
                    for r in con.execute(
                        "SELECT table_name FROM information_schema.tables "
                        "WHERE table_catalog = 'idx' AND table_name <> 'meta'"
                    ).fetchall()
                ]
                for t in tables:
                    con.execute(f'CREATE TEMP VIEW "{t}" AS SELECT * FROM idx.main."{t}"')
            if "runs" not in tables:
                con.execute(f"CREATE TEMP TABLE runs ({_runs_ddl(primary=False)})")
            for name in ("indicators", "events"):
                if not sql or re.search(rf"\b{name}\b", sql, re.IGNORECASE):
                    self._parquet_view(con, name)
            yield con
        finally:
            con.close()

    def _attach(self, con: duckdb.DuckDBPyConnection) -> None:
        deadline = time.monotonic() + self.lock_timeout
        path = str(self.db).replace("'", "''")
        while True:
            try:
                con.execute(f"ATTACH '{path}' AS idx (READ_ONLY)")
                break
            except duckdb.Error as e:
                if not _is_lock(e):
                    raise _store_error(self.db, e) from None
                if time.monotonic() >= deadline:
                    raise StoreError(
                        self.db,
                        f"locked by another process{_holder(e)} for {self.lock_timeout:g} s",
                        "wait for it to finish (or stop it) and try again",
                        "locked",
                    ) from None
                time.sleep(0.1)
        _check_schema(con, self.db, "idx", create=False)

    def _parquet_view(self, con: duckdb.DuckDBPyConnection, name: str) -> None:
        files = [str(d / f"{name}.parquet") for d in self.run_dirs() if self.verified(d.name)]
        if not files:
            con.execute(
                f"CREATE TEMP VIEW {name} AS SELECT NULL::VARCHAR AS key, NULL::INTEGER AS step,"
                " NULL::DATE AS date WHERE false"
            )
            return
        listed = ", ".join("'" + f.replace("'", "''") + "'" for f in files)
        con.execute(
            f"CREATE TEMP VIEW {name} AS SELECT "
            f"regexp_extract(filename, '([0-9a-f]{{{KEY_LENGTH}}})[/\\\\]{name}\\.parquet$', 1)"
            f" AS key, * EXCLUDE (filename) FROM read_parquet([{listed}], filename = true,"
            " union_by_name = true)"
        )

    # -- reading ------------------------------------------------------------------------------
    def query(self, sql: str, params: Sequence[Any] | None = None) -> pd.DataFrame:
        """Any SQL over the index (``runs`` and the analysis tables) and over the run files
        (``indicators`` and ``events``, each with the run's ``key``), as a DataFrame."""
        with self._reading(sql) as con:
            try:
                got = con.execute(sql, params or [])
                if got is None:  # an empty statement
                    raise LabError("sql", sql, "a query (SELECT ...)")
                return got.df()
            except (duckdb.Error, AttributeError, TypeError, ValueError) as e:
                if isinstance(e, LabError):
                    raise
                raise LabError("sql", sql, f"a valid query ({_first_line(e)})") from None

    def runs(self, scenario: str | None = None) -> pd.DataFrame:
        """The index's runs, seeds as Python integers (they may exceed 64 bits)."""
        order = "length(seed), seed, key"
        if scenario is None:
            frame = self.query(f"SELECT * FROM runs ORDER BY scenario, {order}")
        else:
            frame = self.query(
                f"SELECT * FROM runs WHERE scenario = ? ORDER BY {order}", [scenario]
            )
        frame["seed"] = pd.Series([int(s) for s in frame["seed"]], index=frame.index, dtype=object)
        return frame

    def indexed_keys(self) -> set[str]:
        return set(self.query("SELECT key FROM runs")["key"])

    def tables(self) -> list[str]:
        with self._reading("-") as con:
            rows = con.execute(
                "SELECT table_name FROM information_schema.tables "
                "WHERE table_catalog = 'idx' AND table_name <> 'meta'"
            ).fetchall()
        return sorted(r[0] for r in rows)

    # -- writing the index ------------------------------------------------------------------
    def index(self, rows: Sequence[Mapping[str, Any]], timeout: float | None = None) -> None:
        """Upsert rows of the ``runs`` table (one short transaction); wait at most ``timeout``
        seconds (default ``lock_timeout``) for a reader to let go."""
        if not rows:
            return
        frame = _runs_frame(rows)
        with self._writing(timeout) as con:
            _insert_runs(con, frame)

    def sync(self, keys: Iterable[str] | None = None) -> int:
        """Index run files that the index lacks (after a crash between a write and its index
        entry). With ``keys=None`` also drop rows whose files are gone. Returns rows changed."""
        indexed = self.indexed_keys() if self.db.exists() else set()
        wanted = [k for k in keys if self.verified(k)] if keys is not None else None
        on_disk = (
            wanted
            if wanted is not None
            else [d.name for d in self.run_dirs() if self.verified(d.name)]
        )
        missing = [k for k in on_disk if k not in indexed]
        rows = [index_row(read(self.path_of(k)), k) for k in missing]
        gone = sorted(indexed - set(on_disk)) if keys is None else []
        if rows or gone:
            frame = _runs_frame(rows) if rows else None
            with self._writing() as con:
                if frame is not None:
                    _insert_runs(con, frame)
                for k in gone:
                    con.execute("DELETE FROM runs WHERE key = ?", [k])
        return len(rows) + len(gone)

    def rebuild(self, force: bool = False) -> RebuildReport:
        """Rebuild the whole index from the files. A corrupt index is replaced only with
        ``force``; a locked one is never touched."""
        self.check_exists()
        rows, skipped = [], []
        for d in self.run_dirs():
            found = self.problems(d.name)
            if found:  # quarantined, to be computed again by the next ensemble
                self.quarantine(d.name, found)
                skipped.append(f"{d.name}: quarantined ({'; '.join(found)})")
                continue
            rows.append(index_row(read(d), d.name))
        frames = self._analysis_frames()
        report = RebuildReport(
            runs=len(rows), analyses={t: len(f) for t, f in frames.items()}, skipped=skipped
        )

        def fill(con: duckdb.DuckDBPyConnection) -> None:
            con.execute("DELETE FROM runs")
            if rows:
                _insert_runs(con, _runs_frame(rows))
            for t in _existing_tables(con):
                if t not in ("runs", "meta"):
                    con.execute(f'DROP TABLE "{t}"')
            for t, frame in frames.items():
                con.register("frame", frame)
                con.execute(f'CREATE TABLE "{t}" AS SELECT * FROM frame')
                con.unregister("frame")

        try:
            with self._writing() as con:
                fill(con)
        except StoreError as e:
            if e.reason != "unusable" or not force:
                raise
            tmp = self.db.with_name(f".{self.db.name}.{os.getpid()}.rebuild")
            tmp.unlink(missing_ok=True)
            con = duckdb.connect(str(tmp))
            try:
                _check_schema(con, tmp, "main", create=True)
                fill(con)
            finally:
                con.close()
            os.replace(tmp, self.db)
            self.db.with_name(self.db.name + ".wal").unlink(missing_ok=True)
            report.replaced_corrupt = True
        return report

    # -- analyses (sensitivity indices, posteriors): files first, then the index -----------
    def save_analysis(self, table: str, analysis: str, frame: pd.DataFrame) -> Path:
        """Write ``analyses/<table>/<analysis>.parquet`` atomically, then upsert its rows into
        the index table ``table`` (whose column ``analysis`` names them)."""
        if not TABLE_NAME.match(table) or table in ("runs", "meta", "indicators", "events"):
            raise LabError("table", table, "a lower-case name other than runs, meta, indicators")
        frame = frame.assign(analysis=analysis)
        frame = frame[["analysis", *[c for c in frame.columns if c != "analysis"]]]
        folder = self.root / ANALYSES / table
        folder.mkdir(parents=True, exist_ok=True)
        target = folder / f"{analysis}.parquet"
        fd, tmp = tempfile.mkstemp(prefix=f".{analysis}.", suffix=".parquet", dir=folder)
        os.close(fd)
        try:
            frame.to_parquet(tmp, index=False)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        with self._writing() as con:
            con.register("frame", frame)
            if table in _existing_tables(con):
                con.execute(f'DELETE FROM "{table}" WHERE analysis = ?', [analysis])
                con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM frame')
            else:
                con.execute(f'CREATE TABLE "{table}" AS SELECT * FROM frame')
            con.unregister("frame")
        return target

    def analysis(self, table: str, analysis: str | None = None) -> pd.DataFrame:
        if table not in self.tables():
            raise LabError("table", table, f"one of {', '.join(self.tables()) or '(none yet)'}")
        if analysis is None:
            return self.query(f'SELECT * FROM "{table}"')
        return self.query(f'SELECT * FROM "{table}" WHERE analysis = ?', [analysis])

    def _analysis_frames(self) -> dict[str, pd.DataFrame]:
        out: dict[str, pd.DataFrame] = {}
        base = self.root / ANALYSES
        if not base.is_dir():
            return out
        for folder in sorted(p for p in base.iterdir() if p.is_dir()):
            if not TABLE_NAME.match(folder.name):
                continue
            parts = [
                pd.read_parquet(f)
                for f in sorted(folder.glob("*.parquet"))
                if not f.name.startswith(".")
            ]
            if parts:
                out[folder.name] = pd.concat(parts, ignore_index=True)
        return out


# -- helpers --------------------------------------------------------------------------------
def _runs_ddl(primary: bool = True) -> str:
    cols = []
    for name, sqltype in RUN_COLUMNS:
        if not primary:
            sqltype = sqltype.replace(" PRIMARY KEY", "")
        cols.append(f"{name} {sqltype}")
    return ", ".join(cols)


def _runs_frame(rows: Sequence[Mapping[str, Any]]) -> pd.DataFrame:
    frame = pd.DataFrame([{name: r[name] for name, _ in RUN_COLUMNS} for r in rows])
    return frame.astype({"seed": "str", "steps": "int32", "events": "int32"})


def _insert_runs(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame) -> None:
    casts = ", ".join(f"CAST({c} AS DATE) AS {c}" for c in DATE_COLUMNS)
    con.register("batch", frame)
    con.execute(f"INSERT OR REPLACE INTO runs BY NAME SELECT * REPLACE ({casts}) FROM batch")
    con.unregister("batch")


def _existing_tables(con: duckdb.DuckDBPyConnection, catalog: str | None = None) -> list[str]:
    where = f"table_catalog = '{catalog}'" if catalog else "table_schema = 'main'"
    q = f"SELECT table_name FROM information_schema.tables WHERE {where}"
    if catalog is None:
        q += " AND table_catalog = current_database()"
    return [r[0] for r in con.execute(q).fetchall()]


def _check_schema(con: duckdb.DuckDBPyConnection, path: Path, catalog: str, create: bool) -> None:
    """Create the index's tables in an empty file; refuse a file that is not a thermidor index."""
    tables = _existing_tables(con, None if catalog == "main" else catalog)
    prefix = "" if catalog == "main" else f"{catalog}."
    if not tables and create:
        con.execute("CREATE TABLE meta (name VARCHAR PRIMARY KEY, value VARCHAR)")
        con.execute("INSERT INTO meta VALUES ('index_version', ?)", [INDEX_VERSION])
        con.execute(f"CREATE TABLE runs ({_runs_ddl()})")
        return
    if not tables:
        return  # an empty file: read as an empty store
    if "meta" not in tables or "runs" not in tables:
        raise StoreError(
            path, "not a thermidor index (no meta and runs tables)", REBUILD_HINT, "unusable"
        )
    row = con.execute(f"SELECT value FROM {prefix}meta WHERE name = 'index_version'").fetchone()
    if row is None or row[0] != INDEX_VERSION:
        raise StoreError(
            path,
            f"index version {row[0] if row else 'missing'}, this code reads {INDEX_VERSION}",
            REBUILD_HINT,
            "unusable",
        )


def _is_lock(e: Exception) -> bool:
    # "Unique file handle conflict": the file is open in this same process (a web server's job
    # thread writing the index while a request reads it); it is a lock like the others, held
    # for as long as one write takes
    text = str(e)
    return (
        "Could not set lock" in text
        or "Conflicting lock" in text
        or "Unique file handle conflict" in text
    )


def _holder(e: Exception) -> str:
    m = re.search(r"\(PID (\d+)\)", str(e))
    return f" (PID {m[1]})" if m else ""


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0]


def _store_error(path: Path, e: Exception) -> StoreError:
    text = _first_line(e)
    if "not a valid DuckDB database" in text:
        problem = "not a DuckDB database (corrupt, or another kind of file)"
    else:
        problem = f"cannot be opened ({text})"
    return StoreError(path, problem, REBUILD_HINT, "unusable")
