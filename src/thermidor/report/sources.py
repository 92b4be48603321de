"""Where a report's runs come from: a run directory, or seeds of scenarios — read from the lab's
store when it holds the run (its content key: the scenario resolved in full, the seed, the scales,
the source), run otherwise and stored, since a run is a pure function of those."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from thermidor.lab.ensemble import run_many
from thermidor.lab.store import Store, content_key
from thermidor.model.errors import ScenarioError
from thermidor.model.params import BY_NAME
from thermidor.model.result import Result, read
from thermidor.model.run import ScaleArg, resolve_scales, source_hash
from thermidor.model.scenario import Scenario, load
from thermidor.report.groups import Group
from thermidor.report.page import Sensitivity

OnDone = Callable[[int, Result], None]


def is_run_dir(path: str | Path) -> bool:
    p = Path(path)
    return (p / "manifest.json").is_file() and (p / "indicators.parquet").is_file()


def run_dir_group(path: str | Path) -> Group:
    p = Path(path)
    if not is_run_dir(p):
        raise ScenarioError(
            "RUN_DIR", str(path), "a run directory (with manifest.json and indicators.parquet)"
        )
    r = read(p)
    return Group(group_label(r), [r])


def group_label(r: Result) -> str:
    sc = r.manifest.get("scenario", {})
    return f"{sc.get('name', 'run')} (seed {r.manifest.get('seed', '?')})"


def key_for(sc: Scenario, seed: int, scales: dict[str, int]) -> str:
    return content_key(sc.to_dict(), seed, scales, source_hash())


def scenario_group(
    scenario: str | Path | dict[str, Any] | Scenario,
    seeds: Sequence[int],
    scale: ScaleArg = None,
    *,
    store: Store | None = None,
    workers: int | None = None,
    label: str | None = None,
    on_done: OnDone | None = None,
) -> Group:
    """Every seed of one scenario: stored runs where the store has them, new runs (then stored)
    for the rest. ``on_done(i, result)`` is called once per seed as it becomes available."""
    sc = load(scenario)
    scales = resolve_scales(scale)
    found: dict[int, Result] = {}
    if store is not None:
        for s in seeds:
            key = key_for(sc, s, scales)
            if store.has_run(key):
                found[s] = store.load(key)
                if on_done:
                    on_done(len(found) - 1, found[s])
    todo = [s for s in seeds if s not in found]
    if todo:
        done = len(found)

        def tick(i: int, r: Result) -> None:
            if on_done:
                on_done(done + i, r)

        results = run_many(sc, todo, scale, workers=workers, on_done=tick)
        for s, r in zip(todo, results, strict=True):
            found[s] = r
            if store is not None:
                store.write(r)
    return Group(label or sc.meta.get("title") or sc.name, [found[s] for s in seeds])


# -- sensitivity indices, when the store has them -----------------------------------------------
NAMES = ("parameter", "param", "name")
FIRST = ("first", "S1", "s1", "first_order")
TOTAL = ("total", "ST", "st", "total_order")


def sensitivity_for(store: Store, scenario: str) -> Sensitivity | None:
    """The store's latest sensitivity indices for this scenario, or None if it has none.

    Reads any analysis table whose name contains ``sensitivity``; columns are matched by the
    usual names (parameter, S1/first, ST/total, and optionally scenario, outcome, method).
    """
    try:
        tables = [t for t in store.tables() if "sensitivity" in t]
    except (ScenarioError, OSError):
        return None
    for t in tables:
        frame = store.analysis(t)
        if "scenario" in frame.columns:
            frame = frame[frame["scenario"] == scenario]
        name = _col(frame, NAMES)
        total = _col(frame, TOTAL)
        if frame.empty or name is None or total is None:
            continue
        if "analysis" in frame.columns:
            frame = frame[frame["analysis"] == sorted(frame["analysis"].astype(str))[-1]]
        first = _col(frame, FIRST)
        rows = []
        for _, r in frame.sort_values(total, ascending=False).iterrows():
            p = str(r[name])
            cls = (
                str(r["class"]) if "class" in frame.columns else getattr(BY_NAME.get(p), "cls", "")
            )
            rows.append({
                "parameter": p, "class": cls,
                "first": None if first is None or pd.isna(r[first]) else float(r[first]),
                "total": None if pd.isna(r[total]) else float(r[total]),
            })  # fmt: skip
        outcome = str(frame["outcome"].iloc[0]) if "outcome" in frame.columns else "the outcome"
        method = str(frame["method"].iloc[0]) if "method" in frame.columns else "Sensitivity"
        return Sensitivity(outcome, method, rows)
    return None


def _col(frame: pd.DataFrame, names: tuple[str, ...]) -> str | None:
    return next((n for n in names if n in frame.columns), None)
