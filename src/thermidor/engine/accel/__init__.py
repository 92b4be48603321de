"""The accelerator: numba kernels, counter-based streams, threaded blocks and memory retention.

Importing it registers the ``"numba"`` backend (:class:`NumbaOps`) with
:mod:`thermidor.engine.backend`. Nothing in the engine's core imports it; a model's compiled
twins do (``thermidor.model.fast``). Its kernels compute what :class:`NumpyOps` defines, in one
pass over the agents and on threads for large populations.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine.accel import draws, kernels, memory
from thermidor.engine.backend import NumpyOps, register_backend


class NumbaOps(NumpyOps):
    """:class:`NumpyOps` computed by numba kernels; draws on counter streams."""

    name = "numba"

    def sum_by(
        self, key: np.ndarray, weight: np.ndarray, values: np.ndarray | None,
        mask: np.ndarray | None, size: int,
    ) -> np.ndarray:  # fmt: skip
        return kernels.sum_by(key, weight, values, mask, size)

    def total(self, weight: np.ndarray, mask: np.ndarray | None) -> int:
        return kernels.total(weight, mask)

    def weighted(self, weight: np.ndarray, x: np.ndarray) -> np.ndarray:
        return kernels.weighted_values(weight, x)

    def plurality(
        self, groups: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int, n_labels: int
    ) -> np.ndarray:
        return kernels.plurality(groups, labels, weights, n, n_labels)

    def squeeze(self, col: np.ndarray, mask: np.ndarray, removed: np.ndarray, n: int) -> None:
        kernels.squeeze(col, removed, n)

    def binomial(
        self, rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float
    ) -> np.ndarray:
        return draws.binomial(rng, n, p)

    def thin(
        self, rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float,
        mask: np.ndarray | None, by: np.ndarray | None,
    ) -> np.ndarray:  # fmt: skip
        return draws.thin(rng, weight, p, mask, by)

    def gain(
        self, rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float
    ) -> np.ndarray:
        return draws.gain(rng, weight, p)

    def bernoulli(
        self, rng: np.random.Generator, p: np.ndarray | float, mask: np.ndarray | None,
        n: int, by: np.ndarray | None,
    ) -> np.ndarray:  # fmt: skip
        return draws.bernoulli(rng, p, mask, n, by)

    def normal(self, rng: np.random.Generator, n: int) -> np.ndarray:
        return draws.normal(rng, n)


register_backend(NumbaOps())

__all__ = ["NumbaOps", "draws", "kernels", "memory"]
