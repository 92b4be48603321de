"""engine.memory: freed blocks stay mapped while a run steps, and go back to the system after."""

from __future__ import annotations

import ctypes
import os

import numpy as np
import pytest

import thermidor
from thermidor.engine import memory

MB = 1 << 20


def rss() -> int:
    return int(open("/proc/self/statm").read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def mapped_blocks() -> int:
    """Bytes malloc holds in blocks mapped on their own (mallinfo2's hblkhd)."""

    class Mallinfo2(ctypes.Structure):
        _fields_ = [(f, ctypes.c_size_t) for f in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks", "uordblks",
            "fordblks", "keepcost")]  # fmt: skip

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = Mallinfo2
    return int(libc.mallinfo2().hblkhd)


needs_glibc = pytest.mark.skipif(not memory.available(), reason="glibc's malloc only")


@needs_glibc
def test_large_blocks_come_from_the_heap_and_stay_mapped_until_the_end():
    outside = np.ones(64 * MB // 8)
    assert mapped_blocks() >= 64 * MB  # glibc's default: a block this large is mapped alone
    del outside
    with memory.retained() as acting:
        assert acting
        before = mapped_blocks()
        block = np.ones(256 * MB // 8)
        assert mapped_blocks() == before  # from the heap
        high = rss()
        del block
        assert rss() > high - 16 * MB  # freed, but still mapped: the next block reuses it
        again = np.ones(256 * MB // 8)
        assert rss() < high + 16 * MB
        del again
    assert rss() < high - 200 * MB  # given back on leaving


@needs_glibc
def test_retained_nests_and_only_the_outermost_exit_gives_memory_back():
    with memory.retained():
        with memory.retained():
            block = np.ones(128 * MB // 8)
            high = rss()
            del block
        assert rss() > high - 16 * MB  # the outer block still keeps it
    assert rss() < high - 100 * MB


def test_it_does_nothing_when_switched_off(monkeypatch):
    monkeypatch.setenv("THERMIDOR_RETAIN_MEMORY", "0")
    assert not memory.available()
    with memory.retained() as acting:
        assert not acting


def test_a_run_gives_the_same_bytes_whether_memory_is_retained_or_not(monkeypatch):
    def columns() -> bytes:
        r = thermidor.run("baseline", seed=3, scale=100, until="1918-09-01")
        return b"".join(np.asarray(r.columns[k]).tobytes() for k in sorted(r.columns))

    monkeypatch.setenv("THERMIDOR_RETAIN_MEMORY", "1")
    kept = columns()
    monkeypatch.setenv("THERMIDOR_RETAIN_MEMORY", "0")
    assert columns() == kept
