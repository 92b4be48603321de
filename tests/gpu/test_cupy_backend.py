"""The ``cupy`` kernel backend: a clear refusal without a GPU, the same model with one.

Where a CUDA GPU is present the paired equivalence test of ``benchmarks/gpu.py`` runs here over
10 seeds (the benchmark runs 30); where none is, only the refusal is tested.
"""

from __future__ import annotations

import pytest

from thermidor.engine import kernels


def _gpu() -> bool:
    try:
        import cupy

        return bool(cupy.cuda.runtime.getDeviceCount())
    except Exception:
        return False


GPU = _gpu()


@pytest.mark.skipif(GPU, reason="this machine has a GPU: the backend is tested below instead")
def test_cupy_without_a_gpu_is_refused_with_the_way_out(backend: None) -> None:
    with pytest.raises(ValueError, match=r"needs CuPy and a CUDA GPU .*use 'numba' or 'numpy'"):
        kernels.use("cupy")
    assert kernels.backend != "cupy"


@pytest.mark.skipif(not GPU, reason="needs a CUDA GPU and CuPy")
def test_cupy_runs_are_the_same_model_as_numba() -> None:
    from benchmarks.gpu import equivalence

    rows = equivalence(seeds=10, processes=2)
    assert all(r.equivalent for r in rows), rows
