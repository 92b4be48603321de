"""The ``cupy`` backend: a clear refusal without a GPU, the same model with one.

Where a CUDA GPU is present the paired equivalence test of ``benchmarks/gpu.py`` runs here over
10 seeds (the benchmark runs 30); where none is, only the refusal is tested.
"""

from __future__ import annotations

import importlib

import pytest

import thermidor
from thermidor.engine import backends, current, using


def _gpu() -> bool:
    try:
        import cupy

        return bool(cupy.cuda.runtime.getDeviceCount())
    except Exception:
        return False


GPU = _gpu()


@pytest.mark.skipif(GPU, reason="this machine has a GPU: the backend is tested below instead")
def test_cupy_without_a_gpu_is_refused_with_the_reason() -> None:
    with pytest.raises(ImportError, match=r"the cupy backend needs CuPy and a CUDA GPU \("):
        importlib.import_module("thermidor.engine.accel.cupy")
    assert "cupy" not in backends()
    with pytest.raises(ImportError, match="needs CuPy and a CUDA GPU"):
        thermidor.run("baseline", seed=0, scale=200, until="1917-04-01", backend="cupy")
    with pytest.raises(ValueError, match="backend 'cupy' is not loaded"), using("cupy"):
        pass  # pragma: no cover
    assert current() == "numpy"


@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU and CuPy")
def test_cupy_runs_are_the_same_model_as_numba() -> None:
    from benchmarks.gpu import equivalence

    rows = equivalence(seeds=10, processes=2)
    assert all(r.equivalent for r in rows), rows
