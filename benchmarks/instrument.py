"""Time each mechanism of the model's step and count the agents it updates.

Counting rule (agent-updates): a mechanism's call updates every agent of each population whose
columns it read or wrote in that call (any ``pop[...]`` access, including ``total``, ``sum_by``,
``mean`` and ``share``, which read the weights of all live agents); the call counts
``len(population)`` agents for each such population, once, whatever the number of columns it
touched, taken as the larger of the population's size before and after the call (so agents added
or removed count). A call that touches no population (a mechanism that skips this week, as the
monthly ones do three weeks in four, or reads only aggregates) counts no agent-updates but its
time is kept. The count detects access with a thin wrapper around ``Population.__getitem__`` and
``__setitem__``; its cost is a set insertion per column access.

Bytes touched: the same call is also charged, for each distinct column it read or wrote,
``len(population) * itemsize`` bytes, once: a lower bound of the memory traffic it caused (its
temporaries and repeated passes come on top), to be read against the machine's copy bandwidth.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from thermidor.engine import Context, Hook, Population


@dataclass
class Tally:
    calls: int = 0  # calls in which the mechanism touched at least one population
    cpu_s: float = 0.0  # process CPU time, all calls
    wall_s: float = 0.0
    updates: int = 0  # agent-updates, by the counting rule above
    column_bytes: int = 0  # each distinct column touched in a call, counted once per call

    def as_dict(self) -> dict[str, float]:
        rate = self.updates / self.cpu_s if self.cpu_s > 0 else 0.0
        return {
            "calls_acting": self.calls,
            "cpu_s": self.cpu_s,
            "wall_s": self.wall_s,
            "agent_updates": self.updates,
            "updates_per_s": rate,
            "column_bytes": self.column_bytes,
            "column_bytes_per_s": self.column_bytes / self.cpu_s if self.cpu_s > 0 else 0.0,
        }


def row_bytes(pop: Population) -> int:
    """Bytes of one agent's row: the itemsizes of all its columns (weight included)."""
    return sum(d.itemsize for d in pop.dtypes.values())


class Instrument(Hook):
    """A hook (``thermidor.run(..., hooks=[Instrument()])``) that times each mechanism, in CPU
    and wall seconds, and counts the agents it updates, by the rule above, in ``tallies``.

    Counting needs ``Population`` access patched: run inside ``with inst.counting():``; outside
    it only the times are kept."""

    def __init__(self) -> None:
        self.tallies: dict[str, Tally] = {}
        self._touched: dict[int, tuple[Population, set[str]]] | None = None
        self._pops: list[Population] | None = None
        self._sizes: dict[int, int] = {}
        self._c0 = self._w0 = 0.0

    def populations(self, state: Any) -> list[Population]:
        """The state's populations (its attributes that are one), found on the first call."""
        if self._pops is None:
            self._pops = [v for v in vars(state).values() if isinstance(v, Population)]
        return self._pops

    @contextmanager
    def counting(self) -> Iterator[None]:
        """Patch ``Population`` access for the duration (restored on exit)."""
        get, put = Population.__getitem__, Population.__setitem__
        inst = self

        def note(pop: Population, column: str) -> None:
            touched = inst._touched
            if touched is not None:
                entry = touched.get(id(pop))
                if entry is None:
                    touched[id(pop)] = (pop, {column})
                else:
                    entry[1].add(column)

        def tracked_get(pop: Population, column: str) -> Any:
            note(pop, column)
            return get(pop, column)

        def tracked_put(pop: Population, column: str, values: Any) -> None:
            note(pop, column)
            put(pop, column, values)

        Population.__getitem__ = tracked_get  # type: ignore[method-assign]
        Population.__setitem__ = tracked_put  # type: ignore[method-assign]
        try:
            yield
        finally:
            Population.__getitem__ = get  # type: ignore[method-assign]
            Population.__setitem__ = put  # type: ignore[method-assign]

    def before(self, name: str, ctx: Context, state: Any) -> None:
        self._sizes = {id(p): p.n for p in self.populations(state)}
        self._touched = {}
        self._c0, self._w0 = time.process_time(), time.perf_counter()

    def after(self, name: str, ctx: Context, state: Any) -> None:
        cpu, wall = time.process_time() - self._c0, time.perf_counter() - self._w0
        tally = self.tallies.setdefault(name, Tally())
        tally.cpu_s += cpu
        tally.wall_s += wall
        touched, self._touched = self._touched, None
        if touched:
            tally.calls += 1
            for key, (pop, columns) in touched.items():
                n = max(pop.n, self._sizes.get(key, 0))
                tally.updates += n
                tally.column_bytes += n * sum(pop.dtypes[c].itemsize for c in columns)
