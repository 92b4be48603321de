"""Expensive runs shared by the whole session, computed once even under ``pytest -n 2``.

A session fixture runs once per xdist worker; the runs below are cached as pickles in the
session's shared temporary directory under a file lock, so the second worker reads what the first
computed instead of computing it again.
"""

from __future__ import annotations

import fcntl
import pickle
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from tests.support import extend, run_coarse
from thermidor import Result
from thermidor.lab.ensemble import run_many, seeds_for

ENSEMBLE_SEEDS = 6


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="session")
def shared(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Callable[..., Any]:
    """``shared(key, make)``: ``make()`` once per test session, whatever the number of workers."""
    memo: dict[str, Any] = {}

    def get(key: str, make: Callable[[], Any]) -> Any:
        if key in memo:
            return memo[key]
        if worker_id == "master":
            memo[key] = make()
            return memo[key]
        root = tmp_path_factory.getbasetemp().parent
        data = root / f"{key}.pickle"
        with _locked(root / f"{key}.lock"):
            if data.is_file():
                memo[key] = pickle.loads(data.read_bytes())
            else:
                memo[key] = make()
                data.write_bytes(pickle.dumps(memo[key]))
        return memo[key]

    return get


@pytest.fixture(scope="session")
def baseline_ensemble(shared: Callable[..., Any]) -> list[Result]:
    """Six seeds of the baseline, 1917-1921, at the default scale, on two processes."""
    return shared(
        "baseline-ensemble",
        lambda: run_many(extend(), seeds_for(ENSEMBLE_SEEDS, 0), workers=2),
    )


@pytest.fixture(scope="session")
def coarse_baseline(shared: Callable[..., Any]) -> Callable[[int], Result]:
    """``coarse_baseline(seed)``: the baseline 1917-1921 at the coarse scale."""

    def get(seed: int = 0) -> Result:
        return shared(f"coarse-baseline-{seed}", lambda: run_coarse(seed=seed))

    return get
