"""The per-run backend: ``using`` nests and restores, refuses what is not loaded, holds per
thread; ``twin`` runs a registered twin under its backend and the reference otherwise."""

from __future__ import annotations

import threading

import numpy as np
import pytest

import thermidor.engine.accel  # noqa: F401  (registers "numba")
from thermidor.engine import (
    NumpyOps,
    backends,
    current,
    ops,
    register_twin,
    sum_by,
    twin,
    twins,
    using,
)
from thermidor.engine import backend as _backend
from thermidor.engine.accel import NumbaOps


def test_the_default_is_numpy_and_using_nests_and_restores() -> None:
    assert current() == "numpy" and type(ops()) is NumpyOps
    with using("numba") as inner:
        assert current() == "numba" and ops() is inner and isinstance(inner, NumbaOps)
        with using("numpy"):
            assert current() == "numpy" and type(ops()) is NumpyOps
            with using("numba"):
                assert current() == "numba"
            assert current() == "numpy"
        assert current() == "numba"
    assert current() == "numpy"


def test_using_restores_the_backend_when_the_block_raises() -> None:
    with pytest.raises(RuntimeError, match="inside"), using("numba"):
        assert current() == "numba"
        raise RuntimeError("inside")
    assert current() == "numpy"


def test_the_engines_operations_follow_the_backend_in_force() -> None:
    """``engine.sum_by`` asks the backend in force: a backend registered under a new name is the
    one that computes inside ``using`` of that name, and only there."""
    from thermidor.engine import register_backend

    calls: list[int] = []

    class Counting(NumpyOps):
        name = "counting-test"

        def sum_by(self, key, weight, values, mask, size):  # type: ignore[no-untyped-def]
            calls.append(size)
            return super().sum_by(key, weight, values, mask, size)

    register_backend(Counting())
    try:
        assert "counting-test" in backends()
        key, w = np.array([0, 1, 1]), np.array([2, 3, 4])
        assert sum_by(key, w, 2).tolist() == [2.0, 7.0] and calls == []
        with using("counting-test"):
            assert sum_by(key, w, 2).tolist() == [2.0, 7.0]
        assert calls == [2]
    finally:
        _backend._BACKENDS.pop("counting-test")


def test_an_unknown_backend_is_refused_naming_the_loaded_ones() -> None:
    loaded = backends()
    assert {"numpy", "numba"} <= set(loaded)
    with (
        pytest.raises(ValueError, match="backend 'cuda' is not loaded; loaded: ") as err,
        using("cuda"),
    ):
        pass  # pragma: no cover
    for name in loaded:
        assert name in str(err.value)
    assert current() == "numpy"


def test_a_reference_without_a_twin_runs_itself_on_every_backend() -> None:
    @twin("test_backend.alone")
    def double(x: int) -> int:
        return 2 * x

    assert double(3) == 6
    with using("numba"):
        assert double(3) == 6
    assert double.reference(4) == 8  # type: ignore[attr-defined]
    assert double.__name__ == "double" and double.twin_name == "test_backend.alone"  # type: ignore[attr-defined]
    assert twins().get("test_backend.alone", ()) == ()


def test_a_registered_twin_runs_under_its_backend_and_the_reference_elsewhere() -> None:
    seen: list[str] = []

    @twin("test_backend.paired")
    def add(x: int, y: int = 1) -> int:
        seen.append("reference")
        return x + y

    @register_twin("test_backend.paired")
    def add_fast(x: int, y: int = 1) -> int:
        seen.append("twin")
        return x + y

    assert add(2, y=5) == 7 and seen == ["reference"]
    with using("numba"):
        assert add(2, y=5) == 7 and seen == ["reference", "twin"]
        assert add.reference(1) == 2 and seen[-1] == "reference"  # type: ignore[attr-defined]
    assert add(1) == 2 and seen[-1] == "reference"
    assert twins()["test_backend.paired"] == ("numba",)
    # a twin registered for another backend does not run under numba
    register_twin("test_backend.paired", backend="numpy")(lambda x, y=1: -1)
    assert add(1) == -1
    with using("numba"):
        assert add(1) == 2 and seen[-1] == "twin"
    assert twins()["test_backend.paired"] == ("numba", "numpy")


def test_the_backend_is_per_thread() -> None:
    """A thread started inside ``using("numba")`` computes with the default, numpy; a thread's
    own ``using`` does not change the caller's."""
    seen: dict[str, str] = {}

    def look() -> None:
        seen["started inside"] = current()
        with using("numba"):
            seen["own using"] = current()
            gate.wait()  # the main thread looks while this one is inside its block

    gate = threading.Barrier(2, timeout=10)
    with using("numba"):
        t = threading.Thread(target=look)
        t.start()
    gate.wait()
    seen["main, meanwhile"] = current()
    t.join()
    assert seen == {"started inside": "numpy", "own using": "numba", "main, meanwhile": "numpy"}
