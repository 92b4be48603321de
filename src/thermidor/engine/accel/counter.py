"""Counter-based random numbers: draw ``i`` of a stream is a pure function of ``(key, i)``.

A fused kernel cannot call numpy's generators agent by agent without losing what fusing gains
(numpy draws into an array first, at 5-20 ns a number on the machines we measure), so the kernels
that need one draw per agent make it themselves from a counter, as GPU simulators do (JAX's
threefry, curand's Philox). Each 64-bit word is SplitMix64's output function (Steele, Lea and
Flood 2014; it passes BigCrush) applied to ``key + c * GOLDEN`` for a counter ``c``: the words of
one key are distinct points of SplitMix64's single cycle of length 2**64, and the sequence of
words ``c = 1, 2, ...`` is SplitMix64's own sequence from state ``key``.

Draw ``i``, attempt word ``t`` uses counter ``c = (i << 20) + t + 1``, so each draw owns 2**20
words: a rejection sampler retries with the draw's own next words, and the result of draw ``i``
depends on nothing but ``(key, i)``, whatever order or number of threads computes it.

- :func:`uniform`: ``(word >> 11) * 2**-53`` in [0, 1), as numpy's ``random()``.
- :func:`normal`: the standard normal by Marsaglia and Tsang's ziggurat (2000) with 256 layers
  and 52-bit magnitudes, the variant numpy uses (sign bit, 8-bit layer, rectangle test in
  integers; the wedge and the tail use ``exp`` and ``log1p``). The tables are computed here from
  the published constants ``r`` and ``v``.
- :func:`binomial`: inversion (numpy's own method below a mean of 30), ``P(0)`` by repeated
  squaring so that only multiplications and divisions are used.

Each has a numpy version (vectorised; the reference) and scalar versions for numba kernels
(``uniform_at``; ``normal_fast`` and ``normal_slow``; ``binomial_setup`` and
``binomial_invert``); both give the same bits (tests/engine/test_counter.py,
tests/engine/test_draws.py). The fast paths are integer arithmetic and one multiplication, exact
in both. The slow paths (about 1.5% of normals) call
``math.exp``/``math.log1p`` in both versions, which numba compiles to the same C library calls
Python makes; numpy's own vectorised ``exp`` is not used, because its SIMD code can differ from
the C library in the last bit.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np

from thermidor.engine.accel.kernels import jit

GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)
WORDS_PER_DRAW = 20  # draw i owns counters (i << 20) + 1 ... (i << 20) + 2**20
MAX_DRAWS = 1 << (64 - WORDS_PER_DRAW)
_TO_UNIT = 1.0 / 9007199254740992.0  # 2**-53


def key(seed: int, name: str, step: int, *extra: int) -> np.uint64:
    """The stream key for (seed, name, step, ...): 64 bits of BLAKE2b over them (about a
    microsecond; every input changes every bit of the key with probability one half)."""
    parts = [int(seed), int(step), *map(int, extra)]
    # a seed of 2**63 or more (ensemble members have 128 bits) takes 16 bytes, marked by the
    # byte after the name (names hold no control bytes); smaller seeds keep their 8-byte keys
    wide = not -(2**63) <= parts[0] < 2**63
    head = parts[0].to_bytes(16, "little", signed=False) if wide else b""
    data = (
        name.encode("utf-8")
        + (b"\1" + head if wide else b"\0")
        + b"".join(x.to_bytes(8, "little", signed=True) for x in parts[1 if wide else 0 :])
    )
    return np.uint64(int.from_bytes(hashlib.blake2b(data, digest_size=8).digest(), "little"))


# -- the ziggurat's tables ---------------------------------------------------------------------
ZIGGURAT_R = 3.6541528853610088  # the base layer's right edge (Marsaglia and Tsang 2000, n=256)
ZIGGURAT_V = 0.00492867323399  # the area of each layer
_M52 = 2.0**52


def _tables() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``ki`` (uint64), ``wi``, ``fi`` for 256 layers; layer 0 is the base strip and the tail."""
    n = 256
    ki = np.zeros(n, dtype=np.uint64)
    wi = np.zeros(n)
    fi = np.zeros(n)
    dn = tn = ZIGGURAT_R
    q = ZIGGURAT_V / math.exp(-0.5 * dn * dn)
    ki[0] = np.uint64(math.floor((dn / q) * _M52))
    ki[1] = 0
    wi[0] = q / _M52
    wi[n - 1] = dn / _M52
    fi[0] = 1.0
    fi[n - 1] = math.exp(-0.5 * dn * dn)
    for i in range(n - 2, 0, -1):
        dn = math.sqrt(-2.0 * math.log(ZIGGURAT_V / dn + math.exp(-0.5 * dn * dn)))
        ki[i + 1] = np.uint64(math.floor((dn / tn) * _M52))
        tn = dn
        fi[i] = math.exp(-0.5 * dn * dn)
        wi[i] = dn / _M52
    return ki, wi, fi


KI, WI, FI = _tables()
_INV_R = 1.0 / ZIGGURAT_R


# -- numpy: the reference ----------------------------------------------------------------------
def _mix(z: np.ndarray) -> np.ndarray:
    """SplitMix64's output function, in place on a uint64 array (wrapping arithmetic)."""
    z ^= z >> np.uint64(30)
    z *= _M1
    z ^= z >> np.uint64(27)
    z *= _M2
    z ^= z >> np.uint64(31)
    return z


def words(k: np.uint64, n: int, t: int = 0, start: int = 0) -> np.ndarray:
    """Word ``t`` of draws ``start`` ... ``start + n - 1`` (uint64)."""
    if start + n > MAX_DRAWS:
        raise ValueError(f"a stream has at most 2**{64 - WORDS_PER_DRAW} draws, asked {start + n}")
    c = np.arange(start, start + n, dtype=np.uint64) << np.uint64(WORDS_PER_DRAW)
    c += np.uint64(t + 1)
    with np.errstate(over="ignore"):
        c *= GOLDEN
        c += np.uint64(k)
        return _mix(c)


def uniform(k: np.uint64, n: int, start: int = 0) -> np.ndarray:
    """Uniforms in [0, 1) (float64): draws ``start`` ... ``start + n - 1`` of stream ``k``."""
    return (words(k, n, 0, start) >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def _word(k: int, i: int, t: int) -> int:
    """One word as a Python int (the numpy reference's slow path)."""
    z = (int(k) + (((i << WORDS_PER_DRAW) + t + 1) * 0x9E3779B97F4A7C15)) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & 0xFFFFFFFFFFFFFFFF
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & 0xFFFFFFFFFFFFFFFF
    return z ^ (z >> 31)


def _normal_slow(k: int, i: int, r: int) -> float:
    """Draw ``i`` after its first word ``r`` failed the rectangle test: wedge, tail, retries."""
    t = 0
    while True:
        idx = r & 0xFF
        r >>= 8
        sign = r & 1
        rabs = (r >> 1) & 0x000FFFFFFFFFFFFF
        x = rabs * float(WI[idx])
        if sign:
            x = -x
        if rabs < int(KI[idx]):
            return x
        if idx == 0:
            while True:
                t += 1
                xx = -_INV_R * math.log1p(-((_word(k, i, t) >> 11) * _TO_UNIT))
                t += 1
                yy = -math.log1p(-((_word(k, i, t) >> 11) * _TO_UNIT))
                if yy + yy > xx * xx:
                    return -(ZIGGURAT_R + xx) if (rabs >> 8) & 1 else ZIGGURAT_R + xx
        t += 1
        u = (_word(k, i, t) >> 11) * _TO_UNIT
        if (float(FI[idx - 1]) - float(FI[idx])) * u + float(FI[idx]) < math.exp(-0.5 * x * x):
            return x
        t += 1
        r = _word(k, i, t)


def normal(k: np.uint64, n: int, start: int = 0) -> np.ndarray:
    """Standard normals (float64): draws ``start`` ... ``start + n - 1`` of stream ``k``."""
    r = words(k, n, 0, start)
    idx = (r & np.uint64(0xFF)).astype(np.intp)
    r8 = r >> np.uint64(8)
    rabs = (r8 >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
    x = rabs.astype(np.float64) * WI[idx]
    x = np.where((r8 & np.uint64(1)).astype(bool), -x, x)
    for j in np.flatnonzero(rabs >= KI[idx]):
        x[j] = _normal_slow(int(k), start + int(j), int(r[j]))
    return x


# -- numba: one draw at a time, for fused kernels ----------------------------------------------
@jit
def word_at(k, i, t):  # type: ignore[no-untyped-def]
    """``words(k, ., t)[i]`` as a scalar (uint64 arithmetic wraps, as in numpy)."""
    z = np.uint64(k) + ((np.uint64(i) << np.uint64(20)) + np.uint64(t + 1)) * np.uint64(
        0x9E3779B97F4A7C15
    )
    z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return z ^ (z >> np.uint64(31))


@jit
def uniform_at(k, i):  # type: ignore[no-untyped-def]
    """``uniform(k, n)[i]``."""
    return np.float64(word_at(k, i, 0) >> np.uint64(11)) * _TO_UNIT


@jit
def _unit(k, i, t):  # type: ignore[no-untyped-def]
    return np.float64(word_at(k, i, t) >> np.uint64(11)) * _TO_UNIT


@jit
def normal_slow(k, i, r, ki, wi, fi):  # type: ignore[no-untyped-def]
    """Draw ``i`` after its first word ``r`` failed the rectangle test: wedge, tail, retries."""
    t = 0
    while True:
        idx = np.intp(r & np.uint64(0xFF))
        r = r >> np.uint64(8)
        rabs = (r >> np.uint64(1)) & np.uint64(0x000FFFFFFFFFFFFF)
        x = np.float64(rabs) * wi[idx]
        if r & np.uint64(1):
            x = -x
        if rabs < ki[idx]:
            return x
        if idx == 0:
            while True:
                t += 1
                xx = -_INV_R * math.log1p(-_unit(k, i, t))
                t += 1
                yy = -math.log1p(-_unit(k, i, t))
                if yy + yy > xx * xx:
                    if (rabs >> np.uint64(8)) & np.uint64(1):
                        return -(ZIGGURAT_R + xx)
                    return ZIGGURAT_R + xx
        t += 1
        u = _unit(k, i, t)
        if (fi[idx - 1] - fi[idx]) * u + fi[idx] < math.exp(-0.5 * x * x):
            return x
        t += 1
        r = word_at(k, i, t)


@jit
def normal_fast(r, ki, wi):  # type: ignore[no-untyped-def]
    """The ziggurat's rectangle test on draw ``i``'s first word ``r = word_at(k, i, 0)``: the
    normal, or NaN (about 1.5% of draws) when ``normal_slow(k, i, r, KI, WI, FI)`` must finish it.

    A kernel writes the two calls in its own loop::

        r = word_at(k, i, 0)
        x = normal_fast(r, KI, WI)
        if x != x:
            x = normal_slow(k, i, r, KI, WI, FI)

    (a helper that made both calls was 15 times slower in a loop: measured, numba 0.68).
    """
    idx = np.intp(r & np.uint64(0xFF))
    rabs = (r >> np.uint64(9)) & np.uint64(0x000FFFFFFFFFFFFF)
    if rabs < ki[idx]:
        x = np.float64(rabs) * wi[idx]
        return -x if (r >> np.uint64(8)) & np.uint64(1) else x
    return np.nan


@jit
def fill_normal(k, out, ki, wi, fi):  # type: ignore[no-untyped-def]
    """``out[i] = normal(k, out.size)[i]`` for every i."""
    for i in range(out.size):
        r = word_at(k, i, 0)
        x = normal_fast(r, ki, wi)
        if x != x:
            x = normal_slow(k, i, r, ki, wi, fi)
        out[i] = x


@jit
def fill_uniform(k, out):  # type: ignore[no-untyped-def]
    """``out[i] = uniform(k, out.size)[i]`` for every i."""
    for i in range(out.size):
        out[i] = uniform_at(k, i)


# -- binomial: inversion, the same steps in numpy and numba -------------------------------------
INVERSION_MAX = 30.0
"""Largest mean ``n * min(p, 1 - p)`` drawn by inversion (numpy's own binomial switches to BTPE
at 30 as well); larger means are left to numpy's generator (:func:`binomial`)."""


def _power(q: np.ndarray, n: np.ndarray) -> np.ndarray:
    """``q ** n`` by repeated squaring, lowest bit first (numba's ``_power_at`` does the same
    multiplications in the same order, so the bits agree; within a few ulps of ``q ** n``)."""
    out = np.ones(q.shape)
    base = q.copy()
    e = n.copy()
    while e.size and e.max() > 0:
        odd = (e & 1).astype(bool)
        out[odd] *= base[odd]
        base *= base
        e >>= 1
    return out


def _unit_idx(k: np.uint64, i: np.ndarray, t: np.ndarray) -> np.ndarray:
    """``_unit(k, i, t)`` elementwise (uint64 arithmetic wraps)."""
    c = (i.astype(np.uint64) << np.uint64(WORDS_PER_DRAW)) + (t.astype(np.uint64) + np.uint64(1))
    with np.errstate(over="ignore"):
        c *= GOLDEN
        c += np.uint64(k)
        z = _mix(c)
    return (z >> np.uint64(11)).astype(np.float64) * _TO_UNIT


def binomial(k: np.uint64, n: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``Binomial(n[j], p[j])`` for each j by inversion, draw ``j`` of stream ``k``
    (int64; the numpy reference of ``binomial_setup`` and ``binomial_invert``, which
    ``engine.draws`` calls agent by agent). Where the mean ``n * min(p, 1 - p)``
    exceeds ``INVERSION_MAX`` the result is -1: the caller draws those otherwise."""
    n = np.asarray(n, dtype=np.int64)
    p = np.asarray(p, dtype=np.float64)
    out = np.zeros(n.shape, dtype=np.int64)
    full = (p >= 1.0) & (n > 0)
    out[full] = n[full]
    flip = p > 0.5
    pp = np.where(flip, 1.0 - p, p)
    q = 1.0 - pp
    mean = n * pp
    out[(mean > INVERSION_MAX) & ~full] = -1
    go = np.flatnonzero((n > 0) & (p > 0.0) & (p < 1.0) & (mean <= INVERSION_MAX))
    if go.size == 0:
        return out
    n_, pp_, q_, m_ = n[go], pp[go], q[go], mean[go]
    q0 = _power(q_, n_)
    bound = np.minimum(n_.astype(np.float64), m_ + 10.0 * np.sqrt(m_ * q_ + 1.0))
    idx = go.astype(np.int64)
    t = np.zeros(go.size, dtype=np.int64)
    u = _unit_idx(k, idx, t)
    x = np.zeros(go.size, dtype=np.int64)
    px = q0.copy()
    live = np.flatnonzero(u > px)
    while live.size:
        x[live] += 1
        over = x[live] > bound[live]
        if over.any():
            o = live[over]
            t[o] += 1
            u[o] = _unit_idx(k, idx[o], t[o])
            x[o] = 0
            px[o] = q0[o]
        s = live[~over]
        u[s] -= px[s]
        px[s] = ((n_[s] - x[s] + 1) * pp_[s] * px[s]) / (x[s] * q_[s])
        live = live[u[live] > px[live]]
    out[go] = np.where(flip[go], n_ - x, x)
    return out


@jit
def _power_at(q, n):  # type: ignore[no-untyped-def]
    out = 1.0
    base = q
    e = n
    while e > 0:
        if e & 1:
            out *= base
        base *= base
        e >>= 1
    return out


@jit
def binomial_setup(n, p):  # type: ignore[no-untyped-def]
    """What the inversion needs for ``Binomial(n, p)``, ``0 < p < 1``, ``n > 0``: the success
    probability drawn (``p`` or ``1 - p``), ``1 -`` it, ``P(0)``, the restart bound, whether the
    result is flipped, and whether the mean is small enough to invert. A kernel whose agents share
    (n, p) computes it once and calls :func:`binomial_invert` for each."""
    flip = p > 0.5
    pp = 1.0 - p if flip else p
    q = 1.0 - pp
    mean = n * pp
    if mean > INVERSION_MAX:
        return pp, q, 0.0, 0.0, flip, False
    bound = min(np.float64(n), mean + 10.0 * np.sqrt(mean * q + 1.0))
    return pp, q, _power_at(q, n), bound, flip, True


@jit
def binomial_invert(k, i, n, pp, q, q0, bound, flip):  # type: ignore[no-untyped-def]
    """Draw ``i`` of stream ``k`` by inversion, with ``binomial_setup``'s values.

    A kernel takes the common case, no success, in its own loop and calls this only for the
    rest (a call with a loop inside, made for every agent, costs about 15 ns; measured)::

        u = uniform_at(k, i)
        x = 0 if u <= q0 else binomial_invert(k, i, n, pp, q, q0, bound, flip)
    """
    t = 0
    u = _unit(k, i, t)
    x = 0
    px = q0
    while u > px:
        x += 1
        if x > bound:
            t += 1
            u = _unit(k, i, t)
            x = 0
            px = q0
        else:
            u -= px
            px = ((n - x + 1) * pp * px) / (x * q)
    return n - x if flip else x
