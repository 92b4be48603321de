"""The accelerator's kernels: numba-compiled reductions over a population, and the tools to write
more (:func:`jit`, :func:`threaded`, the blocks they share).

Each kernel makes one pass over the agents with no temporary arrays; numpy's version in
:class:`thermidor.engine.backend.NumpyOps` is the definition. Same seed, same bytes whatever the
number of threads: a threaded kernel adds its float sums in fixed blocks (see Threads below).
No kernel uses fast-math.
"""

from __future__ import annotations

import sys
import types
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from thermidor.engine.backend import NumpyOps

_NUMPY = NumpyOps()  # where numpy's own rules must decide (bad keys, odd dtypes)


def _load_numba_array_math_without_blas_probe() -> None:
    """Import ``numba.np.arraymath`` with ``scipy.linalg.cython_blas`` hidden.

    numba loads its array-math module the first time it loads any kernel, and that module probes
    for BLAS by importing ``scipy.linalg`` (about 0.5 s on the machines we measure: half of a
    run's start-up). Its answer only chooses how ``np.correlate`` and ``np.convolve`` compile;
    no kernel here uses them, and numba's linear algebra (``np.dot``...) imports BLAS itself when
    a kernel needs it, so hiding the module for this one import changes nothing but the time.
    """
    name = "scipy.linalg.cython_blas"
    if name in sys.modules or "numba.np.arraymath" in sys.modules:
        return
    sys.modules[name] = None  # type: ignore[assignment]  # an import of it raises ImportError
    try:
        import numba.np.arraymath  # noqa: F401
    finally:
        del sys.modules[name]


_load_numba_array_math_without_blas_probe()


# -- numba ------------------------------------------------------------------------------------
# Each sum_by kernel returns (sums, ok); ok is False where numpy's own rules must decide (a key
# outside [0, size), or a mask that selects nobody: bincount of nothing is int64), and the caller
# then asks numpy. The range check rides along the pass instead of costing two reductions.
def _nb_sum_by_all(key, weight, size):  # type: ignore[no-untyped-def]
    # integer weights add exactly in any order (below 2**53), so four interleaved integer
    # accumulators give bincount's float64 sums to the bit, without its serial dependency
    acc = np.zeros((4, size), dtype=np.int64)
    n4 = key.size - key.size % 4
    for i in range(0, n4, 4):
        k0, k1, k2, k3 = key[i], key[i + 1], key[i + 2], key[i + 3]
        if min(min(k0, k1), min(k2, k3)) < 0 or max(max(k0, k1), max(k2, k3)) >= size:
            return acc[0].astype(np.float64), False
        acc[0, k0] += weight[i]
        acc[1, k1] += weight[i + 1]
        acc[2, k2] += weight[i + 2]
        acc[3, k3] += weight[i + 3]
    for i in range(n4, key.size):
        if key[i] < 0 or key[i] >= size:
            return acc[0].astype(np.float64), False
        acc[0, key[i]] += weight[i]
    out = np.empty(size, dtype=np.float64)
    for j in range(size):
        out[j] = np.float64(acc[0, j] + acc[1, j] + acc[2, j] + acc[3, j])
    return out, key.size > 0


def _nb_sum_by_values(key, weight, values, size):  # type: ignore[no-untyped-def]
    out = np.zeros(size, dtype=np.float64)
    for i in range(key.size):
        if key[i] < 0 or key[i] >= size:
            return out, False
        out[key[i]] += np.float64(weight[i]) * np.float64(values[i])
    return out, key.size > 0


def _nb_sum_by_mask(key, weight, mask, size):  # type: ignore[no-untyped-def]
    acc = np.zeros((2, size), dtype=np.int64)  # exact, as in _nb_sum_by_all
    seen = False
    n2 = key.size - key.size % 2
    for i in range(0, n2, 2):
        if mask[i]:
            if key[i] < 0 or key[i] >= size:
                return acc[0].astype(np.float64), False
            acc[0, key[i]] += weight[i]
            seen = True
        if mask[i + 1]:
            if key[i + 1] < 0 or key[i + 1] >= size:
                return acc[0].astype(np.float64), False
            acc[1, key[i + 1]] += weight[i + 1]
            seen = True
    if n2 < key.size and mask[n2]:
        if key[n2] < 0 or key[n2] >= size:
            return acc[0].astype(np.float64), False
        acc[0, key[n2]] += weight[n2]
        seen = True
    out = np.empty(size, dtype=np.float64)
    for j in range(size):
        out[j] = np.float64(acc[0, j] + acc[1, j])
    return out, seen


def _nb_sum_by_values_mask(key, weight, values, mask, size):  # type: ignore[no-untyped-def]
    out = np.zeros(size, dtype=np.float64)
    seen = False
    for i in range(key.size):
        if mask[i]:
            if key[i] < 0 or key[i] >= size:
                return out, False
            out[key[i]] += np.float64(weight[i]) * np.float64(values[i])
            seen = True
    return out, seen


def _nb_masked_total(weight, mask):  # type: ignore[no-untyped-def]
    s = 0  # an integer sum: the same in any order, so the loop may run on threads
    for i in prange(weight.size):
        if mask[i]:
            s += weight[i]
    return s


def _nb_int_total(weight):  # type: ignore[no-untyped-def]
    s = 0  # as _nb_masked_total: integers, so any order (and any number of threads)
    for i in prange(weight.size):
        s += weight[i]
    return s


def _nb_weighted(weight, x, out):  # type: ignore[no-untyped-def]
    for i in prange(weight.size):
        out[i] = np.float64(weight[i]) * np.float64(x[i])


def _nb_plurality_kernel(groups, labels, weights, n, n_labels):  # type: ignore[no-untyped-def]
    counts = np.zeros((n, n_labels), dtype=np.float64)
    for i in range(groups.size):
        counts[groups[i], labels[i]] += np.float64(weights[i])
    out = np.empty(n, dtype=np.int64)
    for g in range(n):
        best = 0
        empty = counts[g, 0] == 0.0
        for f in range(1, n_labels):
            if counts[g, f] > counts[g, best]:
                best = f
            if counts[g, f] != 0.0:
                empty = False
        out[g] = -1 if empty else best
    return out


def jit(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Compile ``fn`` with numba (cached on disk, no fast-math)."""
    return numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")(fn)


# -- threads ----------------------------------------------------------------------------------
# A kernel over the agents may run its loop on several threads (numba's prange). Its result must
# not depend on how many: each thread's share of a float sum would change the order of the
# additions, so a threaded kernel adds in fixed blocks of CHUNK agents, each summed in agent
# order, and then the blocks' sums in block order; integer sums and per-agent updates have no
# order to keep. Below PARALLEL_MIN agents a kernel runs on one thread (starting the threads
# costs more than they save); the bits are the same either way. The number of threads is numba's (NUMBA_NUM_THREADS, all cores by default).
CHUNK = 1 << 16
PARALLEL_MIN = 1 << 20
prange = numba.prange


class _Threaded:
    """A kernel compiled twice, for one thread and for several; the call picks by the size of
    its first argument (an agents' column)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.serial = numba.njit(cache=True, nogil=True, fastmath=False, error_model="numpy")(fn)
        # numba's disk cache keys a function by its qualified name and signature, not by the
        # compile options: the threaded compilation gets a name of its own, or one variant
        # would load the other's machine code (measured: the threaded one ran on one thread)
        twin = types.FunctionType(
            fn.__code__, fn.__globals__, fn.__name__, fn.__defaults__, fn.__closure__
        )
        twin.__qualname__ = f"{fn.__qualname__}__threaded"
        twin.__module__ = fn.__module__
        self.threaded = numba.njit(
            cache=True, nogil=True, fastmath=False, error_model="numpy", parallel=True
        )(twin)
        self.__doc__ = fn.__doc__
        self.__name__ = fn.__name__

    def __call__(self, *args: Any) -> Any:
        big = args[0].size >= PARALLEL_MIN and numba.get_num_threads() > 1
        return (self.threaded if big else self.serial)(*args)


def threaded(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``jit`` for a kernel whose agents' loop is a ``prange``: on several threads for large
    populations, with the same bits as on one (see the comment above)."""
    return _Threaded(fn)


@jit
def chunks_of(n):  # type: ignore[no-untyped-def]
    """How many blocks of CHUNK agents ``n`` agents make (a threaded kernel's unit of work)."""
    return (n + CHUNK - 1) // CHUNK


_SUM_BY_ALL = jit(_nb_sum_by_all)
_SUM_BY_VALUES = jit(_nb_sum_by_values)
_SUM_BY_MASK = jit(_nb_sum_by_mask)
_SUM_BY_VALUES_MASK = jit(_nb_sum_by_values_mask)
_MASKED_TOTAL = threaded(_nb_masked_total)
_INT_TOTAL = threaded(_nb_int_total)
_PLURALITY = jit(_nb_plurality_kernel)
_WEIGHTED = threaded(_nb_weighted)


@threaded
def _sum_by_all_blocks(key, weight, size):  # type: ignore[no-untyped-def]
    """``_SUM_BY_ALL`` block by block, on threads: its sums are of integers (exact), so the
    blocks' sums add to the same float64 whatever the order."""
    nb = chunks_of(key.size)
    parts = np.zeros((nb, size))
    good = np.ones(nb, dtype=np.bool_)
    for c in prange(nb):
        lo = c * CHUNK
        parts[c], good[c] = _SUM_BY_ALL(key[lo : lo + CHUNK], weight[lo : lo + CHUNK], size)
    out = np.zeros(size)
    for c in range(nb):
        out += parts[c]
    return out, key.size > 0 and good.all()


@threaded
def _sum_by_mask_blocks(key, weight, mask, size):  # type: ignore[no-untyped-def]
    """``_SUM_BY_MASK`` block by block, on threads (integer sums: exact in any order)."""
    nb = chunks_of(key.size)
    parts = np.zeros((nb, size))
    good = np.ones(nb, dtype=np.bool_)
    seen = np.zeros(nb, dtype=np.bool_)
    for c in prange(nb):
        lo = c * CHUNK
        parts[c], ok = _SUM_BY_MASK(
            key[lo : lo + CHUNK], weight[lo : lo + CHUNK], mask[lo : lo + CHUNK], size
        )
        # a block that selects nobody says not ok without a bad key: tell the two apart
        seen[c] = ok
        good[c] = ok or not _bad_key(key[lo : lo + CHUNK], mask[lo : lo + CHUNK], size)
    out = np.zeros(size)
    for c in range(nb):
        out += parts[c]
    return out, good.all() and seen.any()


@jit
def _bad_key(key, mask, size):  # type: ignore[no-untyped-def]
    for i in range(key.size):  # noqa: SIM110 (a loop numba compiles)
        if mask[i] and (key[i] < 0 or key[i] >= size):
            return True
    return False


def _values_ok(values: np.ndarray) -> bool:
    # bincount works in float64: a float32 or bool column is widened exactly, as numba does
    return values.dtype.kind in "fbiu"


def sum_by(
    key: np.ndarray, weight: np.ndarray, values: np.ndarray | None, mask: np.ndarray | None,
    size: int,
) -> np.ndarray:  # fmt: skip
    if values is not None and (np.ndim(values) != 1 or not _values_ok(np.asarray(values))):
        return _NUMPY.sum_by(key, weight, values, mask, size)
    if mask is not None and (mask.dtype != np.bool_ or mask.shape != key.shape):
        return _NUMPY.sum_by(key, weight, values, mask, size)
    if values is None and weight.dtype.kind not in "iu":
        return _NUMPY.sum_by(key, weight, values, mask, size)
    given = values, mask  # what numpy is asked with, where its own rules must decide
    if (
        isinstance(values, np.ndarray) and values.dtype == np.bool_
        and values.shape == key.shape and weight.dtype.kind in "iu"
    ):  # fmt: skip
        # weight * a bool is the weight or 0: an integer sum, exact in any order, so the mask's
        # kernel gives bincount's float64 sums to the bit
        values, mask = None, values if mask is None else values & mask
    if values is None:
        if mask is None:
            big = key.size >= PARALLEL_MIN
            out, ok = (_sum_by_all_blocks if big else _SUM_BY_ALL)(key, weight, size)
        else:
            big = key.size >= PARALLEL_MIN
            out, ok = (_sum_by_mask_blocks if big else _SUM_BY_MASK)(key, weight, mask, size)
    elif mask is None:
        out, ok = _SUM_BY_VALUES(key, weight, values, size)
    else:
        out, ok = _SUM_BY_VALUES_MASK(key, weight, values, mask, size)
    # bincount's own rules decide the rest: no agents, keys >= size (dropped by the slice)
    # or negative keys (refused)
    return out if ok else _NUMPY.sum_by(key, weight, *given, size)  # type: ignore[no-any-return]


def total(weight: np.ndarray, mask: np.ndarray | None) -> int:
    if mask is None:
        if weight.dtype.kind not in "iu" or weight.ndim != 1:
            return _NUMPY.total(weight, None)
        return int(_INT_TOTAL(weight))
    if mask.dtype != np.bool_ or mask.shape != weight.shape:
        return _NUMPY.total(weight, mask)
    return int(_MASKED_TOTAL(weight, mask))


def plurality(
    groups: np.ndarray, labels: np.ndarray, weights: np.ndarray, n: int, n_labels: int
) -> np.ndarray:
    ok = groups.size == 0 or (
        int(groups.min()) >= 0 and int(groups.max()) < n
        and int(labels.min()) >= 0 and int(labels.max()) < n_labels
    )  # fmt: skip
    if not ok or weights.dtype.kind not in "fiu":
        return _NUMPY.plurality(groups, labels, weights, n, n_labels)
    return _PLURALITY(groups, labels, weights, n, n_labels)  # type: ignore[no-any-return]


def weighted_values(weight: np.ndarray, x: np.ndarray) -> np.ndarray:
    """``weight * x`` for integer weights and a float column, as numpy computes it (float64);
    a large population's on threads, into a new array (its sum is then numpy's own)."""
    if (
        weight.size >= PARALLEL_MIN and weight.shape == x.shape and weight.ndim == 1
        and weight.dtype.kind in "iu" and x.dtype in (np.float32, np.float64)
    ):  # fmt: skip
        out = np.empty(weight.size)
        _WEIGHTED(weight, x, out)
        return out
    return np.asarray(weight * x)


@jit
def squeeze(col, removed, n):  # type: ignore[no-untyped-def]
    """``col[lo:m] = col[lo:n][~mask[lo:]]`` in place, ``removed`` the removed agents' indices
    (sorted, ``lo = removed[0]``): the runs of kept agents between them move down, in order.
    The indices are unsigned so that the copy of each run compiles to vector moves (a signed
    index carries numba's negative-index check, which keeps it scalar: 10x slower, measured)."""
    j = np.uint64(removed[0])
    for t in range(removed.size):
        start = np.uint64(removed[t] + 1)
        end = np.uint64(removed[t + 1] if t + 1 < removed.size else n)
        run = end - start
        for q in range(run):
            col[j + q] = col[start + q]
        j += run
