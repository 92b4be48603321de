"""A run's result: indicators, events and manifest; written atomically as a run directory."""

from __future__ import annotations

import datetime as dt
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

    def write(self, directory: str | Path) -> Path:
        """Write the run directory atomically: a temporary sibling, then a rename."""
        target = Path(directory)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
        try:
            pq.write_table(self.indicators_table(), tmp / "indicators.parquet")
            pq.write_table(self.events_table(), tmp / "events.parquet")
            (tmp / "manifest.json").write_text(json.dumps(self.manifest, indent=2, sort_keys=True))
            if target.exists():
                old = target.with_name(f".{target.name}.old")
                if old.exists():
                    shutil.rmtree(old)
                os.replace(target, old)
                os.replace(tmp, target)
                shutil.rmtree(old)
            else:
                os.replace(tmp, target)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return target


def read(directory: str | Path) -> Result:
    """Read a run directory written by ``Result.write``."""
    d = Path(directory)
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
