"""Backends: how the engine's per-agent operations are computed, chosen per run.

The core computes every operation in numpy (:class:`NumpyOps`, the definition). A faster backend
(``thermidor.engine.accel`` registers ``"numba"``) subclasses it and is registered here by name;
a model registers compiled twins of its own functions with :func:`register_twin`, and marks the
function a twin may replace with :func:`twin`. The backend is chosen per run, by
:func:`using` (``thermidor.run(..., backend=...)`` does it), never by the environment at import.

Determinism is promised within a backend: the same seed and backend give the same bytes, whatever
the threads. Across backends the draws differ (numpy's generator against counter streams) and
so do float sums' last bits; backends are tested equal in distribution.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any, TypeVar

import numpy as np

F = TypeVar("F", bound=Callable[..., Any])


class NumpyOps:
    """The per-agent operations of populations and draws, in numpy (the reference)."""

    name = "numpy"

    # -- reductions ---------------------------------------------------------------------------
    def sum_by(
        self, key: np.ndarray, weight: np.ndarray, values: np.ndarray | None,
        mask: np.ndarray | None, size: int,
    ) -> np.ndarray:  # fmt: skip
        """``bincount(key[mask], (weight * values)[mask], minlength=size)[:size]`` (float64)."""
        w = weight if values is None else weight * values
        if mask is not None:
            key, w = key[mask], w[mask]
        return np.bincount(key, weights=w, minlength=size)[:size].astype(np.float64)

    def total(self, weight: np.ndarray, mask: np.ndarray | None) -> int:
        """``weight[mask].sum()`` (no mask: all) as an exact integer."""
        return int(weight.sum() if mask is None else weight[mask].sum())

    def weighted(self, weight: np.ndarray, x: np.ndarray) -> np.ndarray:
        """``weight * x`` in float64 (a weighted mean's numerator, before its sum)."""
        return np.asarray(weight * x, dtype=np.float64)

    def plurality(
        self, groups: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int, n_labels: int
    ) -> np.ndarray:
        """Per group ``0..n-1`` the label with the most weight; the first on a tie, -1 if empty."""
        counts = np.bincount(
            groups.astype(np.int64) * n_labels + labels,
            weights=weights.astype(np.float64),
            minlength=n * n_labels,
        ).reshape(n, n_labels)
        out = counts.argmax(axis=1)
        out[counts.sum(axis=1) == 0] = -1
        return out

    def squeeze(self, col: np.ndarray, mask: np.ndarray, removed: np.ndarray, n: int) -> None:
        """Drop the agents where ``mask`` (their sorted indices ``removed``) from ``col[:n]`` in
        place, the kept ones moving down in order."""
        lo = int(removed[0])
        col[lo : n - removed.size] = col[lo:n][~mask[lo:]]

    # -- draws --------------------------------------------------------------------------------
    def binomial(
        self, rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float
    ) -> np.ndarray:
        """``Binomial(n[i], p[i])`` for each ``i`` (int64)."""
        n = np.asarray(n, dtype=np.int64)
        prob = np.clip(np.broadcast_to(np.asarray(p, dtype=np.float64), n.shape), 0.0, 1.0)
        out = np.zeros(n.shape, dtype=np.int64)
        idx = np.flatnonzero((prob > 0) & (n > 0))
        out[idx] = rng.binomial(n[idx], prob[idx])
        return out

    def thin(
        self, rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float,
        mask: np.ndarray | None, by: np.ndarray | None,
    ) -> np.ndarray:  # fmt: skip
        """Each unit of ``weight[i]`` leaves with probability ``p[i]`` (``p[by[i]]`` with ``by``)
        where ``mask``; ``weight`` is updated in place; returns the losses (int64)."""
        prob = _per_agent(p, by, weight.shape)
        if mask is not None:
            prob = np.where(mask, prob, 0.0)
        lost = self.binomial(rng, weight, prob)
        weight -= lost
        return lost

    def gain(
        self, rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float
    ) -> np.ndarray:
        """Each unit of ``weight[i]`` adds one with probability ``p[i]``; returns the gains."""
        gained = self.binomial(rng, weight, p)
        weight += gained
        return gained

    def bernoulli(
        self, rng: np.random.Generator, p: np.ndarray | float, mask: np.ndarray | None,
        n: int, by: np.ndarray | None,
    ) -> np.ndarray:  # fmt: skip
        """``mask & (u < p)`` for fresh uniforms ``u``: which agents an event befalls (bool)."""
        shape = _shape(p, mask, by, n)
        prob = _per_agent(p, by, shape)
        active = prob > 0
        if mask is not None:
            active &= mask
        idx = np.flatnonzero(active)
        out = np.zeros(shape, dtype=np.bool_)
        out[idx] = rng.random(idx.size) < prob[idx]
        return out

    def normal(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` standard normals (float64)."""
        return rng.standard_normal(n)


def _shape(p: Any, mask: np.ndarray | None, by: np.ndarray | None, n: int) -> tuple[int, ...]:
    for given in (mask, by, p if np.ndim(p) else None):
        if given is not None:
            return tuple(np.shape(given))
    if n < 0:
        raise ValueError("bernoulli: give n when neither p nor mask is an array")
    return (n,)


def _per_agent(p: np.ndarray | float, by: np.ndarray | None, shape: tuple[int, ...]) -> np.ndarray:
    """Each agent's probability, clipped to [0, 1]: ``p`` itself, one for all, or ``p[by]``."""
    prob = np.asarray(p, dtype=np.float64)
    if by is not None:
        prob = prob[by]
    return np.clip(np.broadcast_to(prob, shape), 0.0, 1.0)


_BACKENDS: dict[str, NumpyOps] = {"numpy": NumpyOps()}
_active: ContextVar[str] = ContextVar("thermidor_backend", default="numpy")
_TWINS: dict[str, dict[str, Callable[..., Any]]] = {}


def register_backend(ops: NumpyOps) -> None:
    """Make ``ops`` selectable under ``ops.name`` (the accelerator calls this on import)."""
    _BACKENDS[ops.name] = ops


def backends() -> tuple[str, ...]:
    """The backends registered in this process."""
    return tuple(_BACKENDS)


def current() -> str:
    """The name of the backend in force in this thread."""
    return _active.get()


def ops() -> NumpyOps:
    """The operations of the backend in force."""
    return _BACKENDS[_active.get()]


@contextmanager
def using(name: str) -> Iterator[NumpyOps]:
    """Compute with backend ``name`` for the duration (per thread and task; nests)."""
    if name not in _BACKENDS:
        raise ValueError(f"backend {name!r} is not loaded; loaded: {', '.join(_BACKENDS)}")
    token = _active.set(name)
    try:
        yield _BACKENDS[name]
    finally:
        _active.reset(token)


def twin(name: str) -> Callable[[F], F]:
    """Mark a reference function that a compiled twin registered under ``name`` may replace.

    The call runs the twin of the backend in force if one is registered, else the reference
    itself (available as ``.reference``)."""

    def mark(fn: F) -> F:
        table = _TWINS.setdefault(name, {})

        @wraps(fn)
        def dispatch(*args: Any, **kwargs: Any) -> Any:
            fast = table.get(_active.get())
            return (fast or fn)(*args, **kwargs)

        dispatch.reference = fn  # type: ignore[attr-defined]
        dispatch.twin_name = name  # type: ignore[attr-defined]
        return dispatch  # type: ignore[return-value]

    return mark


def register_twin(name: str, backend: str = "numba") -> Callable[[F], F]:
    """Register ``fn`` as the twin of the reference marked ``twin(name)``, for ``backend``."""

    def add(fn: F) -> F:
        _TWINS.setdefault(name, {})[backend] = fn
        return fn

    return add


def twins() -> dict[str, tuple[str, ...]]:
    """Each twin's name and the backends it is registered for."""
    return {name: tuple(table) for name, table in sorted(_TWINS.items())}
