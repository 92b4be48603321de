"""accel.memory: while ``retained`` is in force freed blocks stay in malloc's heap; it nests, is
thread-safe, gives glibc its defaults back on leaving, does nothing where it is switched off,
and changes no result. Nothing here reads the machine's memory figures (RSS, mallinfo)."""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import thermidor
from thermidor.engine.accel import memory

MB = 1 << 20
BIG = 64 * MB  # above glibc's largest dynamic mmap threshold (32 MiB): mapped alone by default
SET = [("mallopt", memory.M_MMAP_MAX, 0), ("mallopt", memory.M_TRIM_THRESHOLD, memory.NEVER_TRIM)]
RESTORE = [
    ("mallopt", memory.M_MMAP_MAX, memory.DEFAULT_MMAP_MAX),
    ("mallopt", memory.M_TRIM_THRESHOLD, memory.DEFAULT_TRIM_THRESHOLD),
    ("malloc_trim", 0),
]

needs_glibc = pytest.mark.skipif(not memory.available(), reason="glibc's malloc only")


class Spy:
    """The real libc, its ``mallopt`` and ``malloc_trim`` calls recorded (with their results)."""

    def __init__(self, libc: Any) -> None:
        self.libc = libc
        self.calls: list[tuple[Any, ...]] = []
        self.results: list[int] = []
        self.lock = threading.Lock()

    def mallopt(self, param: int, value: int) -> int:
        with self.lock:
            self.calls.append(("mallopt", param, value))
            res = int(self.libc.mallopt(param, value))
            self.results.append(res)
        return res

    def malloc_trim(self, pad: int) -> int:
        with self.lock:
            self.calls.append(("malloc_trim", pad))
            return int(self.libc.malloc_trim(pad))


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> Iterator[Spy]:
    real = memory._libc()
    if real is None:
        pytest.skip("glibc's malloc only")
    s = Spy(real)
    monkeypatch.setattr(memory, "_libc", lambda: s)
    monkeypatch.setenv("THERMIDOR_RETAIN_MEMORY", "1")
    assert memory._depth == 0
    yield s
    assert memory._depth == 0


def test_retained_nests_and_only_the_outermost_block_sets_and_restores(spy: Spy) -> None:
    with memory.retained() as outer:
        assert outer is True and memory._depth == 1
        assert spy.calls == SET
        with memory.retained() as inner:
            assert inner is True and memory._depth == 2
        assert memory._depth == 1 and spy.calls == SET  # the inner exit restores nothing
    assert memory._depth == 0
    assert spy.calls == SET + RESTORE
    assert spy.results == [1, 1, 1, 1]  # glibc accepted each setting (mallopt returns 1)


def test_retained_restores_the_defaults_when_its_block_raises(spy: Spy) -> None:
    with pytest.raises(KeyError), memory.retained():
        raise KeyError("inside")
    assert spy.calls == SET + RESTORE and memory._depth == 0


def test_retained_is_thread_safe(spy: Spy) -> None:
    """Threads entering and leaving while one block holds: the depth is counted exactly (no
    restore while it holds); then, with nobody holding, every set is followed by its restore."""
    n_threads, rounds = 8, 300
    errors: list[BaseException] = []
    start = threading.Barrier(n_threads)

    def churn() -> None:
        try:
            start.wait(timeout=10)
            for _ in range(rounds):
                with memory.retained(), memory.retained() as acting:
                    assert acting
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    def run_all() -> None:
        threads = [threading.Thread(target=churn) for _ in range(n_threads)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()

    with memory.retained():
        run_all()
        assert spy.calls == SET and memory._depth == 1
    assert spy.calls == SET + RESTORE
    spy.calls.clear()
    run_all()
    assert not errors and memory._depth == 0
    assert spy.calls and len(spy.calls) % 5 == 0
    for i in range(0, len(spy.calls), 5):  # set, restore, set, restore ...: never interleaved
        assert spy.calls[i : i + 5] == SET + RESTORE


def test_it_does_nothing_when_switched_off(monkeypatch: pytest.MonkeyPatch, spy: Spy) -> None:
    monkeypatch.setenv("THERMIDOR_RETAIN_MEMORY", "0")
    assert not memory.available()
    with memory.retained() as acting:
        assert acting is False and memory._depth == 0
    assert spy.calls == []


def test_it_does_nothing_without_glibc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(memory, "_libc", lambda: None)
    assert not memory.available()
    with memory.retained() as acting:
        assert acting is False and memory._depth == 0


def _address(a: np.ndarray) -> int:
    return int(a.__array_interface__["data"][0])


def _heap_top() -> int:
    libc = ctypes.CDLL(None)
    libc.sbrk.restype = ctypes.c_void_p
    libc.sbrk.argtypes = [ctypes.c_ssize_t]
    return int(libc.sbrk(0))


@needs_glibc
def test_a_block_freed_inside_stays_in_the_heap_and_is_reused() -> None:
    """Inside, a large block comes from the heap (below the program break) and, freed, is
    reused at the same address; outside, glibc maps a block that large on its own again."""

    def block() -> np.ndarray:
        a = np.empty(BIG // 8)
        a[:: 4096 // 8] = 1.0  # touch its pages
        return a

    with memory.retained():
        a = block()
        where = _address(a)
        assert where < _heap_top()
        del a
        b = block()
        assert _address(b) == where
        del b
    c = block()
    assert _address(c) > _heap_top()  # mapped alone, beyond the heap
    del c


def test_a_run_gives_the_same_bytes_whether_memory_is_retained_or_not(monkeypatch):
    def columns() -> bytes:
        r = thermidor.run("baseline", seed=3, scale=100, until="1918-09-01", backend="numba")
        return b"".join(np.asarray(r.columns[k]).tobytes() for k in sorted(r.columns))

    monkeypatch.setenv("THERMIDOR_RETAIN_MEMORY", "1")
    kept = columns()
    monkeypatch.setenv("THERMIDOR_RETAIN_MEMORY", "0")
    assert columns() == kept
