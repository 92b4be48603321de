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

from thermidor.engine import draws
from thermidor.engine.backend import ops
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
        return ops().total(self[WEIGHT], mask)

    def sum_by(
        self,
        key: str,
        size: int,
        values: np.ndarray | None = None,
        mask: np.ndarray | None = None,
    ) -> np.ndarray:
        """Weighted sums by an integer attribute: ``bincount(key, weight * values)``."""
        return ops().sum_by(self[key], self[WEIGHT], values, mask, size)

    def mean(self, column: str, mask: np.ndarray | None = None) -> float:
        """The weighted mean: ``(weight * x).sum() / weight.sum()``."""
        w = self[WEIGHT]
        x = self[column]
        if mask is not None:
            w, x = w[mask], x[mask]
        tot = w.sum()
        if tot <= 0:
            return float("nan")
        return float(ops().weighted(w, x).sum() / tot)

    def share(self, mask: np.ndarray, within: np.ndarray | None = None) -> float:
        w = self[WEIGHT]
        mask = np.asarray(mask, dtype=bool)
        total = ops().total
        if within is not None:
            mask = mask & within
        tot = total(w, within)
        return float(total(w, mask) / tot) if tot > 0 else float("nan")

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
        idx = np.flatnonzero(mask)
        out = {k: self[k][idx] for k in self.dtypes}  # copies, in order
        if idx.size:
            squeeze = ops().squeeze
            for k in self.dtypes:
                squeeze(self._cols[k], mask, idx, self.n)  # in place, no temporary
            self.n -= idx.size
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
        by: str | None = None,
    ) -> np.ndarray:
        """Binomial thinning: each unit of weight leaves with probability ``p``; with ``by`` (an
        integer column), ``p`` is a table by its value (``p[self[by]]``, no such array made).

        Returns the persons lost per agent (int64, shape ``(n,)``); the caller records the flow.
        The j-th agent with ``p > 0`` (and ``mask``) takes draw j (:func:`thermidor.engine.draws.thin`):
        nothing is drawn for the others, and adding agents that nothing happens to changes no draw.
        """
        return draws.thin(rng, self[WEIGHT], p, mask, None if by is None else self[by])

    def snapshot(self) -> dict[str, np.ndarray]:
        return {k: self[k].copy() for k in self.dtypes}


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


def sum_by(
    key: np.ndarray, weight: np.ndarray, size: int,
    values: np.ndarray | None = None, mask: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Weighted sums by an integer key outside a population (float64, shape ``(size,)``):
    ``bincount(key[mask], (weight * values)[mask], minlength=size)[:size]``."""
    return ops().sum_by(key, weight, values, mask, size)


def plurality(
    groups: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int, n_labels: int
) -> np.ndarray:
    """Per group ``0..n-1``, the label with the most weight; the first on a tie, -1 if empty."""
    return ops().plurality(groups, labels, weights, n, n_labels)
