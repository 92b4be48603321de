"""The ``cupy`` backend: the numba backend with its reductions on a CUDA GPU.

The populations stay in host memory; each call copies its columns over. Its float sums are
atomic additions in no fixed order, so a run on it is not byte-identical from one run to the
next: it is tested in distribution against numba (tests/gpu/), only where a GPU is present.
Importing this module registers it; it raises ``ImportError`` without CuPy or a CUDA device.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine.accel import NumbaOps
from thermidor.engine.backend import register_backend

try:
    import cupy as cp

    cp.cuda.runtime.getDeviceCount()
except Exception as e:  # no CuPy, no driver or no device
    raise ImportError(
        f"the cupy backend needs CuPy and a CUDA GPU ({type(e).__name__}: {e})"
    ) from e


class CupyOps(NumbaOps):
    """:class:`NumbaOps` with ``sum_by``, ``total`` and ``plurality`` on the GPU."""

    name = "cupy"

    def sum_by(
        self, key: np.ndarray, weight: np.ndarray, values: np.ndarray | None,
        mask: np.ndarray | None, size: int,
    ) -> np.ndarray:  # fmt: skip
        if key.size == 0 or int(key.min()) < 0:
            return super().sum_by(key, weight, values, mask, size)
        k = cp.asarray(key).astype(cp.int64)
        w = cp.asarray(weight).astype(cp.float64)
        if values is not None:
            w *= cp.asarray(values).astype(cp.float64)
        if mask is not None:
            m = cp.asarray(mask)
            k, w = k[m], w[m]
        return cp.asnumpy(cp.bincount(k, weights=w, minlength=size)[:size])  # type: ignore[no-any-return]

    def total(self, weight: np.ndarray, mask: np.ndarray | None) -> int:
        if mask is None:
            return int(weight.sum())
        return int(cp.where(cp.asarray(mask), cp.asarray(weight), 0).sum())

    def plurality(
        self, groups: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int, n_labels: int
    ) -> np.ndarray:
        idx = cp.asarray(groups).astype(cp.int64) * n_labels + cp.asarray(labels).astype(cp.int64)
        counts = cp.bincount(
            idx, weights=cp.asarray(weights).astype(cp.float64), minlength=n * n_labels
        ).reshape(n, n_labels)
        out = counts.argmax(axis=1)
        out[counts.sum(axis=1) == 0] = -1
        return cp.asnumpy(out)  # type: ignore[no-any-return]


register_backend(CupyOps())
