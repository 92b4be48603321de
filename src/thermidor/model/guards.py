"""Bounds on a run: its memory, its populations, its numbers.

- ``estimate``: a run's peak memory from its populations, before it starts: each population's
  agents in March 1917 (persons / scale), times the growth the record allows it (``GROWTH``),
  times its bytes per agent (its columns), times ``PEAK_FACTOR`` (arrays grow by doubling, and
  mechanisms make temporaries), plus ``BASE_BYTES`` (the interpreter, numpy, numba).
  ``check_memory`` refuses a run (or ``workers`` runs at once) whose estimate exceeds the
  memory available, naming both; ``force`` runs it anyway.
- ``Bounds`` (a hook): no population may hold more than ``MAX_PERSONS`` persons' worth of
  agents (the country's whole population in 1917: the documented ranges make parties, armies and
  working classes many times the record's, and ``ranges = "hard"`` can push a recruitment rate
  to millions a week), and no indicator may be infinite, or NaN where it is
  measured every week (``SPARSE`` are measured once a year or when there is something to
  measure, NaN otherwise). Either stops the run with ``RunError`` naming the population or the
  indicator, the mechanism and the week.
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

from thermidor.engine import Context, Hook
from thermidor.model.errors import RunError, ScenarioError
from thermidor.model.initial import initial_conditions
from thermidor.model.world import (
    household_population,
    member_population,
    official_population,
    soldier_population,
    worker_population,
)

GIB = 2**30
BASE_BYTES = 400 * 2**20
PEAK_FACTOR = 3.0
# the most each population grows over a run, by the record (persons at the peak / March 1917)
GROWTH = {"workers": 2.0, "soldiers": 1.0, "households": 1.2, "members": 100.0, "officials": 10.0}
INITIAL = {"workers": "workers_1917", "soldiers": "soldiers_1917", "households":
           "households_1917", "members": "party_members_feb_1917", "officials": "officials_1917"}  # fmt: skip
MAKERS = {"workers": worker_population, "soldiers": soldier_population,
          "households": household_population, "members": member_population,
          "officials": official_population}  # fmt: skip
# declared maxima, persons (households): no population of persons may hold more than the whole
# country held in 1917 (3 million workers, 7 million soldiers, 108 million villagers, 18 million
# other townsfolk, 600,000 officials: 137 million, docs/ODD.md), whatever a parameter draw does;
# the households (20 million in 1917) may at most treble. The record's largest are far below
# (workers about 11 million by 1932, the Red Army 5.5 million in 1920, 3.5 million members in
# 1933), but the documented ranges alone reach a party of 14 million in 1921, an army past 20
# million's worth of agents in 1920 and a working class past 40 million's in 1929 (points of the
# documented Sobol' sample, docs/results/sobol-evaluations.jsonl, each of which stopped the
# analysis under a bound a few times the record): the guard is against a runaway (agents made
# without persons to fill them), not a judgment on such a draw. At the default scales the bound
# is 2.7 million worker agents and 27 million member agents (25-30 bytes each).
COUNTRY_1917 = 137_000_000
MAX_PERSONS = {"workers": COUNTRY_1917, "soldiers": COUNTRY_1917, "households": 60_000_000,
               "members": COUNTRY_1917, "officials": COUNTRY_1917}  # fmt: skip
# indicators measured once a year or once there is something to measure (NaN otherwise): an
# indicator added with such weeks is named here (tests/model/test_guards.py runs the baseline)
SPARSE = ("grain_harvest_vs_prewar", "crop_output_vs_prewar:", "marketed_grain_share",
          "apparatus_ex_tsarist_share", "opposition_vote_share:",
          "right_vs_left_strength_at_defeat")  # fmt: skip


def bytes_per_agent(population: str) -> int:
    return sum(d.itemsize for d in MAKERS[population](16).dtypes.values())


def estimate(scales: Mapping[str, int]) -> int:
    """The estimated peak memory of one run at these scales, bytes."""
    ic = initial_conditions()
    agents = 0.0
    total = float(BASE_BYTES)
    for pop, scale in scales.items():
        n = float(ic[INITIAL[pop]]) / scale * GROWTH[pop]
        agents += n
        total += n * bytes_per_agent(pop) * PEAK_FACTOR
    return int(total)


def available() -> int:
    """Memory available to new processes, bytes (MemAvailable; else physical memory)."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


def check_memory(scales: Mapping[str, int], workers: int = 1, force: bool = False) -> int:
    """Refuse (``ScenarioError`` on ``scale``) a run, or ``workers`` at once, that would not fit
    in the memory available; return the estimate of one run."""
    one = estimate(scales)
    need = one * max(workers, 1)
    have = available()
    if need > have and not force:
        each = f" ({workers} workers × {one / GIB:.1f} GiB)" if workers > 1 else ""
        raise ScenarioError(
            "scale", dict(scales),
            f"scales whose runs fit in memory: the estimate is {need / GIB:.1f} GiB{each}, "
            f"this machine has {have / GIB:.1f} GiB available",
            "a coarser --scale or fewer --workers; --force to try anyway",
        )  # fmt: skip
    return one


class Bounds(Hook):
    """Stops a run whose population passes its declared maximum (checked after each mechanism)
    or whose indicators are not finite (checked each week; the mechanism is the last one that
    after which any indicator is bad, found by ``diagnose`` in a rerun of that week)."""

    def __init__(self, scales: Mapping[str, int], force: bool = False) -> None:
        if scales:
            check_memory(scales, force=force)  # before the first week
        self.limits = {p: max(int(MAX_PERSONS[p] / s) * 2, 10_000) for p, s in scales.items()}
        self.bad: tuple[str, int] | None = None  # (indicator, step) once seen
        self.watch: tuple[str, int] | None = None  # in a rerun: the indicator and step
        self.params: Any = None  # in a rerun: the run's parameters, for observe
        self._base: dict[str, float] | None = None

    def before(self, name: str, ctx: Context, state: Any) -> None:
        if self.watch is not None and ctx.step == self.watch[1] and self._base is None:
            self._base = self._bad(state, ctx)  # what was bad before the week's first mechanism

    def _bad(self, state: Any, ctx: Context) -> dict[str, float]:
        from thermidor.model.indicators import observe

        return {k: v for k, v in observe(state, self.params, ctx).items() if not _ok(k, v)}

    def after(self, name: str, ctx: Context, state: Any) -> None:
        for pop, limit in self.limits.items():
            n = len(getattr(state, pop))
            if n > limit:
                raise RunError(
                    f"population.{pop}", f"{n:,} agents after {name} in the week of {ctx.date}",
                    f"at most {limit:,} agents ({MAX_PERSONS[pop]:,} persons at scale "
                    f"{int(MAX_PERSONS[pop] * 2 / limit) if limit > 10_000 else '?'})",
                    "parameters at the edge of their documented ranges, or past them "
                    '(ranges = "hard"), can do this',
                )  # fmt: skip
        if self.watch is not None and ctx.step == self.watch[1] and name != "observe":
            base = self._base or {}
            for k, v in self._bad(state, ctx).items():  # the first to go bad in this mechanism
                if k not in base:
                    raise _nan_error(k, v, name, ctx)

    def on_step(self, step: int, n_steps: int, row: dict[str, float], state: Any) -> None:
        if self.bad is None:
            for k, v in row.items():
                if not _ok(k, v):
                    self.bad = (k, step)
                    raise _Bad(k, v, step)


class _Bad(Exception):
    def __init__(self, indicator: str, value: float, step: int) -> None:
        self.indicator, self.value, self.step = indicator, value, step


def _ok(name: str, value: float) -> bool:
    return math.isfinite(value) or (math.isnan(value) and name.startswith(SPARSE))


def _nan_error(indicator: str, value: float, mechanism: str, ctx: Context) -> RunError:
    return RunError(
        f"indicator.{indicator}", value,
        "a finite number",
        f"it became {value} in the mechanism {mechanism}, in the week of {ctx.date}",
    )  # fmt: skip


Bad = _Bad


def diagnose(bad: Bad, hooks: tuple[Hook, ...], rerun: Any, params: Any) -> RunError:
    """The error for an indicator that went bad: run again to its week (same seed, same
    bytes) with a hook that checks the indicator after each mechanism of that week, so the
    error names the mechanism. ``rerun(hook, step)`` runs the same run, with its hooks and that one, to ``step``."""
    if any(isinstance(h, Bounds) and h.watch is not None for h in hooks):  # already the rerun
        return RunError(f"indicator.{bad.indicator}", bad.value, "a finite number",
                        f"it is {bad.value} as observe computes it, step {bad.step}")  # fmt: skip
    watcher = Bounds({})
    watcher.watch, watcher.params = (bad.indicator, bad.step), params
    try:
        rerun(watcher, bad.step)
    except RunError as e:
        return e
    return RunError(f"indicator.{bad.indicator}", bad.value, "a finite number",
                    f"step {bad.step}; the rerun did not reproduce it")  # fmt: skip
