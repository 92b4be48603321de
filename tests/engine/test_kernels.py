"""The numba backend's reductions against numpy's (the definition): integer sums exact, float sums
to float tolerance, the same labels, and numpy's own rules where a kernel cannot decide."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from thermidor.engine import NumpyOps, Population, using
from thermidor.engine.accel import NumbaOps, kernels

NUMPY, NUMBA = NumpyOps(), NumbaOps()
RTOL = 1e-12  # float64 sums of non-negative terms added in another order


@settings(max_examples=80, deadline=None)
@given(
    n=st.integers(0, 300),
    size=st.integers(1, 9),
    dtype=st.sampled_from(["int8", "int16", "int32", "int64", "uint8"]),
    vdtype=st.sampled_from([None, "float32", "float64", "bool", "int32"]),
    masked=st.booleans(),
    seed=st.integers(0, 2**32 - 1),
)
def test_sum_by_total_weighted_and_plurality_are_numpys(
    n, size, dtype, vdtype, masked, seed
) -> None:  # type: ignore[no-untyped-def]
    rng = np.random.default_rng(seed)
    key = rng.integers(0, size, n).astype(dtype)
    weight = rng.integers(0, 10**9, n).astype(np.int64)
    values = None if vdtype is None else (rng.random(n) * 3).astype(vdtype)
    mask = rng.random(n) < 0.5 if masked else None
    ref = NUMPY.sum_by(key, weight, values, mask, size)
    got = NUMBA.sum_by(key, weight, values, mask, size)
    assert got.dtype == ref.dtype == np.float64 and got.shape == ref.shape == (size,)
    if vdtype in (None, "bool", "int32"):  # integer sums: exact in any order
        assert got.tolist() == ref.tolist()
    else:
        np.testing.assert_allclose(got, ref, rtol=RTOL, atol=0)
    m = rng.random(n) < 0.3
    for mk in (m, None):
        t = NUMBA.total(weight, mk)
        assert isinstance(t, int) and t == NUMPY.total(weight, mk)
    x = (rng.random(n) * 5).astype(np.float32)
    assert NUMBA.weighted(weight, x).tolist() == NUMPY.weighted(weight, x).tolist()
    labels = rng.integers(0, 5, n).astype(np.int8)
    got_p = NUMBA.plurality(key, labels, weight, size, 5)
    assert got_p.tolist() == NUMPY.plurality(key, labels, weight, size, 5).tolist()


def test_plurality_takes_the_first_label_on_a_tie_and_minus_one_for_an_empty_group() -> None:
    groups = np.array([0, 0, 0, 0, 2, 2])
    labels = np.array([3, 1, 1, 3, 4, 0])
    w = np.array([2, 1, 1, 0, 5, 5])
    for ops in (NUMPY, NUMBA):
        assert ops.plurality(groups, labels, w, 3, 5).tolist() == [1, -1, 0], ops.name


@pytest.mark.parametrize("masked", [False, True])
def test_the_threaded_reductions_are_numpys(masked: bool) -> None:
    """Above ``PARALLEL_MIN`` agents numba sums in blocks on threads: the same integer sums and
    totals as numpy, exactly; the weighted products are numpy's."""
    n = kernels.PARALLEL_MIN + 12_345
    rng = np.random.default_rng(5)
    key = rng.integers(0, 60, n).astype(np.int8)
    w = rng.integers(0, 5000, n)
    mask = rng.random(n) < 0.4 if masked else None
    assert (
        NUMBA.sum_by(key, w, None, mask, 60).tolist()
        == NUMPY.sum_by(key, w, None, mask, 60).tolist()
    )
    assert NUMBA.total(w, mask) == NUMPY.total(w, mask)
    x = rng.random(n).astype(np.float32)
    assert NUMBA.weighted(w, x).tobytes() == NUMPY.weighted(w, x).tobytes()


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_sum_by_keeps_bincounts_rules_for_out_of_range_keys(name: str) -> None:
    key = np.array([0, 1, 3], dtype=np.int8)
    w = np.array([1, 2, 3], dtype=np.int64)
    ops = NUMPY if name == "numpy" else NUMBA
    # bincount with minlength 2 then sliced to 2: key 3 is dropped, not an out-of-bounds write
    assert ops.sum_by(key, w, None, None, 2).tolist() == [1.0, 2.0]
    assert ops.sum_by(key, w, None, np.array([True, False, True]), 2).tolist() == [1.0, 0.0]
    assert ops.sum_by(key[:0], w[:0], None, None, 2).tolist() == [0.0, 0.0]
    assert ops.sum_by(key, w, None, np.zeros(3, dtype=bool), 2).tolist() == [0.0, 0.0]
    with pytest.raises(ValueError):
        ops.sum_by(np.array([-1], dtype=np.int8), w[:1], None, None, 2)


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_population_share_mean_and_total(name: str) -> None:
    pop = Population("p", {"x": np.int8, "c": np.float32})
    pop.append(weight=np.array([1, 2, 3, 4]), x=np.array([0, 1, 0, 1]), c=[0.5, 1.0, 0.0, 0.25])
    with using(name):
        assert pop.share(pop["x"] == 1) == pytest.approx(0.6)
        assert pop.share(pop["x"] == 1, within=pop["weight"] > 1) == pytest.approx(6 / 9)
        assert pop.total(pop["x"] == 0) == 4
        assert pop.mean("c") == pytest.approx(3.5 / 10)
        assert pop.sum_by("x", 2, values=pop["c"]).tolist() == pytest.approx([0.5, 3.0])


def test_a_large_populations_mean_is_numpys_to_float_tolerance() -> None:
    n = kernels.PARALLEL_MIN + 7
    rng = np.random.default_rng(6)
    pop = Population("p", {"c": np.float32}, capacity=n)
    pop.append(weight=rng.integers(0, 9, n), c=rng.random(n))
    means = {}
    for name in ("numpy", "numba"):
        with using(name):
            means[name] = pop.mean("c")
    assert means["numba"] == pytest.approx(means["numpy"], rel=RTOL)


def test_loading_a_kernel_does_not_import_scipy_linalg_and_blas_still_works() -> None:
    """numba's BLAS probe (an import of scipy.linalg, half of a run's start-up) is skipped, and
    numba's linear algebra still finds BLAS when a kernel asks for it (a fresh interpreter)."""
    import subprocess
    import sys

    code = (
        "import sys, numpy as np, numba\n"
        "from thermidor.engine.accel import kernels\n"
        "kernels.sum_by(np.zeros(4, np.int8), np.ones(4, np.int64), None, None, 2)\n"
        "print('scipy.linalg' in sys.modules)\n"
        "f = numba.njit(lambda a, b: np.dot(a, b))\n"
        "print(f(np.ones(3), np.arange(3.0)))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "3.0"]
