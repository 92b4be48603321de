"""Ensembles: many seeds of one scenario, run on an executor and kept in the store.

Member ``k`` of an ensemble with root seed ``root`` runs with ``member_seed(root, k)``
(``lab/seeds.py``: 128 bits, all members in linear time), so any member can be reproduced with
``thermidor run --seed``, and two scenarios run with the same root share their seeds (common
random numbers). The manifest of each member records its root and index.

An ensemble survives being killed at any moment: each run is written atomically under its
content key by the worker that made it; a run already stored is never run again; the index is
upserted from the files. Run it again and it completes, with no run lost and none duplicated.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from thermidor.lab.errors import LabError, StoreError, portable
from thermidor.lab.executors import Executor, Serial, check_workers, default_workers
from thermidor.lab.horizon import parse_until, with_horizon
from thermidor.lab.seeds import member_record, member_seeds
from thermidor.lab.store import (
    Store,
    calendar_steps,
    content_key,
    index_row,
    key_of,
    write_run,
)
from thermidor.model.errors import ScenarioError
from thermidor.model.guards import check_memory
from thermidor.model.result import Result
from thermidor.model.run import ScaleArg, resolve_scales, run, source_hash
from thermidor.model.scenario import Scenario, load

__all__ = [
    "Done",
    "Job",
    "Plan",
    "default_workers",
    "ensemble",
    "execute",
    "parse_until",
    "plan",
    "rerun",
    "run_jobs",
    "run_many",
    "seeds_for",
    "with_horizon",
]

Progress = Callable[[int, int, int], None]  # (done, total, already stored)
ScenarioArg = str | Path | dict[str, Any] | Scenario


def seeds_for(n: int, root: int = 0) -> list[int]:
    """The seeds of members ``0 .. n-1`` of ``root``'s ensemble (``lab/seeds.py``)."""
    return member_seeds(n, root)


def run_many(
    scenario: ScenarioArg,
    seeds: Sequence[int],
    scale: ScaleArg = None,
    workers: int | None = None,
    on_done: Callable[[int, Result], None] | None = None,
) -> list[Result]:
    """Run every seed (nothing stored); results come back in the order of ``seeds``."""
    workers = check_workers(workers)
    job = partial(run, scenario, scale=scale)
    if workers <= 1 or len(seeds) == 1:
        out = []
        for i, s in enumerate(seeds):
            out.append(job(seed=s))
            if on_done:
                on_done(i, out[-1])
        return out
    with ProcessPoolExecutor(max_workers=workers) as ex:
        futures = [ex.submit(job, seed=s) for s in seeds]
        results: list[Result] = []
        for i, f in enumerate(futures):
            results.append(f.result())
            if on_done:
                on_done(i, results[-1])
    return results


# -- planning ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class Job:
    """One run to make: ``root`` is where the worker writes it (None: send the Result back)."""

    scenario: Scenario
    seed: int
    scales: dict[str, int]
    key: str
    root: str | None
    source: str
    member: dict[str, Any] | None = None  # {"root", "index"} of an ensemble's member


@dataclass(frozen=True)
class Done:
    key: str
    row: dict[str, Any]
    result: Result | None


def execute(job: Job) -> Done:
    """Run one job on a worker: run, check the key, write the run's own directory."""
    try:
        result = run(job.scenario, job.seed, job.scales)
    except ScenarioError as e:
        raise portable(e) from None
    if job.member is not None:
        result.manifest["member"] = job.member
    got = key_of(result.manifest)
    if got != job.key:
        raise LabError(
            "source_hash",
            result.manifest["source_hash"],
            f"the coordinator's ({job.source}): this worker runs other code (the source "
            "changed, or another version is installed); run the same code everywhere",
        )
    row = index_row(result, job.key)
    if job.root is None:
        return Done(job.key, row, result)
    write_run(result, Path(job.root) / job.key)
    return Done(job.key, row, None)


@dataclass(frozen=True)
class Plan:
    scenario: Scenario
    scales: dict[str, int]
    seeds: list[int]
    keys: list[str]
    source: str
    root: int | None = None  # the root seed the members were drawn from, if they were

    def jobs(self, root: str | None) -> list[Job]:
        members = [
            member_record(self.root, i) if self.root is not None else None
            for i in range(len(self.seeds))
        ]
        return [
            Job(self.scenario, s, self.scales, k, root, self.source, m)
            for s, k, m in zip(self.seeds, self.keys, members, strict=True)
        ]


def plan(
    scenario: ScenarioArg,
    seeds: Sequence[int],
    scale: ScaleArg = None,
    until: str | dt.date | None = None,
    root: int | None = None,
) -> Plan:
    """Resolve the scenario, scales and content keys of every member (nothing runs); ``root``:
    the seeds are ``seeds_for(len(seeds), root)``, recorded in each manifest."""
    sc = with_horizon(scenario, until)
    scales = resolve_scales(scale)
    resolved = sc.to_dict()
    h = source_hash()
    keys = [content_key(resolved, s, scales, h) for s in seeds]
    return Plan(sc, scales, list(seeds), keys, h, root)


MAX_SEEDS = 1_000_000


def check_seeds(n: Any) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_SEEDS:
        raise LabError("seeds", n, f"a whole number of runs in [1, {MAX_SEEDS:,}]")
    return n


# -- running ----------------------------------------------------------------------------------
@dataclass(frozen=True, repr=False)
class Ran:
    """What an ensemble made: the content keys of its members (``store.load(key)`` reads one),
    how many were run now and how many were already stored."""

    keys: list[str]
    ran: int
    skipped: int
    wall_time_s: float
    scenarios: tuple[str, ...] = ()

    def _words(self) -> str:
        n = len(set(self.keys))
        runs = "1 run" if n == 1 else f"{n} runs"
        return (
            f"{', '.join(self.scenarios) or 'ensemble'}: {runs} ({self.ran} run now, "
            f"{self.skipped} already stored) in {self.wall_time_s:.1f} s"
        )

    def __repr__(self) -> str:
        return f"<Ran {self._words()}>"

    def _repr_html_(self) -> str:
        from html import escape

        keys = ", ".join(f"<code>{escape(k[:12])}</code>" for k in self.keys[:3])
        more = " …" if len(self.keys) > 3 else ""
        return (
            f"<div><strong>thermidor ensemble</strong> {escape(self._words())}"
            f"<br><small>keys {keys}{more}</small></div>"
        )


def run_jobs(
    jobs: Sequence[Job],
    store: Store,
    executor: Executor | None = None,
    on_progress: Progress | None = None,
    flush_every_s: float = 2.0,
    poll_s: float = 0.5,
) -> Ran:
    """Run the jobs whose runs are not stored yet, and index them (in batches: the index is
    opened for one short write at a time).

    Each stored run is verified first (a corrupt one is quarantined and computed again). Each
    key to compute is claimed (``Store.claim``); a key another live process has claimed is
    waited for, and computed here only if that process dies without storing it."""
    t0 = time.perf_counter()
    store.check_writable()
    keys = [j.key for j in jobs]
    unique: dict[str, Job] = {}
    for j in jobs:
        unique.setdefault(j.key, j)
    waiting = {k: j for k, j in unique.items() if not store.verified(k)}
    skipped = len(unique) - len(waiting)
    store.sync(keys)  # runs written before a kill, whose index rows were lost with it
    total = len(unique)
    if on_progress:
        on_progress(skipped, total, skipped)
    ran = 0
    done = skipped
    ex = executor or Serial()
    while waiting:
        mine = []
        for k, j in waiting.items():
            if store.claim(k):
                if store.verified(k):  # stored by another process since it was looked for
                    store.release(k)
                else:
                    mine.append(j)
        try:
            store.clean_temporary(j.key for j in mine)
            for key in _compute(mine, store, ex, flush_every_s):
                ran += 1
                done += 1
                waiting.pop(key, None)
                if on_progress:
                    on_progress(done, total, skipped)
        finally:
            for j in mine:
                store.release(j.key)
        if not mine and waiting:
            time.sleep(poll_s)  # every waiting key is another process's: let it work
        theirs = [k for k in waiting if store.verified(k)]
        for k in theirs:
            del waiting[k]
            done += 1
        if theirs:
            store.sync(theirs)
            if on_progress:
                on_progress(done, total, skipped)
    names = tuple(dict.fromkeys(j.scenario.name for j in jobs))
    return Ran(keys, ran, total - ran, time.perf_counter() - t0, names)


def _compute(
    todo: Sequence[Job], store: Store, ex: Executor, flush_every_s: float
) -> Iterator[str]:
    """Run the jobs on the executor; yield each key once its run is written."""
    pending: list[dict[str, Any]] = []
    last = time.monotonic()
    try:
        for _, out in ex.map_unordered(execute, todo):
            if out.result is not None:
                write_run(out.result, store.path_of(out.key))
            pending.append(out.row)
            if time.monotonic() - last >= flush_every_s:
                try:  # a reader holds the index: keep the rows for the next flush
                    store.index(pending, timeout=0.2)
                    pending = []
                except StoreError as e:
                    if e.reason != "locked":
                        raise
                last = time.monotonic()
            yield out.key
    finally:
        if pending:
            store.index(pending)


def ensemble(
    scenario: ScenarioArg,
    seeds: int,
    root: int = 0,
    scale: ScaleArg = None,
    until: str | dt.date | None = None,
    *,
    store: Store | None = None,
    executor: Executor | None = None,
    on_progress: Progress | None = None,
    ship_results: bool = False,
    force: bool = False,
) -> Ran:
    """Run (or complete) an ensemble of ``seeds`` members and keep it in the store.

    With ``ship_results`` workers send their results back and this process writes the files
    (a cluster without a shared file system); otherwise each worker writes its own run. The
    estimated memory of one run times the executor's workers must fit in this machine's memory
    (model/guards.py), unless ``force``.
    """
    store = store or Store()
    p = plan(scenario, seeds_for(check_seeds(seeds), root), scale, until, root)
    # a local executor's workers run at once on this machine (``force``: try anyway)
    check_memory(p.scales, executor.workers if executor else 1, force=force)
    where = None if ship_results else str(store.root.resolve())
    return run_jobs(p.jobs(where), store, executor, on_progress)


# -- reproducing a stored run -----------------------------------------------------------------
@dataclass
class Rerun:
    key: str
    directory: Path
    identical: bool
    differences: list[str]
    source_changed: bool
    wall_time_s: float


MANIFEST_VOLATILE = ("wall_time_s",)


def scenario_from_manifest(d: Mapping[str, Any], where: str = "manifest") -> Scenario:
    """The Scenario a manifest records (resolved in full), loaded back exactly."""
    try:
        data = {k: d[k] for k in ("meta", "run", "params", "inputs", "force")}
        # a horizon (with_horizon) may end the run before a forced date: load the span that
        # holds the forced dates, then end it where the manifest says
        dates = [v for v in data["force"].values() if v != "never"]
        run = {**data["run"], "end": max([data["run"]["end"], *dates])}
        sc = load({**data, "run": run})
        sc = dataclasses.replace(
            sc, name=str(d["name"]), end=dt.date.fromisoformat(d["run"]["end"])
        )
    except (KeyError, TypeError, AttributeError, ValueError):
        raise LabError(where, "(scenario)", "a manifest written by thermidor.run") from None
    if sc.to_dict() != d:
        diff = sorted(k for k in d if sc.to_dict().get(k) != d[k])
        raise LabError(where, f"scenario.{', '.join(diff)}", "a scenario this code loads exactly")
    return sc


def rerun(path: str | Path, store: Store | None = None) -> Rerun:
    """Run again what a manifest records and compare the bytes with the stored files."""
    p = Path(path)
    manifest_file = p / "manifest.json" if p.is_dir() else p
    if not manifest_file.is_file():
        raise LabError("run", str(path), "a run directory or its manifest.json")
    try:
        m = json.loads(manifest_file.read_text())
        key = key_of(m)
    except (ValueError, KeyError, TypeError):
        raise LabError(
            "manifest", str(manifest_file), "a manifest.json written by thermidor"
        ) from None
    directory = manifest_file.parent
    if not (directory / "indicators.parquet").is_file() and store is not None:
        directory = store.path_of(key)
    if not (directory / "indicators.parquet").is_file():
        raise LabError("run", str(path), "a manifest next to its Parquet files, or in the store")
    sc = scenario_from_manifest(m["scenario"], str(manifest_file))
    until = dt.date.fromisoformat(m["until"]) if m.get("until") else None
    if until is None and int(m["steps"]) != calendar_steps(m["scenario"]["run"]):  # cut short
        until = sc.start + dt.timedelta(days=(int(m["steps"]) - 1) * sc.step_days)
    t0 = time.perf_counter()
    result = run(sc, m["seed"], m["scales"], until=until)
    wall = time.perf_counter() - t0
    tmp = Path(tempfile.mkdtemp(prefix=".rerun."))
    try:
        result.write(tmp / "run")
        differences = []
        for name in ("indicators.parquet", "events.parquet"):
            if (tmp / "run" / name).read_bytes() != (directory / name).read_bytes():
                differences.append(f"{name} differs")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    old = json.loads((directory / "manifest.json").read_text())
    new = json.loads(json.dumps(result.manifest))
    if "member" in old:  # which member of which ensemble: the ensemble's, not the run's
        new["member"] = old["member"]
    for k in sorted(set(old) | set(new)):
        if k not in MANIFEST_VOLATILE and old.get(k) != new.get(k):
            differences.append(f"manifest.{k} differs")
    return Rerun(
        key=key,
        directory=directory,
        identical=not differences,
        differences=differences,
        source_changed=m["source_hash"] != source_hash(),
        wall_time_s=wall,
    )
