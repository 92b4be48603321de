"""Populations as structs of typed arrays.

A population holds one numpy array per attribute (the smallest dtype that fits) and an ``int64``
``weight``: how many persons (or households, or members) each agent stands for. Arrays are
allocated with spare capacity; ``pop["x"]`` is a view of the live agents' column, shape ``(n,)``.
Agents are never Python objects and no operation loops over them in Python.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import numpy.typing as npt

from thermidor.engine import kernels
from thermidor.engine.ledger import Ledger

WEIGHT = "weight"


class Population:
    """A struct of arrays.

    ``schema`` maps attribute names to dtypes; ``weight`` (int64) is always added. ``unit`` names
    what one unit of weight is ("persons", "households").
    """

    def __init__(
        self,
        name: str,
        schema: Mapping[str, npt.DTypeLike],
        unit: str = "persons",
        capacity: int = 1024,
    ) -> None:
        self.name = name
        self.unit = unit
        self.dtypes: dict[str, np.dtype] = {WEIGHT: np.dtype(np.int64)}
        self.dtypes.update({k: np.dtype(v) for k, v in schema.items()})
        self._cap = max(int(capacity), 16)
        self._cols = {k: np.zeros(self._cap, dtype=d) for k, d in self.dtypes.items()}
        self.n = 0

    # -- access ---------------------------------------------------------------------------
    def __getitem__(self, column: str) -> np.ndarray:
        return self._cols[column][: self.n]

    def __setitem__(self, column: str, values: npt.ArrayLike) -> None:
        self._store(column, slice(0, self.n), values)

    def _store(self, column: str, where: slice, values: npt.ArrayLike) -> None:
        """Write into a column; a value its dtype cannot hold is an error, never a silent inf
        or a wrapped integer (numpy only warns when a cast overflows)."""
        col = self._cols[column]
        try:
            with np.errstate(over="raise", invalid="raise"):
                col[where] = values
        except FloatingPointError as e:
            v = np.asarray(values, dtype=np.float64)
            worst = float(v.flat[np.nanargmax(np.abs(v))]) if np.isfinite(v).any() else v.flat[0]
            raise OverflowError(
                f"{self.name}.{column}: {worst!r} does not fit the column's {col.dtype} "
                f"({e}); a mechanism has let this attribute run away"
            ) from e

    def __len__(self) -> int:
        return self.n

    @property
    def columns(self) -> list[str]:
        return list(self.dtypes)

    def total(self, mask: np.ndarray | None = None) -> int:
        w = self[WEIGHT]
        return int(w.sum()) if mask is None else kernels.masked_total(w, mask)

    def sum_by(
        self,
        key: str,
        size: int,
        values: np.ndarray | None = None,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """Weighted sums by an integer attribute: ``bincount(key, weight * values)``."""
        return kernels.sum_by(self[key], self[WEIGHT], values, mask, size)

    def mean(self, column: str, mask: np.ndarray | None = None) -> float:
        w = self[WEIGHT]
        x = self[column]
        if mask is not None:
            w, x = w[mask], x[mask]
        tot = w.sum()
        return float((w * x).sum() / tot) if tot > 0 else float("nan")

    def share(self, mask: np.ndarray, within: np.ndarray | None = None) -> float:
        w = self[WEIGHT]
        mask = np.asarray(mask, dtype=bool)
        if within is not None:
            tot = kernels.masked_total(w, within)
            mask = mask & within
        else:
            tot = int(w.sum())
        return float(kernels.masked_total(w, mask) / tot) if tot > 0 else float("nan")

    # -- change ---------------------------------------------------------------------------
    def _reserve(self, n_new: int) -> None:
        need = self.n + n_new
        if need <= self._cap:
            return
        cap = max(need, int(self._cap * 1.5))
        for k, arr in self._cols.items():
            grown = np.zeros(cap, dtype=arr.dtype)
            grown[: self.n] = arr[: self.n]
            self._cols[k] = grown
        self._cap = cap

    def append(self, **columns: npt.ArrayLike) -> int:
        """Add agents; missing attributes are zero. Returns how many were added."""
        if WEIGHT not in columns:
            raise ValueError(f"{self.name}: append needs a weight")
        unknown = set(columns) - set(self.dtypes)
        if unknown:
            raise KeyError(f"{self.name}: unknown attributes {sorted(unknown)}")
        m = int(np.size(columns[WEIGHT]))
        if m == 0:
            return 0
        self._reserve(m)
        lo, hi = self.n, self.n + m
        for k, v in columns.items():
            self._store(k, slice(lo, hi), v)
        for k in self.dtypes.keys() - columns.keys():
            self._cols[k][lo:hi] = 0
        self.n = hi
        return m

    def remove(self, mask: np.ndarray) -> dict[str, np.ndarray]:
        """Remove the agents where ``mask`` is true; return their rows (copies). Order is kept."""
        mask = np.asarray(mask, dtype=bool)
        out = {k: self[k][mask] for k in self.dtypes}  # boolean indexing copies
        if out[WEIGHT].size:
            keep = ~mask
            m = self.n - out[WEIGHT].size
            for k in self.dtypes:
                col = self._cols[k]
                col[:m] = col[: self.n][keep]
            self.n = m
        return out

    def compact(self) -> None:
        """Drop agents whose weight has fallen to zero."""
        dead = self[WEIGHT] <= 0
        if dead.any():
            self.remove(dead)

    def thin(
        self,
        rng: np.random.Generator,
        p: np.ndarray | float,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """Binomial thinning: each unit of weight leaves with probability ``p``.

        Returns the persons lost per agent (int64, shape ``(n,)``); the caller records the flow.
        Draws only where ``p > 0`` (and ``mask``), so the stream depends on the state, not on
        the number of untouched agents. Sparse losses (the usual weekly hazards) are drawn by
        :func:`sparse_binomial`, dense ones agent by agent; both are exact.
        """
        w = self[WEIGHT]
        if np.ndim(p) == 0 and mask is None:  # the common case: one rate for everyone
            q = min(max(float(p), 0.0), 1.0)
            lost = binomial(rng, w, q)
            self._cols[WEIGHT][: self.n] -= lost
            return lost
        prob = np.broadcast_to(np.clip(p, 0.0, 1.0), w.shape)
        active = prob > 0
        if mask is not None:
            active &= mask
        lost = np.zeros(w.shape, dtype=np.int64)
        idx = np.flatnonzero(active)
        if idx.size:
            lost[idx] = binomial(rng, w[idx], prob[idx])
            self._cols[WEIGHT][idx] -= lost[idx]
        return lost

    def snapshot(self) -> dict[str, np.ndarray]:
        return {k: self[k].copy() for k in self.dtypes}


SPARSE_MAX_P = 0.02
"""Above this probability ``binomial`` draws agent by agent (numpy's ``choice`` without
replacement stops using Floyd's sampler at a fiftieth of the population)."""


SPARSE_SUCCESSES = 0.1
"""Expected successes per agent below which ``binomial`` draws through the successes: each
costs about ten times one agent's binomial draw (measured: benchmarks/thinning.py)."""


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """``Binomial(n[i], p[i])`` for each i, exactly (int64).

    When the expected successes are few against the agents (at most ``SPARSE_SUCCESSES`` per
    agent, and ``p`` at most ``SPARSE_MAX_P``), :func:`sparse_binomial` draws them in time
    proportional to the successes; otherwise numpy's binomial draws each agent. The choice
    depends only on ``n`` and ``p``, so the stream is a function of the state.
    """
    n = np.asarray(n, dtype=np.int64)
    if n.size == 0:
        return np.zeros(0, dtype=np.int64)
    p_max = float(np.max(p)) if np.ndim(p) else float(p)
    if p_max <= 0.0:
        return np.zeros(n.shape, dtype=np.int64)
    total = int(n.sum())
    if p_max <= SPARSE_MAX_P and total * p_max <= SPARSE_SUCCESSES * n.size:
        return sparse_binomial(rng, n, p, p_max, total)
    return np.asarray(rng.binomial(n, p), dtype=np.int64)


def sparse_binomial(
    rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float, p_max: float, total: int
) -> np.ndarray:
    """Exact ``Binomial(n[i], p[i])`` drawn through the successes, not the agents.

    Every one of the ``total`` units succeeds with ``p_max``: their number is
    ``Binomial(total, p_max)`` and, given it, they are a uniform subset of the units (Floyd's
    sampler, ``choice(replace=False)``); each is then kept with ``p[i] / p_max`` (thinning a
    Bernoulli process). So unit j of agent i succeeds independently with ``p[i]``, as numpy's
    binomial would have it, at a cost of a cumulative sum and the successes.
    """
    k = int(rng.binomial(total, p_max))
    out = np.zeros(n.shape, dtype=np.int64)
    if k == 0:
        return out
    units = np.sort(rng.choice(total, size=k, replace=False, shuffle=False))
    agent = np.searchsorted(np.cumsum(n), units, side="right")  # sorted keys search faster
    if np.ndim(p):
        keep = rng.random(k) * p_max < np.asarray(p)[agent]
        agent = agent[keep]
    return np.bincount(agent, minlength=n.size).astype(np.int64, copy=False)


def transfer(
    ledger: Ledger,
    cause: str,
    source: Population,
    target: Population,
    mask: np.ndarray,
    **attributes: npt.ArrayLike,
) -> dict[str, np.ndarray]:
    """Move whole agents from ``source`` to ``target``, weight exactly.

    Attributes present in both populations are carried over; ``attributes`` sets or overrides
    others (scalars or arrays over the moved agents). Returns the moved rows (as in the source).
    """
    rows = source.remove(mask)
    moved = int(rows[WEIGHT].sum())
    if rows[WEIGHT].size:
        cols = {k: v for k, v in rows.items() if k in target.dtypes}
        m = rows[WEIGHT].size
        for k, v in attributes.items():
            cols[k] = np.broadcast_to(np.asarray(v), (m,))
        target.append(**cols)
    ledger.flow(cause, source.name, target.name, moved)
    return rows


def chunks(persons: np.ndarray | int, scale: int) -> tuple[np.ndarray, np.ndarray]:
    """Split counts of persons into agents of ``scale`` persons (and one remainder each).

    ``persons`` is an array of counts (e.g. by region). Returns ``(weights, group)``: the weight of
    each new agent and the index of the count it came from. Totals are exact.
    """
    counts = np.atleast_1d(np.asarray(persons, dtype=np.int64))
    full, rem = np.divmod(counts, max(int(scale), 1))
    n_agents = full + (rem > 0)
    group = np.repeat(np.arange(counts.size), n_agents)
    weights = np.full(group.size, int(scale), dtype=np.int64)
    last = np.cumsum(n_agents) - 1
    has_rem = rem > 0
    weights[last[has_rem]] = rem[has_rem]
    return weights, group
