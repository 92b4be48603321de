"""Counter-based streams (the numba backend's draws): a draw is a function of its key and index,
the stream's vectorised and compiled versions are one stream, and the distributions are right."""

from __future__ import annotations

import numba
import numpy as np
import pytest
from scipy import stats

from thermidor.engine.accel import counter

N = 200_000  # about 3,000 draws take the ziggurat's slow paths, some tens its tail


@pytest.fixture(scope="module")
def k() -> np.uint64:
    return counter.key(2026, "test.counter", 11)


@pytest.fixture(scope="module")
def normals(k: np.uint64) -> np.ndarray:
    return counter.normal(k, N)


def test_the_compiled_stream_is_the_vectorised_one(k: np.uint64, normals: np.ndarray) -> None:
    z = np.empty(N)
    counter.fill_normal(k, z, counter.KI, counter.WI, counter.FI)
    assert z.tobytes() == normals.tobytes()
    u = np.empty(N)
    counter.fill_uniform(k, u)
    assert u.tobytes() == counter.uniform(k, N).tobytes()


def test_the_slow_paths_are_exercised(k: np.uint64, normals: np.ndarray) -> None:
    # the equality above covers the wedge and the tail only if draws reach them
    r = counter.words(k, N)
    idx = (r & np.uint64(0xFF)).astype(np.intp)
    slow = ((r >> np.uint64(9)) & np.uint64(0x000FFFFFFFFFFFFF)) >= counter.KI[idx]
    assert 0.01 < slow.mean() < 0.02
    assert 20 < int((np.abs(normals) > counter.ZIGGURAT_R).sum()) < 90  # expected 52


def test_a_draw_depends_only_on_its_key_and_index(k: np.uint64, normals: np.ndarray) -> None:
    assert counter.normal(k, 500, start=1234).tobytes() == normals[1234:1734].tobytes()
    assert counter.uniform(k, 10, start=7).tobytes() == counter.uniform(k, 17)[7:].tobytes()

    @numba.njit
    def backwards(key, n):  # type: ignore[no-untyped-def]
        out = np.empty(n)
        for i in range(n - 1, -1, -1):
            out[i] = counter.uniform_at(key, i)
        return out

    assert backwards(k, 1000).tobytes() == counter.uniform(k, 1000).tobytes()


def test_the_normal_is_standard_normal(k: np.uint64) -> None:
    # 4 million draws (the compiled fill): at this size a table shifted by
    # one layer gives p < 1e-40 in the band test below, at 200,000 it passed (checked)
    n = 4_000_000
    z = np.empty(n)
    counter.fill_normal(k, z, counter.KI, counter.WI, counter.FI)
    assert stats.kstest(z, "norm").pvalue > 0.001
    assert abs(z.mean()) < 4.0 / np.sqrt(n)
    assert abs(z.var() - 1.0) < 4.0 * np.sqrt(2.0 / n)
    assert abs(stats.skew(z)) < 4.0 * np.sqrt(6.0 / n)
    assert abs(stats.kurtosis(z)) < 4.0 * np.sqrt(24.0 / n)
    # the tail beyond the base layer, where the ziggurat's own tail algorithm draws
    beyond = int((np.abs(z) > counter.ZIGGURAT_R).sum())
    expected = 2.0 * stats.norm.sf(counter.ZIGGURAT_R) * n
    assert abs(beyond - expected) < 4.0 * np.sqrt(expected)
    # band by band: a wrong table shows as a wrong count in its band
    edges = np.concatenate([[-np.inf], np.linspace(-3.5, 3.5, 71), [np.inf]])
    counts = np.histogram(z, edges)[0]
    want = np.diff(stats.norm.cdf(edges)) * n
    assert stats.chisquare(counts, want).pvalue > 0.001


def test_the_uniform_is_uniform(k: np.uint64) -> None:
    u = counter.uniform(k, N)
    assert u.min() >= 0.0 and u.max() < 1.0
    assert stats.kstest(u, "uniform").pvalue > 0.01
    # consecutive draws are independent
    assert abs(np.corrcoef(u[:-1], u[1:])[0, 1]) < 4.0 / np.sqrt(N)


def test_keys_separate_streams() -> None:
    base = counter.key(1, "m", 5)
    others = [counter.key(2, "m", 5), counter.key(1, "n", 5), counter.key(1, "m", 6),
              counter.key(1, "m", 5, 0)]  # fmt: skip
    assert counter.key(1, "m", 5) == base
    assert len({int(base), *map(int, others)}) == 5
    a = counter.uniform(base, 20_000)
    for o in others:
        assert abs(np.corrcoef(a, counter.uniform(o, 20_000))[0, 1]) < 4.0 / np.sqrt(20_000)


def test_a_stream_refuses_more_draws_than_it_has() -> None:
    with pytest.raises(ValueError, match="at most 2\\*\\*44 draws"):
        counter.words(np.uint64(1), 2, start=counter.MAX_DRAWS - 1)
