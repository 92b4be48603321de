"""Scenarios: TOML files that extend the baseline, change parameters or inputs, force decisions.

```toml
extends = "baseline"            # a shipped scenario's name, or a path relative to this file
[meta]
title = "No Menshevik ban"
description = "..."
section = "§3"
class = "political"             # structural | political | baseline
mechanisms = "M6 parties"       # which mechanisms carry the intervention's effect
[run]
start = 1917-03-01              # TOML dates or "YYYY-MM-DD" strings
end = 1921-12-31
step_days = 7
world = "record"                # or "stochastic": harvest weather drawn around the record
[params]
parties.ban_readiness = 0.3     # dotted keys or [params.parties] tables
[inputs.civil_war]              # replaces a whole series: {date = value}
"1918-05-25" = 0.3
[inputs.cut_off.ukraine]
"1918-03-01" = 0.0
[force]                         # do-interventions, shown wherever results are
mensheviks_lose_legality = "never"
```
Every error is a ``ScenarioError`` naming the key path, the bad value and what is allowed.
"""

from __future__ import annotations

import copy
import datetime as dt
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from thermidor.model.decisions import DECISIONS, NEVER
from thermidor.model.errors import ScenarioError
from thermidor.model.inputs import SERIES
from thermidor.model.params import BY_NAME, Params, suggest, validate_value

TOP_KEYS = ("extends", "meta", "run", "params", "inputs", "force")
META_KEYS = ("title", "description", "section", "class", "mechanisms")
CLASSES = ("baseline", "structural", "political")
RUN_KEYS = ("start", "end", "step_days", "ranges", "world", "from_state")
RANGES = ("documented", "hard")
WORLDS = ("record", "stochastic")  # the weather of the record, or drawn around it (inputs.py)
EARLIEST, LATEST = dt.date(1914, 1, 1), dt.date(1950, 12, 31)
# the initial conditions (data/initial_conditions.csv) are the state of March 1917: a run starts
# there, or it would run another year with 1917's population
START_FIRST, START_LAST = dt.date(1917, 3, 1), dt.date(1917, 3, 31)
MAX_FILE_BYTES = 1_000_000  # a scenario file is a few kilobytes; the baseline is about 1 kB
MAX_DEPTH = 8  # dotted parameter names and nested tables
# an empty table would silently remove a series (the civil war): removing one is said outright
EMPTY_SERIES = 'at least one {date = value} point (to end a series, set it: "1918-06-01" = 0.0)'


def as_date(until: Any) -> dt.date:
    """``until`` as a date: a ``datetime.date`` or an ISO string ("1924-01-21")."""
    if isinstance(until, dt.datetime):
        return until.date()
    if isinstance(until, dt.date):
        return until
    if isinstance(until, str):
        try:
            return dt.date.fromisoformat(until)
        except ValueError:
            pass
    raise ScenarioError("until", until, "a date (datetime.date or 'YYYY-MM-DD')")


@dataclass
class Scenario:
    name: str
    meta: dict[str, str]
    start: dt.date
    end: dt.date
    step_days: int
    params: dict[str, float] = field(default_factory=dict)
    inputs: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)
    force: dict[str, str] = field(default_factory=dict)
    ranges: str = "documented"  # "hard": parameters may go beyond their documented ranges
    world: str = (
        "record"  # "stochastic": harvest weather drawn per year (inputs.stochastic_weather)
    )
    # a state saved by ``run --save-state`` that every run of this scenario continues:
    # {"file": absolute path, "sha256": its payload's checksum} (model/checkpoint.py)
    from_state: dict[str, str] | None = None

    def resolved_params(self) -> Params:
        return Params(self.params, hard=self.ranges == "hard")

    def forced_steps(self, start: dt.date, step_days: int) -> dict[str, int]:
        out = {}
        for name, when in self.force.items():
            out[name] = (
                NEVER
                if when == "never"
                else ((dt.date.fromisoformat(when) - start).days // step_days)
            )
        return out

    @property
    def interventions(self) -> list[str]:
        return [f"force.{k} = {v!r}" for k, v in sorted(self.force.items())]

    def to_dict(self) -> dict[str, Any]:
        """The scenario resolved in full (every parameter's value), for manifests."""
        return {
            "name": self.name,
            "meta": dict(self.meta),
            "run": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "step_days": self.step_days,
                **({"ranges": self.ranges} if self.ranges != "documented" else {}),
                "world": self.world,
                **({"from_state": dict(self.from_state)} if self.from_state else {}),
            },
            "params": dict(self.resolved_params()),
            "inputs": copy.deepcopy(self.inputs),
            "force": dict(self.force),
        }


def shipped() -> dict[str, str]:
    """Names of the shipped scenarios with their titles."""
    out = {}
    folder = resources.files("thermidor.model.scenarios")
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text())
            out[entry.name[:-5]] = str(data.get("meta", {}).get("title", ""))
    return out


def load(source: str | Path | dict[str, Any] | Scenario, *, _depth: int = 0) -> Scenario:
    """Load a scenario by shipped name, path, or an already-parsed dict."""
    if isinstance(source, Scenario):
        return source
    if _depth > 8:
        raise ScenarioError("extends", source, "a chain of at most 8 scenarios")
    base_dir: Path | None = None
    if isinstance(source, dict):
        meta = source.get("meta")
        data = source
        name = str(meta.get("title", "custom")) if isinstance(meta, dict) else "custom"
    else:
        data, name, base_dir = _read(source)
    if not isinstance(data, dict):
        raise ScenarioError("(scenario)", data, "a TOML table")
    for key in data:
        if key not in TOP_KEYS:
            raise ScenarioError(
                key, data[key], f"one of {', '.join(TOP_KEYS)}", suggest(key, list(TOP_KEYS))
            )
    parent = _parent(data.get("extends"), base_dir, _depth)
    return _merge(parent, data, name, base_dir)


def _read(source: str | Path) -> tuple[dict[str, Any], str, Path | None]:
    path = Path(source)
    names = shipped()
    try:
        is_file = path.is_file()
        size = path.stat().st_size if is_file else 0
    except (OSError, ValueError):  # a name too long for the file system, a NUL byte
        is_file, size = False, 0
    if size > MAX_FILE_BYTES:
        raise ScenarioError(
            "(file)", str(source), f"a scenario file of at most {MAX_FILE_BYTES:,} bytes",
            f"this one has {size:,}",
        )  # fmt: skip
    if str(source) in names:
        text = resources.files("thermidor.model.scenarios").joinpath(f"{source}.toml").read_text()
        where: Path | None = None
        name = str(source)
    elif is_file:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise ScenarioError(
                "(file)", str(source), "a readable UTF-8 TOML file", str(e)
            ) from None
        where = path.parent
        name = path.stem
    else:
        raise ScenarioError(
            "scenario",
            str(source),
            f"a shipped name ({', '.join(names)}) or an existing .toml file",
            suggest(str(source), list(names)),
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError("(file)", str(source), "valid TOML", str(e)) from None
    except RecursionError:
        raise ScenarioError(
            "(file)", str(source), "TOML whose tables and arrays nest a few levels deep"
        ) from None
    return data, name, where


def _parent(extends: Any, base_dir: Path | None, depth: int) -> Scenario | None:
    if extends is None:
        return None
    if not isinstance(extends, str):
        raise ScenarioError("extends", extends, "a scenario name or path (a string)")
    if extends in shipped():
        return load(extends, _depth=depth + 1)
    path = (base_dir / extends) if base_dir is not None else Path(extends)
    if not _is_file(path):
        raise ScenarioError(
            "extends",
            extends,
            f"a shipped scenario ({', '.join(shipped())}) or an existing file",
            suggest(extends, list(shipped())),
        )
    return load(path, _depth=depth + 1)


def _is_file(path: Path) -> bool:
    """Whether ``path`` names a file (False for a name the file system refuses: too long, NUL)."""
    try:
        return path.is_file()
    except (OSError, ValueError):
        return False


def _date(path: str, value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ScenarioError(path, value, "a date YYYY-MM-DD") from None
    if not isinstance(value, dt.date):
        raise ScenarioError(path, value, "a date YYYY-MM-DD")
    if not EARLIEST <= value <= LATEST:
        raise ScenarioError(path, value.isoformat(), f"a date between {EARLIEST} and {LATEST}")
    return value


def _table(path: str, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ScenarioError(path, value, "a table")
    return value


def _flatten(prefix: str, table: dict[str, Any], path: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in table.items():
        name = f"{prefix}.{k}" if prefix else k
        if isinstance(v, dict) and name.count(".") >= MAX_DEPTH:
            raise ScenarioError(
                f"{path}.{name}", "(a table)", f"a parameter name of at most {MAX_DEPTH} parts"
            )
        if isinstance(v, dict):
            out.update(_flatten(name, v, path))
        else:
            out[name] = v
    return out


def _merge(
    parent: Scenario | None, data: dict[str, Any], name: str, base_dir: Path | None = None
) -> Scenario:
    meta = dict(parent.meta) if parent else {}
    for k, v in _table("meta", data.get("meta", {})).items():
        if k not in META_KEYS:
            raise ScenarioError(
                f"meta.{k}", v, f"one of {', '.join(META_KEYS)}", suggest(k, list(META_KEYS))
            )
        if not isinstance(v, str):
            raise ScenarioError(f"meta.{k}", v, "a string")
        if k == "class" and v not in CLASSES:
            raise ScenarioError("meta.class", v, f"one of {', '.join(CLASSES)}")
        meta[k] = v

    run = _table("run", data.get("run", {}))
    for k in run:
        if k not in RUN_KEYS:
            raise ScenarioError(
                f"run.{k}", run[k], f"one of {', '.join(RUN_KEYS)}", suggest(k, list(RUN_KEYS))
            )
    if parent is None and not {"start", "end"} <= run.keys():
        raise ScenarioError("run", run, 'a table with start and end (or extends = "baseline")')
    start = _date("run.start", run["start"]) if "start" in run else parent.start  # type: ignore[union-attr]
    end = _date("run.end", run["end"]) if "end" in run else parent.end  # type: ignore[union-attr]
    step_days = run.get("step_days", parent.step_days if parent else 7)
    if isinstance(step_days, bool) or not isinstance(step_days, int) or step_days != 7:
        # several mechanisms count weeks (terms of soviets, monthly pacing, the grain year)
        raise ScenarioError("run.step_days", step_days, "7 (this version runs in weekly steps)")
    if not START_FIRST <= start <= START_LAST:
        raise ScenarioError(
            "run.start", start.isoformat(),
            f"a date from {START_FIRST} to {START_LAST}",
            "the initial conditions, data/initial_conditions.csv, are the state of March 1917",
        )  # fmt: skip
    if end <= start:
        raise ScenarioError("run.end", end.isoformat(), f"a date after run.start ({start})")

    ranges = run.get("ranges", parent.ranges if parent else "documented")
    if ranges not in RANGES:
        raise ScenarioError("run.ranges", ranges, '"documented" (the default) or "hard"')
    world = run.get("world", parent.world if parent else "record")
    if world not in WORLDS:
        raise ScenarioError("run.world", world, '"record" (the default) or "stochastic"')
    from_state = (
        state_file(run["from_state"], base_dir) if "from_state" in run
        else parent.from_state if parent else None
    )  # fmt: skip
    params = dict(parent.params) if parent else {}
    for k, v in _flatten("", _table("params", data.get("params", {})), "params").items():
        params[k] = validate_value(k, v, hard=ranges == "hard")

    inputs = copy.deepcopy(parent.inputs) if parent else {}
    for series, table in _table("inputs", data.get("inputs", {})).items():
        if series not in SERIES:
            raise ScenarioError(
                f"inputs.{series}",
                table,
                f"one of {', '.join(SERIES)}",
                suggest(series, list(SERIES)),
            )
        keys, lo, hi, _ = SERIES[series]
        table = _table(f"inputs.{series}", table)
        if not table:
            raise ScenarioError(f"inputs.{series}", table, EMPTY_SERIES)
        by_key = {"-": table} if all(not isinstance(v, dict) for v in table.values()) else table
        for key, points in by_key.items():
            path = f"inputs.{series}" + ("" if key == "-" else f".{key}")
            if key not in keys:
                raise ScenarioError(
                    path, key, f"one of {', '.join(keys)}", suggest(key, list(keys))
                )
            points = _table(path, points)
            if not points:
                raise ScenarioError(path, points, EMPTY_SERIES)
            clean = {}
            for day, v in points.items():
                d = _date(f"{path}.{day}", day)
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not lo <= v <= hi:
                    raise ScenarioError(f"{path}.{day}", v, f"a number in [{lo:g}, {hi:g}]")
                clean[d.isoformat()] = float(v)
            inputs.setdefault(series, {})[key] = clean

    force = dict(parent.force) if parent else {}
    for k, v in _table("force", data.get("force", {})).items():
        if k not in DECISIONS:
            raise ScenarioError(
                f"force.{k}", v, f"one of {', '.join(DECISIONS)}", suggest(k, list(DECISIONS))
            )
        if v == "never":
            force[k] = "never"
        else:
            when = _date(f"force.{k}", v)
            if not start <= when <= end:
                raise ScenarioError(
                    f"force.{k}",
                    when.isoformat(),
                    f'"never" or a date within the run ({start} to {end})',
                )
            force[k] = when.isoformat()
    return Scenario(
        name=name,
        meta=meta,
        start=start,
        end=end,
        step_days=int(step_days),
        params=params,
        inputs=inputs,
        force=force,
        ranges=ranges,
        world=world,
        from_state=from_state,
    )


def state_file(value: Any, base_dir: Path | None = None) -> dict[str, str]:
    """``run.from_state``: a state file saved by ``thermidor run --save-state`` (a path relative
    to the scenario file's folder, or the working directory), with its checksum."""
    from thermidor.model.checkpoint import read_header

    if not isinstance(value, (str, Path)) or not str(value):
        raise ScenarioError("run.from_state", value, "the path of a state file (a string)")
    path = Path(value)
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not _is_file(path):
        raise ScenarioError(
            "run.from_state", str(value), "an existing state file (thermidor run --save-state)"
        )
    header = read_header(path)
    return {"file": str(path.resolve()), "sha256": str(header["sha256"])}


__all__ = ["BY_NAME", "Scenario", "load", "shipped"]
