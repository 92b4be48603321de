"""The model's runs on the numba kernels and on their numpy reference: the same bytes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

import thermidor
from thermidor.engine import kernels

pytestmark = pytest.mark.skipif(not kernels.HAVE_NUMBA, reason="numba is a dependency")


@pytest.fixture
def backend() -> Iterator[None]:
    before = kernels.backend
    yield
    kernels.use(before)


@pytest.mark.parametrize("scenario", ["baseline", "left_platform_1923"])
def test_whole_runs_are_byte_identical_on_both_backends(backend: None, scenario: str) -> None:
    """Every mechanism with a fused kernel (factions, grain) and the reductions, to 1929."""
    scale = {"households": 2000, "workers": 500, "soldiers": 2000, "members": 50,
             "officials": 500}  # fmt: skip
    out = {}
    for name in ("numpy", "numba"):
        kernels.use(name)
        r = thermidor.run(scenario, seed=3, scale=scale, until=dt.date(1929, 6, 30))
        columns = {k: v.tobytes() for k, v in r.columns.items()}
        out[name] = (columns, [(e.step, e.kind, e.data_json()) for e in r.events])
    assert out["numba"][0] == out["numpy"][0]
    assert out["numba"][1] == out["numpy"][1]
