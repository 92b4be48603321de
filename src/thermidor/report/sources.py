"""Where a report's runs come from: a run directory, or seeds of scenarios — read from the lab's
store when it holds the run (its content key: the scenario resolved in full, the seed, the scales,
the source), run otherwise and stored, since a run is a pure function of those."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from thermidor.lab.ensemble import Progress, ScenarioArg, plan, run_jobs
from thermidor.lab.executors import executor
from thermidor.lab.store import ANALYSES, Store
from thermidor.model.errors import ScenarioError
from thermidor.model.result import Result, is_run_dir, read
from thermidor.model.run import ScaleArg
from thermidor.report.groups import Group
from thermidor.report.page import Sensitivity


def run_dir_group(path: str | Path) -> Group:
    p = Path(path)
    if not is_run_dir(p):
        raise ScenarioError(
            "RUN_DIR", str(path), "a run directory (with manifest.json and indicators.parquet)"
        )
    r = read(p, verify=True)
    return Group(group_label(r), [r])


def group_label(r: Result) -> str:
    sc = r.manifest.get("scenario", {})
    return f"{sc.get('name', 'run')} (seed {r.manifest.get('seed', '?')})"


def scenario_group(
    scenario: ScenarioArg,
    seeds: Sequence[int],
    scale: ScaleArg = None,
    until: str | dt.date | None = None,
    *,
    store: Store,
    workers: int | None = None,
    label: str | None = None,
    on_progress: Progress | None = None,
) -> Group:
    """Every seed of one scenario, as the lab's ensembles make them: runs the store holds are
    read, the rest are run on local processes and stored (``on_progress(done, total, stored)``)."""
    p = plan(scenario, seeds, scale, until)
    with executor("local", workers=workers) as ex:
        run_jobs(p.jobs(str(store.root.resolve())), store, ex, on_progress)
    return Group(label or p.scenario.meta.get("title") or p.scenario.name,
                 [store.load(k) for k in p.keys])  # fmt: skip


# -- sensitivity indices, when the store has them -----------------------------------------------
def sensitivity_for(store: Store, scenario: str | None = None) -> Sensitivity | None:
    """The newest analysis in the store's ``sensitivity`` table (``thermidor sensitivity``), or
    None if there is none. Where the table records the scenario, only that scenario's count."""
    try:
        if "sensitivity" not in store.tables():
            return None
        frame = store.analysis("sensitivity")
    except (ScenarioError, OSError):
        return None
    if scenario is not None and "scenario" in frame.columns:
        frame = frame[frame["scenario"] == scenario]
    if frame.empty or "analysis" not in frame.columns:
        return None
    folder = store.root / ANALYSES / "sensitivity"

    def age(a: str) -> float:
        f = folder / f"{a}.parquet"
        return f.stat().st_mtime if f.is_file() else 0.0

    newest = max(frame["analysis"].astype(str).unique(), key=lambda a: (age(a), a))
    frame = frame[frame["analysis"] == newest]
    records = [{k: _plain(v) for k, v in r.items()} for r in frame.to_dict("records")]
    first = records[0]
    about = {k: first.get(k) for k in ("budget", "trajectories", "runs", "until", "source_hash")}
    return Sensitivity(
        analysis=newest,
        sobol=[r for r in records if r.get("method") == "sobol"],
        morris=[r for r in records if r.get("method") == "morris"],
        about={k: v for k, v in about.items() if v is not None},
    )


def _plain(v: Any) -> Any:
    if v is None or isinstance(v, str):
        return v
    try:
        return None if pd.isna(v) else (float(v) if not isinstance(v, (int, bool)) else v)
    except (TypeError, ValueError):
        return str(v)
