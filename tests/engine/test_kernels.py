"""The numba kernels against their numpy reference: the same bytes, kernel by kernel and run by run."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thermidor.engine import kernels
from thermidor.engine.population import Population


def both(fn, *args):  # type: ignore[no-untyped-def]
    kernels.use("numpy")
    ref = fn(*args)
    kernels.use("numba")
    got = fn(*args)
    return ref, got


@settings(max_examples=60, deadline=None)
@given(
    n=st.integers(0, 300),
    size=st.integers(1, 9),
    dtype=st.sampled_from(["int8", "int16", "int32", "int64"]),
    vdtype=st.sampled_from([None, "float32", "float64", "bool"]),
    masked=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_sum_by_and_totals_match_numpy_bytes(n, size, dtype, vdtype, masked, seed) -> None:  # type: ignore[no-untyped-def]
    before = kernels.backend
    try:
        rng = np.random.default_rng(seed)
        key = rng.integers(0, size, n).astype(dtype)
        weight = rng.integers(0, 10**9, n).astype(np.int64)
        values = None if vdtype is None else (rng.random(n) * 3).astype(vdtype)
        mask = rng.random(n) < 0.5 if masked else None
        ref, got = both(kernels.sum_by, key, weight, values, mask, size)
        assert ref.dtype == got.dtype
        assert ref.tobytes() == got.tobytes()
        m = rng.random(n) < 0.3
        ref_t, got_t = both(kernels.masked_total, weight, m)
        assert ref_t == got_t and isinstance(got_t, int)
        labels = rng.integers(0, 5, n).astype(np.int8)
        ref_p, got_p = both(kernels.plurality, key, labels, weight, size, 5)
        assert ref_p.tolist() == got_p.tolist()
    finally:
        kernels.use(before)


def test_sum_by_keeps_bincount_rules_for_out_of_range_keys(backend: None) -> None:
    kernels.use("numba")
    key = np.array([0, 1, 3], dtype=np.int8)
    w = np.array([1, 2, 3], dtype=np.int64)
    # bincount with minlength 2 then sliced to 2: key 3 is dropped, not an out-of-bounds write
    assert kernels.sum_by(key, w, None, None, 2).tolist() == [1.0, 2.0]
    with pytest.raises(ValueError):
        kernels.sum_by(np.array([-1], dtype=np.int8), w[:1], None, None, 2)


def test_population_share_within(backend: None) -> None:
    pop = Population("p", {"x": np.int8})
    pop.append(weight=np.array([1, 2, 3, 4]), x=np.array([0, 1, 0, 1]))
    for name in ("numpy", "numba"):
        kernels.use(name)
        assert pop.share(pop["x"] == 1) == pytest.approx(0.6)
        assert pop.share(pop["x"] == 1, within=pop["weight"] > 1) == pytest.approx(6 / 9)
        assert pop.total(pop["x"] == 0) == 4


def test_unknown_backend_is_refused(backend: None) -> None:
    with pytest.raises(ValueError, match="THERMIDOR_KERNELS='cuda'"):
        kernels.use("cuda")


@settings(max_examples=200, deadline=None)
@given(
    n=st.one_of(st.integers(0, 300), st.sampled_from([8191, 8192, 8193, 16_400, 70_001])),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**32 - 1),
    spike=st.booleans(),
)
def test_sum_blocks_is_numpys_pairwise_sum_to_the_bit(
    n: int, dtype: type, seed: int, spike: bool
) -> None:
    rng = np.random.default_rng(seed)
    a = (rng.lognormal(0.0, 2.0, n) * rng.choice([-1.0, 1.0], n)).astype(dtype)
    if spike and n:
        a[rng.integers(0, n)] = 1e30 if dtype == np.float32 else 1e200
    want = a.sum(dtype=np.float64)
    # numpy sums a float64 array whole and widens any other in buffers of np.getbufsize()
    block = max(n, 1) if dtype == np.float64 else np.getbufsize()
    got = kernels.sum_blocks(a, block)
    assert np.float64(got).tobytes() == want.tobytes()


def test_loading_a_kernel_does_not_import_scipy_linalg_and_blas_still_works() -> None:
    """numba's BLAS probe (an import of scipy.linalg, half of a run's start-up) is skipped, and
    numba's linear algebra still finds BLAS when a kernel asks for it (a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, numba\n"
        "from thermidor.engine import kernels\n"
        "kernels.sum_by(np.zeros(4, np.int8), np.ones(4, np.int64), None, None, 2)\n"
        "print('scipy.linalg' in sys.modules)\n"
        "f = numba.njit(lambda a, b: np.dot(a, b))\n"
        "print(f(np.ones(3), np.arange(3.0)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "3.0"]
