"""Ensembles: many seeds of one scenario, on local processes.

Member ``k`` of an ensemble with root seed ``root`` runs with ``member_seed(root, k)`` (child ``k``
of ``SeedSequence(root)``), so any member can be reproduced with ``thermidor run --seed``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path
from typing import Any

from thermidor.engine import member_seed
from thermidor.model.result import Result
from thermidor.model.run import ScaleArg, run
from thermidor.model.scenario import Scenario


def seeds_for(n: int, root: int = 0) -> list[int]:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"the number of seeds must be a whole number >= 1, got {n!r}")
    return [member_seed(root, k) for k in range(n)]


def default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def run_many(
    scenario: str | Path | dict[str, Any] | Scenario,
    seeds: Sequence[int],
    scale: ScaleArg = None,
    workers: int | None = None,
    on_done: Callable[[int, Result], None] | None = None,
) -> list[Result]:
    """Run every seed; results come back in the order of ``seeds``."""
    workers = default_workers() if workers is None else workers
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
