"""A run's state saved at a date, and runs that continue from it (checkpoint and fork).

``thermidor.run(..., until="1923-01-01", save_state=FILE)`` saves everything the run will need to
go on: the world, the indicators and events recorded so far, the seed, the scales and the
scenario that made that history. ``thermidor.run(scenario, from_state=FILE)`` continues it to the
scenario's end: counterfactuals that begin in 1923 then share one 1917-1923 history, and a fork
continued with the same scenario gives the same bytes as a straight run (the streams are keyed by
seed, mechanism and week, not by the order of calls).

A fork's scenario may change parameters (they act from the fork on), later inputs and later
forced decisions; it may not change the past: the calendar, the inputs before the fork and a
decision forced before it are checked and refused with the key that differs.

The file is a header line of JSON (format, package, source hash, scenario, seed, scales, step,
the payload's SHA-256) followed by a pickle of the state, written to a temporary file and renamed,
so an interrupted save leaves nothing half-written. A pickle runs code when loaded: load only state
files you or your tools made.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import numpy as np

from thermidor.engine import Event
from thermidor.model.errors import ScenarioError
from thermidor.model.inputs import Inputs
from thermidor.model.world import World

FORMAT = 1
MAGIC = "thermidor-state"


@dataclass
class Checkpoint:
    """A run stopped before ``step``: its world, what it recorded, and what made it."""

    step: int  # the first step still to run
    date: str  # that step's date
    seed: int
    scales: dict[str, int]
    backend: str
    scenario: dict[str, Any]  # the scenario that made the history (Scenario.to_dict())
    world: World
    columns: dict[str, np.ndarray]  # the indicators of steps [0, step)
    events: list[Event]


def check_target(path: str | Path, force: bool = False) -> Path:
    """Where a state may be saved: a new file in an existing directory (``force``: or a file)."""
    target = Path(path)
    if target.is_dir() or (target.exists() and not force):
        raise ScenarioError("save_state", str(target), "a path where no file exists (or --force)")
    if not target.parent.is_dir():
        raise ScenarioError("save_state", str(target), "a file in an existing directory")
    return target


def save(path: str | Path, ck: Checkpoint, package: str, source: str, force: bool = False) -> Path:
    """Write ``ck`` to ``path`` atomically; an existing file is replaced only with ``force``."""
    target = check_target(path, force)
    payload = pickle.dumps(ck, protocol=pickle.HIGHEST_PROTOCOL)
    header = {
        "magic": MAGIC, "format": FORMAT, "package_version": package, "source_hash": source,
        "scenario": ck.scenario.get("name"), "seed": ck.seed, "scales": ck.scales,
        "step": ck.step, "date": ck.date, "sha256": hashlib.sha256(payload).hexdigest(),
    }  # fmt: skip
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(json.dumps(header, sort_keys=True).encode() + b"\n")
            f.write(payload)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target


def read_header(path: str | Path) -> dict[str, Any]:
    """The state file's header (JSON), checked for its magic and format."""
    try:
        with Path(path).open("rb") as f:
            header = json.loads(f.readline())
    except (OSError, ValueError) as e:
        raise ScenarioError(
            "from_state", str(path), "a state file saved by thermidor", str(e)
        ) from e
    if not isinstance(header, dict) or header.get("magic") != MAGIC:
        raise ScenarioError("from_state", str(path), "a state file saved by thermidor")
    if header.get("format") != FORMAT:
        raise ScenarioError("from_state", header.get("format"), f"state format {FORMAT}")
    return header


def load(path: str | Path, source: str) -> tuple[Checkpoint, dict[str, Any]]:
    """The checkpoint in ``path`` and its header; refused if corrupt or made by other code."""
    header = read_header(path)
    if header["source_hash"] != source:
        raise ScenarioError(
            "from_state", header["source_hash"], f"a state saved by this code (source {source})",
            f"saved by package {header['package_version']}: rerun the history with this version",
        )  # fmt: skip
    with Path(path).open("rb") as f:
        f.readline()
        payload = f.read()
    if hashlib.sha256(payload).hexdigest() != header["sha256"]:
        raise ScenarioError("from_state", str(path), "an intact state file (its checksum differs)")
    ck = pickle.loads(payload)
    if not isinstance(ck, Checkpoint):
        raise ScenarioError("from_state", str(path), "a state file saved by thermidor")
    return ck, header


def check_fork(
    ck: Checkpoint, scenario: dict[str, Any], inputs: Inputs, forced: dict[str, int]
) -> None:
    """Refuse a fork whose scenario would change the history it continues."""
    old, new = ck.scenario["run"], scenario["run"]
    for key in ("start", "step_days"):
        if old[key] != new[key]:
            raise ScenarioError(f"run.{key}", new[key], f"{old[key]!r}, as in the saved history")
    saved: Inputs = ck.world.inputs
    for f in fields(Inputs):
        a, b = getattr(saved, f.name), getattr(inputs, f.name)
        if not _same_past(a, b, ck.step):
            raise ScenarioError(
                f"inputs.{f.name}", "changed before the fork", f"the saved history's values before {ck.date}"
            )  # fmt: skip
    for name in {*forced, *ck.world.forced}:
        was, now = ck.world.forced.get(name), forced.get(name)
        taken = ck.world.decisions.get(name)  # the step the history took it in, if it did
        past = any(s is not None and 0 <= s < ck.step for s in (was, now, taken))
        if was != now and past:
            raise ScenarioError(
                f"force.{name}", now, f"{was!r}, as in the saved history (decided before {ck.date})"
            )


def _same_past(a: Any, b: Any, k: int) -> bool:
    if isinstance(a, np.ndarray):
        return bool(np.array_equal(a[:k], b[:k], equal_nan=True))
    if isinstance(a, dict) and all(isinstance(s, int) for s in (*a, *b)):
        return {s: v for s, v in a.items() if s < k} == {s: v for s, v in b.items() if s < k}
    return bool(a == b)
