"""The numba backend's per-agent draws, on counter-based streams.

Each function takes one draw of the mechanism's generator as the key of a counter-based stream
(:mod:`thermidor.engine.accel.counter`) and gives the ``j``-th agent at risk the stream's draw
``j``, as :class:`thermidor.engine.backend.NumpyOps` does with numpy's generator: an agent that
nothing can happen to draws nothing. A kernel makes each draw in its own loop, with no array of
uniforms, in fixed blocks on threads (the same bits on any number of threads). The draws are
equal in distribution to numpy's, not equal in bits (tests/engine/test_draws.py).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine.accel import counter, kernels
from thermidor.engine.accel.kernels import prange


def key(rng: np.random.Generator) -> np.uint64:
    """A counter stream's key: one draw of the mechanism's generator, its next raw 64 bits
    (what ``rng.integers(0, 2**64, dtype=np.uint64)`` returns, a tenth of its cost)."""
    return np.uint64(rng.bit_generator.random_raw())


_NO_MASK = np.zeros(0, dtype=np.bool_)  # what a kernel is given when there is no mask
_NO_AGENTS = np.zeros(0, dtype=np.int64)


def _fused_by(p: np.ndarray, by: np.ndarray, shape: tuple[int, ...]) -> bool:
    """Whether a kernel may read a table ``p`` by group ``by`` itself: a numba backend, one
    dimension, integer groups inside the table (else numpy's gather decides, and raises)."""
    return (
        p.ndim == 1 and by.ndim == 1 and by.shape == shape and by.dtype.kind in "iu"
        and (by.size == 0 or (int(by.min()) >= 0 and int(by.max()) < p.size))
    )  # fmt: skip


def binomial(rng: np.random.Generator, n: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """``Binomial(n[i], p[i])`` for each i, exactly (int64), ``n`` left as it is (element ``i``
    depends on ``n[i]`` and ``p[i]`` alone, and the j-th element with ``p > 0`` takes draw j;
    the draws :func:`thin` would make)."""
    counts = np.asarray(n, dtype=np.int64)
    if not counts.flags.writeable:  # the kernel's signature wants a writable array
        counts = counts.copy()
    return _units(rng, counts, p, None, 0, None)


def thin(
    rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float, mask: np.ndarray | None,
    by: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """Each unit of ``weight[i]`` leaves with probability ``p[i]`` (clipped to [0, 1]) where
    ``mask``; updates ``weight`` in place and returns the losses (int64). The ``j``-th agent with
    ``p > 0`` (and ``mask``) takes draw ``j``. With ``by`` (each agent's group), ``p`` is a table
    by group and agent ``i``'s probability is ``p[by[i]]``: the draws of ``p[by]``, without that
    array. See ``Population.thin``."""
    return _units(rng, weight, p, mask, -1, by)


def gain(rng: np.random.Generator, weight: np.ndarray, p: np.ndarray | float) -> np.ndarray:
    """Each unit of ``weight[i]`` adds one with probability ``p[i]`` (households partitioning):
    ``weight += binomial(rng, weight, p)`` in one pass, the same draws; returns the gains."""
    return _units(rng, weight, p, None, 1, None)


def _units(
    rng: np.random.Generator,
    weight: np.ndarray,
    p: np.ndarray | float,
    mask: np.ndarray | None,
    sign: int,
    by: np.ndarray | None,
) -> np.ndarray:
    """``Binomial(weight[i], p[i])`` where ``p > 0`` and ``mask``, added to ``weight`` times
    ``sign`` (-1 thin, 0 leave, +1 gain); returns the draws. ``by``: ``p`` is by group."""
    prob = np.asarray(p, dtype=np.float64)
    k = key(rng)
    if by is not None and not _fused_by(prob, by, weight.shape):
        prob, by = prob[by], None  # a table the kernel cannot read: gathered
    drawn = np.empty(weight.shape, dtype=np.int64)
    has_mask = mask is not None
    # a scalar p is read with stride 0 (no broadcast array: its cost is per call)
    n_big = _units_kernel(weight, prob.reshape(-1), int(prob.ndim > 0),
                  mask if has_mask else _NO_MASK, has_mask, k, drawn, sign,
                  _NO_AGENTS if by is None else by, by is not None)  # fmt: skip
    big = np.flatnonzero(drawn < 0) if n_big else _NO_AGENTS
    if big.size:  # means above counter.INVERSION_MAX: numpy's generator draws them
        if by is not None:
            prob = prob[by]
        elif prob.ndim == 0:
            prob = np.broadcast_to(prob, weight.shape)
        drawn[big] = rng.binomial(weight[big], np.clip(prob[big], 0.0, 1.0))
        if sign:
            weight[big] += sign * drawn[big]
    return drawn


SETUPS = 64  # weights below this keep their binomial setups in a table (one probability for all)


@kernels.threaded
def _units_kernel(weight, p, ps, mask, has_mask, k, lost, sign, by, has_by):  # type: ignore[no-untyped-def]
    """``_units`` in one pass: clip, draw where p > 0 (and the mask), add ``sign`` times the
    draw to the weight; agent ``i``'s probability is ``p[i * ps]`` (``ps`` 0 for one for all),
    or ``p[by[i]]`` with ``has_by``. Returns how many agents' means were too large to invert
    (marked -1 in ``lost``).

    Threads take blocks of ``kernels.CHUNK`` agents; a block's first draw is the number of agents
    at risk before it (``_at_risk``, counted on threads), so each agent takes the draw it takes
    on one thread."""
    nb = kernels.chunks_of(weight.size)
    first = np.zeros(nb + 1, dtype=np.int64)
    if nb > 1:  # each block's first draw: the agents at risk before it (counted on threads)
        for c in prange(nb):
            first[c + 1] = _at_risk(p, ps, mask, has_mask, by, has_by, c, weight.size)
        for b in range(1, nb + 1):  # their running sum (a loop: np.cumsum's copy back into
            first[b] += first[b - 1]  # `first` compiles numba's shape-error text, ~2 s)
    big = np.zeros(nb, dtype=np.int64)
    for c in prange(nb):
        lo = c * kernels.CHUNK
        w, out = weight[lo : lo + kernels.CHUNK], lost[lo : lo + kernels.CHUNK]
        j = first[c]
        last_n, last_p = np.int64(-1), -1.0
        pp = qq = q0 = bound = 0.0
        flip = ok = False
        # one probability for all: the setups of the small weights are kept in a table, so
        # that weights mixing 1, 2, 3 ... (households after partitions) do not redo them
        tabled = ps == 0 and not has_by
        known = np.zeros(SETUPS, dtype=np.bool_)
        setups = np.empty((SETUPS, 4))
        flips = np.zeros(SETUPS, dtype=np.bool_)
        oks = np.zeros(SETUPS, dtype=np.bool_)
        for t in range(w.size):
            q = min(max(p[by[lo + t]] if has_by else p[(lo + t) * ps], 0.0), 1.0)
            if q > 0.0 and (not has_mask or mask[lo + t]):
                m = w[t]
                if m <= 0:
                    x = 0
                elif q >= 1.0:
                    x = m
                else:
                    if m != last_n or q != last_p:  # the setup is kept while (n, p) repeat
                        if tabled and m < SETUPS:
                            if not known[m]:
                                a, b, d, e, flips[m], oks[m] = counter.binomial_setup(m, q)
                                setups[m, 0], setups[m, 1] = a, b
                                setups[m, 2], setups[m, 3] = d, e
                                known[m] = True
                            pp, qq = setups[m, 0], setups[m, 1]
                            q0, bound = setups[m, 2], setups[m, 3]
                            flip, ok = flips[m], oks[m]
                        else:
                            pp, qq, q0, bound, flip, ok = counter.binomial_setup(m, q)
                        last_n, last_p = m, q
                    if not ok:
                        x = -1
                        big[c] += 1
                    elif counter.uniform_at(k, j) <= q0:  # no success (the common case)
                        x = m if flip else 0
                    else:
                        x = counter.binomial_invert(k, j, m, pp, qq, q0, bound, flip)
                j += 1
                out[t] = x
                if x > 0 and sign != 0:
                    w[t] += sign * x
            else:
                out[t] = 0
    return big.sum()


def bernoulli(
    rng: np.random.Generator, p: np.ndarray | float, mask: np.ndarray | None = None, n: int = -1,
    by: np.ndarray | None = None,
) -> np.ndarray:  # fmt: skip
    """``mask & (u < p)`` for fresh uniforms ``u``: which agents an event befalls (bool).

    The ``j``-th agent with ``p > 0`` (and ``mask``) takes uniform ``j`` of the stream; ``n`` is
    the number of agents when both ``p`` and ``mask`` are scalars or absent. With ``by`` (each
    agent's group), ``p`` is a table by group: agent ``i``'s probability is ``p[by[i]]``, the
    draws of ``p[by]`` without that array.
    """
    prob = np.asarray(p, dtype=np.float64)
    if by is not None and not _fused_by(prob, by, by.shape if mask is None else mask.shape):
        prob, by = prob[by], None  # a table the kernel cannot read: gathered
    shape = (
        mask.shape if mask is not None
        else by.shape if by is not None
        else (prob.shape if prob.ndim else (n,))
    )  # fmt: skip
    if shape[0] < 0:
        raise ValueError("bernoulli: give n when neither p nor mask is an array")
    k = key(rng)
    out = np.empty(shape, dtype=np.bool_)
    has_mask = mask is not None
    _bernoulli(out, k, prob.reshape(-1), int(prob.ndim > 0),
               mask if has_mask else _NO_MASK, has_mask,
               _NO_AGENTS if by is None else by, by is not None)  # fmt: skip
    return out


@kernels.threaded
def _bernoulli(out, k, p, ps, mask, has_mask, by, has_by):  # type: ignore[no-untyped-def]
    """``bernoulli`` in one pass, in blocks as ``_units_kernel`` (threads for large populations)."""
    nb = kernels.chunks_of(out.size)
    first = np.zeros(nb + 1, dtype=np.int64)
    if nb > 1:  # as in _units_kernel
        for c in prange(nb):
            first[c + 1] = _at_risk(p, ps, mask, has_mask, by, has_by, c, out.size)
        for b in range(1, nb + 1):  # their running sum, as in _units_kernel
            first[b] += first[b - 1]
    for c in prange(nb):
        lo, hi = c * kernels.CHUNK, min(out.size, (c + 1) * kernels.CHUNK)
        pb = p[lo:hi] if ps and not has_by else p  # per agent: the block's; else the table
        _bernoulli_block(out[lo:hi], k, first[c], pb, ps, mask[lo:hi], has_mask, by[lo:hi], has_by)


@kernels.jit
def _bernoulli_block(o, k, j, p, ps, mask, has_mask, by, has_by):  # type: ignore[no-untyped-def]
    """One block of ``_bernoulli``, its columns sliced to it and indexed from 0 (numba then drops
    its negative-index checks). Each way of giving the probabilities has a loop of its own: an
    index ``t * ps`` makes LLVM compile the loop to slow gathers (measured: 3x slower).

    Without a mask p > 0 for nearly all agents or nearly none, and the branch predicts well.
    With one there is no branch on the data (masks are often random): each agent computes the
    uniform it would take and takes it if at risk; the conditional expressions are not ``&`` on
    bools, which numba compiles about 3x slower."""
    if not has_mask:
        for t in range(o.size):
            q = p[by[t]] if has_by else (p[t] if ps else p[0])
            if q > 0.0:
                o[t] = counter.uniform_at(k, j) < q
                j += 1
            else:
                o[t] = False
    elif has_by:
        for t in range(o.size):
            q = p[by[t]]
            risk = mask[t] if q > 0.0 else False
            u = counter.uniform_at(k, j)
            o[t] = risk if u < q else False
            j += risk
    elif ps:
        for t in range(o.size):
            q = p[t]
            risk = mask[t] if q > 0.0 else False
            u = counter.uniform_at(k, j)
            o[t] = risk if u < q else False
            j += risk
    else:
        q = p[0]
        for t in range(o.size):
            risk = mask[t] if q > 0.0 else False
            u = counter.uniform_at(k, j)
            o[t] = risk if u < q else False
            j += risk


@kernels.jit
def _at_risk(p, ps, mask, has_mask, by, has_by, c, n):  # type: ignore[no-untyped-def]
    """How many agents of block ``c`` (of ``n`` agents in all) are at risk (``p > 0`` and the
    mask): the draws they take. Its columns sliced to it, as in ``_bernoulli_block``, and one
    loop per way of giving the probabilities, none with a branch on the data."""
    lo, hi = c * kernels.CHUNK, min(n, (c + 1) * kernels.CHUNK)
    m, b = mask[lo:hi] if has_mask else mask, by[lo:hi] if has_by else by
    at_risk = 0
    if has_by:
        for t in range(hi - lo):
            at_risk += 1 if p[b[t]] > 0.0 and (not has_mask or m[t]) else 0
    elif ps:
        pb = p[lo:hi]
        for t in range(hi - lo):
            at_risk += 1 if pb[t] > 0.0 and (not has_mask or m[t]) else 0
    elif p[0] > 0.0:
        if not has_mask:
            return hi - lo
        for t in range(hi - lo):
            at_risk += 1 if m[t] else 0
    return at_risk


def normal(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` standard normals (float64) on a counter stream keyed by one draw of ``rng``: the
    ziggurat of :mod:`thermidor.engine.accel.counter`, about four times faster than numpy's."""
    out = np.empty(n)
    counter.fill_normal(key(rng), out, counter.KI, counter.WI, counter.FI)
    return out
