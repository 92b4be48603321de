"""Per-agent random draws: binomial losses and gains, Bernoulli events, normals.

A mechanism passes its generator (``ctx.rng(name)``). The ``j``-th agent with ``p > 0`` (and in
the mask) takes the ``j``-th draw, so an agent that nothing can happen to draws nothing and moves
no one else's draw. The backend in force computes them (:mod:`thermidor.engine.backend`): numpy's
generator in the core, counter-based streams inside compiled kernels in the accelerator.
"""

from __future__ import annotations

import numpy as np

from thermidor.engine.backend import ops


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """``Binomial(n[i], p[i])`` for each ``i`` (int64); ``n`` is left as it is."""
    return ops().binomial(rng, n, p)


def thin(
    rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float,
    mask: np.ndarray | None = None, by: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Each unit of ``weight[i]`` leaves with probability ``p[i]`` (clipped to [0, 1]) where
    ``mask``; with ``by`` (each agent's group) ``p`` is a table by group. Updates ``weight`` in
    place and returns the losses (int64)."""
    return ops().thin(rng, weight, p, mask, by)


def gain(rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Each unit of ``weight[i]`` adds one with probability ``p[i]``; returns the gains."""
    return ops().gain(rng, weight, p)


def bernoulli(
    rng: np.random.Generator, p: np.ndarray | float, mask: np.ndarray | None = None,
    n: int = -1, by: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Which agents an event befalls (bool): ``mask & (u < p)`` for fresh uniforms ``u``. ``n``
    is the number of agents when neither ``p`` nor ``mask`` is an array; with ``by``, ``p`` is a
    table by group."""
    return ops().bernoulli(rng, p, mask, n, by)


def normal(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` standard normals (float64)."""
    return ops().normal(rng, n)
