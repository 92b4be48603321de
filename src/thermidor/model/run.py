"""``run(scenario, seed, scale) -> Result``: the one pure function everything else composes."""

from __future__ import annotations

import datetime as dt
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from thermidor.engine import Calendar, Hook, Recorder, Streams, backends, run_steps, using
from thermidor.model import checkpoint, guards
from thermidor.model.errors import ScenarioError
from thermidor.model.events import EVENTS
from thermidor.model.indicators import observe
from thermidor.model.initial import DEFAULT_SCALES, POPULATIONS, build_world
from thermidor.model.inputs import build_inputs, load_baseline_series, stochastic_weather
from thermidor.model.result import SCHEMA_VERSION, Result
from thermidor.model.scenario import Scenario, as_date, load
from thermidor.model.step import STEP
from thermidor.model.world import World

ScaleArg = int | str | Mapping[str, int] | None
OnStep = Callable[[int, int, dict[str, float]], None]
BACKENDS = ("numba", "numpy", "cupy")
"""The backends a run may name: ``numba`` (the accelerator, the default where it imports),
``numpy`` (the engine's reference) and ``cupy`` (numba with reductions on a CUDA GPU)."""


def default_backend() -> str:
    """``numba`` where it imports, else ``numpy``."""
    try:
        load_backend("numba")
    except ImportError:
        return "numpy"
    return "numba"


def load_backend(name: str) -> str:
    """Load backend ``name`` with the model's compiled twins (``model/fast``); return its name."""
    if name not in BACKENDS:
        raise ScenarioError("backend", name, f"one of {', '.join(BACKENDS)}")
    if name != "numpy":  # the accelerator and the model's twins (registered on first import)
        import thermidor.model.fast
    if name == "cupy" and name not in backends():
        import thermidor.engine.accel.cupy  # noqa: F401  (registers the backend)
    return name


class _Progress(Hook):
    def __init__(self, on_step: OnStep) -> None:
        self.call = on_step

    def on_step(self, step: int, n_steps: int, row: dict[str, float], state: Any) -> None:
        self.call(step, n_steps, row)


ENSEMBLE_FACTOR = 4
KEPT_AT_DEFAULT = ("households",)
NAMED_SCALES = {
    "default": dict(DEFAULT_SCALES),
    # four times the persons per agent of every population but the households: for ensembles.
    # The households stay at the default: the villages' unrest is the share of households
    # against the regime, and with a quarter of their agents the week it crosses the Kronstadt
    # garrison's threshold moved (T13 hit in 0.75 of 40 seeds against 0.9; T16, O2 moved too).
    # tests/model/test_ensemble_scale.py shows this scale reproduces the default's targets and
    # yearly means over 40 seeds; the statistic, its bound and the measurements: docs/benchmarks.md
    "ensemble": {
        k: v if k in KEPT_AT_DEFAULT else ENSEMBLE_FACTOR * v for k, v in DEFAULT_SCALES.items()
    },
}
"""Scales a run may name (``--scale ensemble``)."""


def resolve_scales(scale: ScaleArg) -> dict[str, int]:
    """``None``: defaults; a name of :data:`NAMED_SCALES`; an int: every population; a mapping:
    per population."""
    scales = dict(DEFAULT_SCALES)
    if scale is None:
        return scales
    if isinstance(scale, str):
        if scale not in NAMED_SCALES:
            raise ScenarioError("scale", scale, f"one of {', '.join(NAMED_SCALES)}, or a number")
        return dict(NAMED_SCALES[scale])
    if isinstance(scale, Mapping):
        for k, v in scale.items():
            if k not in scales:
                raise ScenarioError(f"scale.{k}", v, f"one of {', '.join(POPULATIONS)}")
            scales[k] = _check_scale(f"scale.{k}", v)
        return scales
    n = _check_scale("scale", scale)
    return {k: n for k in scales}


def _check_scale(path: str, v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= 1_000_000:
        raise ScenarioError(path, v, "a whole number of persons per agent in [1, 1000000]")
    return v


@cache
def source_hash() -> str:
    """A hash of the package's source, data and scenarios (for manifests and store keys)."""
    h = hashlib.sha256()
    root = Path(str(resources.files("thermidor")))
    for path in sorted(root.rglob("*")):
        if path.suffix in (".py", ".toml", ".csv") and "__pycache__" not in path.parts:
            h.update(str(path.relative_to(root)).encode())
            h.update(path.read_bytes())
    return h.hexdigest()[:16]


def prepare(
    scenario: str | Path | dict[str, Any] | Scenario,
    seed: int,
    scale: ScaleArg,
    until: dt.date | str | None = None,
    build: bool = True,
) -> tuple[Scenario, Calendar, Any, Any, dict[str, int]]:
    """The scenario, calendar, world (``build=False``: the inputs instead), parameters and
    scales of a run, checked."""
    sc = load(scenario)
    if isinstance(seed, bool) or not isinstance(seed, int) or not 0 <= seed < 2**128:
        raise ScenarioError("seed", seed, "a whole number in [0, 2**128 - 1]")
    scales = resolve_scales(scale)
    end = sc.end
    if until is not None:
        until = as_date(until)
        if until <= sc.start:
            raise ScenarioError("until", until.isoformat(), f"a date after {sc.start}")
        end = min(end, until)
    cal = Calendar(sc.start, end, sc.step_days)
    raw, cal_rows = load_baseline_series()
    for series, by_key in sc.inputs.items():
        raw.setdefault(series, {}).update(by_key)
    inputs = build_inputs(cal, raw, cal_rows)
    if sc.world == "stochastic":
        inputs = stochastic_weather(inputs, cal, seed)
    params = sc.resolved_params()
    if not build:
        return sc, cal, inputs, params, scales
    world = build_world(params, inputs, scales, seed)
    world.forced = sc.forced_steps(sc.start, sc.step_days)
    return sc, cal, world, params, scales


def fork(
    path: str | Path,
    scenario: str | Path | dict[str, Any] | Scenario,
    seed: int,
    scale: ScaleArg,
    until: dt.date | str | None,
) -> tuple[Scenario, Calendar, World, Any, dict[str, int], Recorder, checkpoint.Checkpoint]:
    """The state saved in ``path``, continued under ``scenario`` (checkpoint.py says what may
    differ): the world, the parameters, and a recorder holding the history's rows."""
    ck, _ = checkpoint.load(path, source_hash())
    sc, cal, inputs, params, scales = prepare(
        scenario, seed, ck.scales if scale is None else scale, until, build=False
    )
    if scales != ck.scales:
        raise ScenarioError("scale", scales, f"the saved state's scales {ck.scales}")
    if cal.n_steps <= ck.step:
        raise ScenarioError(
            "until", cal.end.isoformat(), f"a date after the saved state's {ck.date}"
        )
    forced = sc.forced_steps(sc.start, sc.step_days)
    checkpoint.check_fork(ck, sc.to_dict(), inputs, forced)
    world = ck.world
    world.inputs, world.forced = inputs, forced
    recorder = Recorder(cal.n_steps, allowed_events=EVENTS)
    for name, col in ck.columns.items():
        recorder.columns[name] = np.full(cal.n_steps, np.nan)
        recorder.columns[name][: ck.step] = col[: ck.step]
    recorder.events = list(ck.events)
    recorder.last_step = ck.step - 1
    return sc, cal, world, params, scales, recorder, ck


def run(
    scenario: str | Path | dict[str, Any] | Scenario = "baseline",
    seed: int = 0,
    scale: ScaleArg = None,
    *,
    until: dt.date | str | None = None,
    backend: str | None = None,
    on_step: OnStep | None = None,
    hooks: Sequence[Hook] = (),
    save_state: str | Path | None = None,
    from_state: str | Path | None = None,
    force: bool = False,
) -> Result:
    """Run one scenario with one seed. Same arguments and backend, same bytes.

    ``backend``: ``"numba"`` (the default where numba imports), ``"numpy"`` or ``"cupy"``;
    ``on_step(step, n_steps, row)`` follows each week; ``hooks`` (:class:`thermidor.engine.Hook`)
    watch each mechanism (``thermidor.engine.Timing`` times them). ``save_state``: write the state
    at the run's end (``until``) to this file (``force``: replace one); ``from_state``: continue
    the state saved there under ``scenario`` (model/checkpoint.py)."""
    name = load_backend(backend) if backend is not None else default_backend()
    watchers = (*hooks, _Progress(on_step)) if on_step is not None else tuple(hooks)
    with using(name), _retained(name):
        # the world is freed inside the block: its memory is back with the system when it ends
        return _run(scenario, seed, scale, until, name, watchers, save_state, from_state, force)


def _retained(backend: str) -> AbstractContextManager[Any]:
    """Under the accelerator, freed blocks stay mapped while the run steps (accel.memory)."""
    if backend == "numpy":
        return nullcontext()
    from thermidor.engine.accel import memory

    return memory.retained()


def _run(
    scenario: str | Path | dict[str, Any] | Scenario,
    seed: int,
    scale: ScaleArg,
    until: dt.date | str | None,
    backend: str,
    hooks: Sequence[Hook],
    save_state: str | Path | None,
    from_state: str | Path | None,
    force: bool,
) -> Result:
    t0 = time.perf_counter()
    if save_state is not None:
        checkpoint.check_target(save_state, force)  # before the run, not after it
    history: dict[str, Any] | None = None
    if from_state is None:
        scenario = load(scenario)  # a scenario may name the state it continues ([run] from_state)
        named = scenario.from_state
        if named is not None:
            from_state = named["file"]
            if checkpoint.read_header(from_state)["sha256"] != named["sha256"]:
                raise ScenarioError(
                    "run.from_state", from_state, "the state file the scenario was loaded with",
                    "it has changed since: load the scenario again",
                )  # fmt: skip
    if from_state is None:
        sc, cal, world, params, scales = prepare(scenario, seed, scale, until)
        recorder, first = Recorder(cal.n_steps, allowed_events=EVENTS), 0
    else:
        sc, cal, world, params, scales, recorder, ck = fork(
            from_state, scenario, seed, scale, until
        )
        first = ck.step
        history = {"file": str(from_state), "step": ck.step, "date": ck.date, "seed": ck.seed,
                   "scenario": ck.scenario["name"]}  # fmt: skip
    bounds, rerun_to = guards.Bounds(scales, force), lambda hook, step: run(
        scenario, seed, scale, until=cal.date(step) + dt.timedelta(days=cal.step_days), hooks=(*hooks, hook),
        backend=backend, from_state=from_state, force=True)  # fmt: skip
    try:
        run_steps(world, params, STEP, observe, cal, Streams(seed), recorder, (*hooks, bounds), first=first)  # fmt: skip
    except guards.Bad as bad:
        raise guards.diagnose(bad, tuple(hooks), rerun_to, params) from None
    if save_state is not None:
        saved = checkpoint.Checkpoint(
            step=cal.n_steps, date=(cal.start + dt.timedelta(days=cal.n_steps * cal.step_days)).isoformat(),
            seed=seed, scales=scales, backend=backend, scenario=sc.to_dict(), world=world,
            columns={k: v.copy() for k, v in recorder.columns.items()}, events=list(recorder.events),
        )  # fmt: skip
        checkpoint.save(save_state, saved, _version(), source_hash(), force=force)
    manifest = {
        "schema_version": SCHEMA_VERSION,
        "scenario": sc.to_dict(),
        "interventions": sc.interventions,
        "seed": seed,
        "scales": scales,
        "backend": backend,
        "package_version": _version(),
        "source_hash": source_hash(),
        "steps": cal.n_steps,
        "until": as_date(until).isoformat() if until is not None else None,
        "wall_time_s": round(time.perf_counter() - t0, 3),
        **({"from_state": history} if history is not None else {}),
    }
    ledger = {
        "initial": dict(world.ledger.initial),
        "by_cause": world.ledger.by_cause(),
        "expected": {k: world.ledger.expected(k) for k in world.ledger.initial},
        "actual": world.class_totals()
        | {"households": world.households.total(), "members": world.members.total()},
    }
    return Result(
        dates=cal.dates,
        columns=recorder.columns,
        events=recorder.events,
        manifest=manifest,
        ledger=ledger,
    )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("thermidor")
    except PackageNotFoundError:  # running from a source tree
        return "0+source"
