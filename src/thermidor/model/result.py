"""A run's result: indicators, events and manifest; written atomically as a run directory."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from thermidor.engine import Event
from thermidor.model.errors import OutputError, ScenarioError
from thermidor.model.indicators import UNITS

SCHEMA_VERSION = 1


@dataclass(repr=False)
class Result:
    """What ``thermidor.run`` returns. Pure data: picklable, comparable.

    ``columns`` maps indicator names to float64 arrays over steps; ``dates`` holds each step's
    first day (``datetime64[D]``).
    """

    dates: np.ndarray
    columns: dict[str, np.ndarray]
    events: list[Event]
    manifest: dict[str, Any]
    ledger: dict[str, Any] = field(default_factory=dict)

    # -- notebooks --------------------------------------------------------------------------
    def _summary(self) -> list[tuple[str, str]]:
        m = self.manifest
        span = f"{self.dates[0]} to {self.dates[-1]}" if self.dates.size else "no steps"
        rows = [
            ("scenario", str(m.get("scenario", {}).get("name", "?"))),
            ("seed", str(m.get("seed", "?"))),
            ("period", f"{span} ({self.dates.size} steps)"),
            ("indicators", str(len(self.columns))),
            ("events", str(len(self.events))),
        ]
        if m.get("interventions"):
            rows.append(("interventions", "; ".join(map(str, m["interventions"]))))
        return rows

    def __repr__(self) -> str:
        """One line (the arrays are in ``indicators`` and ``columns``)."""
        d = dict(self._summary())
        extra = f", interventions: {d['interventions']}" if "interventions" in d else ""
        return (
            f"<Result {d['scenario']} seed {d['seed']}: {d['period']}, {d['indicators']} "
            f"indicators, {d['events']} events{extra}>"
        )

    def _repr_html_(self) -> str:
        """A short table for Jupyter: what was run, and the run's first events."""
        from html import escape

        rows = "".join(
            f"<tr><th style='text-align:left'>{escape(k)}</th><td style='text-align:left'>"
            f"{escape(v)}</td></tr>"
            for k, v in self._summary()
        )
        shown = [e for e in self.events if e.kind != "soviet_election"][:8]
        events = "".join(
            f"<li><span style='white-space:nowrap'>{self.dates[e.step]}</span> "
            f"{escape(e.text)}</li>"
            for e in shown
        )
        more = len([e for e in self.events if e.kind != "soviet_election"]) - len(shown)
        tail = f"<li>… {more} more (<code>events_frame()</code>)</li>" if more > 0 else ""
        return (
            f"<div><strong>thermidor Result</strong><table>{rows}</table>"
            f"<ul>{events}{tail}</ul></div>"
        )

    # -- views ------------------------------------------------------------------------------
    @property
    def indicators(self) -> pd.DataFrame:
        df = pd.DataFrame({"step": np.arange(self.dates.size), "date": self.dates})
        return pd.concat([df, pd.DataFrame(self.columns)], axis=1)

    def to_pandas(self) -> pd.DataFrame:
        """Indicators as a DataFrame indexed by date (Mesa's DataCollector idiom)."""
        return self.indicators.set_index("date")

    def events_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "step": [e.step for e in self.events],
                "date": [self.dates[e.step] for e in self.events],
                "kind": [e.kind for e in self.events],
                "text": [e.text for e in self.events],
                "data": [e.data_json() for e in self.events],
            }
        )

    def first(self, kind: str, **match: Any) -> Event | None:
        for e in self.events:
            if e.kind == kind and all(e.data.get(k) == v for k, v in match.items()):
                return e
        return None

    def date_of(self, event: Event) -> dt.date:
        return self.dates[event.step].astype(dt.date)  # type: ignore[no-any-return]

    def chronology(self) -> list[tuple[str, str]]:
        skip = {"soviet_election"}
        return [(str(self.dates[e.step]), e.text) for e in self.events if e.kind not in skip]

    # -- files ------------------------------------------------------------------------------
    def indicators_table(self) -> pa.Table:
        fields = [pa.field("step", pa.int32()), pa.field("date", pa.date32())]
        arrays: list[pa.Array] = [
            pa.array(np.arange(self.dates.size, dtype=np.int32)),
            pa.array(self.dates.astype("datetime64[D]")),
        ]
        for name, col in self.columns.items():
            fields.append(pa.field(name, pa.float64(), metadata={"unit": UNITS.get(name, "")}))
            arrays.append(pa.array(np.asarray(col, dtype=np.float64)))
        return pa.Table.from_arrays(arrays, schema=pa.schema(fields))

    def events_table(self) -> pa.Table:
        schema = pa.schema([
            pa.field("step", pa.int32()), pa.field("date", pa.date32()),
            pa.field("kind", pa.string()), pa.field("text", pa.string()),
            pa.field("data", pa.string(), metadata={"format": "JSON, sorted keys"}),
        ])  # fmt: skip
        return pa.Table.from_pydict(
            {
                "step": [e.step for e in self.events],
                "date": [self.dates[e.step].astype(dt.date) for e in self.events],
                "kind": [e.kind for e in self.events],
                "text": [e.text for e in self.events],
                "data": [e.data_json() for e in self.events],
            },
            schema=schema,
        )

    def write(self, directory: str | Path, force: bool = False) -> Path:
        """Write the run directory atomically: a temporary sibling, then a rename.

        The manifest records each data file's SHA-256 (``files``; this result's manifest too),
        so that a reader can verify them. ``check_target`` first: a file, a directory holding
        anything but a run's files, or (without ``force``) another run directory is refused;
        nothing is left behind (no temporary or ``.old`` directory) on any path."""
        target = check_target(directory, force)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        except OSError as e:
            raise OutputError(
                "out", str(target), f"a place this user can write ({e.strerror or e})"
            ) from None
        try:
            pq.write_table(self.indicators_table(), tmp / "indicators.parquet")
            pq.write_table(self.events_table(), tmp / "events.parquet")
            self.manifest["files"] = {name: checksum(tmp / name) for name in DATA_FILES}
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2, sort_keys=True))
            if target.is_dir():
                old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
                os.replace(target, old / "run")  # the old run, until the new one is in place
                try:
                    os.replace(tmp, target)
                except BaseException:
                    os.replace(old / "run", target)
                    raise
                finally:
                    shutil.rmtree(old, ignore_errors=True)
            else:
                os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target


DATA_FILES = ("indicators.parquet", "events.parquet")
RUN_FILES = (*DATA_FILES, "manifest.json")


def checksum(path: str | Path) -> str:
    """``sha256:<hex>`` of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return "sha256:" + h.hexdigest()


def is_run_dir(path: str | Path) -> bool:
    """A directory ``Result.write`` made: a manifest with a schema version, next to indicators."""
    p = Path(path)
    try:
        if not ((p / "manifest.json").is_file() and (p / "indicators.parquet").is_file()):
            return False
        return "schema_version" in json.loads((p / "manifest.json").read_text())
    except (OSError, ValueError, TypeError):  # a name too long, a manifest that is not JSON
        return False


def check_target(directory: str | Path, force: bool = False, option: str = "out") -> Path:
    """Where a run directory may be written (checked before a run, and again by ``write``):
    a new or empty directory, or, with ``force``, a run directory holding only a run's files.
    Anything else raises ``OutputError``: nothing of the user's is ever replaced."""
    try:
        return _check_target(Path(directory), force, option)
    except OSError as e:  # a name too long, a loop of links
        raise OutputError(option, str(directory), f"a usable path ({e.strerror or e})") from None


def _check_target(target: Path, force: bool, option: str) -> Path:
    if target.exists() and not target.is_dir():
        raise OutputError(option, str(target), "a directory for the run (this is a file)")
    if target.is_dir():
        entries = sorted(p.name for p in target.iterdir())
        if entries and not is_run_dir(target):
            shown = ", ".join(entries[:3]) + (", ..." if len(entries) > 3 else "")
            raise OutputError(
                option, str(target),
                f"a new or empty directory (this one holds {shown}, not a thermidor run)",
            )  # fmt: skip
        foreign = [e for e in entries if e not in RUN_FILES]
        if foreign:
            raise OutputError(
                option, str(target),
                f"a run directory holding only {', '.join(RUN_FILES)} (move {', '.join(foreign)})",
            )  # fmt: skip
        if entries and not force:
            raise OutputError(
                option, str(target), "a new directory, or --force to replace this run directory"
            )
    return writable_place(target, option, (target, *target.parents))


def writable_place(target: Path, option: str, places: Any = None) -> Path:
    """``target`` if the first of ``places`` (default: its parents) that exists is a directory
    this user can write; else ``OutputError`` naming ``option``."""
    for up in target.parents if places is None else places:
        if up.exists():
            if not up.is_dir():
                raise OutputError(
                    option, str(target), f"a path through directories ({up} is a file)"
                )
            if not os.access(up, os.W_OK | os.X_OK):
                raise OutputError(option, str(target), f"a place this user can write ({up} is not)")
            break
    return target


def problems(directory: str | Path) -> list[str]:
    """What is wrong with a run directory's files (empty: nothing): each data file against the
    checksum its manifest records; a run written before checksums, whether its files parse."""
    d = Path(directory)
    try:
        manifest = json.loads((d / "manifest.json").read_text())
    except (OSError, ValueError) as e:
        return [f"manifest.json: unreadable ({_first_line(e)})"]
    if not isinstance(manifest, dict):
        return ["manifest.json: not a JSON object"]
    files = manifest.get("files")
    out = []
    for name in DATA_FILES:
        try:
            if isinstance(files, dict):
                got = checksum(d / name)
                if got != files.get(name):
                    out.append(f"{name}: its SHA-256 is not the one its manifest records")
            else:
                pq.read_metadata(d / name)
        except (OSError, pa.ArrowException) as e:
            out.append(f"{name}: unreadable ({_first_line(e)})")
    return out


def _first_line(e: BaseException) -> str:
    return (str(e).strip().splitlines() or [type(e).__name__])[0][:160]


def read(directory: str | Path, verify: bool = False) -> Result:
    """Read a run directory written by ``Result.write``; ``verify``: check its files against
    their checksums first. Files that cannot be read raise ``ScenarioError`` naming them."""
    d = Path(directory)
    if verify and (found := problems(d)):
        raise ScenarioError(
            "run", str(d), "a run directory whose files are whole", "; ".join(found)
        )
    try:
        return _read(d)
    except (OSError, ValueError, KeyError, TypeError, pa.ArrowException) as e:
        raise ScenarioError("run", str(d), "a readable run directory", _first_line(e)) from None


def _read(d: Path) -> Result:
    ind = pq.read_table(d / "indicators.parquet").to_pandas()
    ev = pq.read_table(d / "events.parquet").to_pandas()
    dates = ind["date"].to_numpy().astype("datetime64[D]")
    cols = {c: ind[c].to_numpy() for c in ind.columns if c not in ("step", "date")}
    events = [
        Event(int(r.step), str(r.kind), str(r.text), json.loads(r.data))
        for r in ev.itertuples(index=False)
    ]
    manifest = json.loads((d / "manifest.json").read_text())
    return Result(dates=dates, columns=cols, events=events, manifest=manifest)
