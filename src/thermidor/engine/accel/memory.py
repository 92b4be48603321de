"""Keep freed memory in the process while a run steps (glibc's malloc; elsewhere, nothing).

A full-scale run allocates and frees temporaries of up to 160 MB a week (a draw per household, a
crop's pull per household). glibc's malloc serves a block that large with ``mmap`` and gives it
back with ``munmap``, so the next one faults its pages in again and the kernel zeroes them. On
some virtual machines that costs far more once the memory has lain free for a while: on the
development VM (docs/benchmarks.md, ``benchmarks.machine.refault_cost``) filling 160 MB took
10-12 ms when the memory had just been freed and 72-320 ms when it had been free for three
seconds, up to 2 ms a megabyte.

While :func:`retained` is in force, malloc serves every block from its heap (``M_MMAP_MAX`` 0)
and never trims the heap (``M_TRIM_THRESHOLD``), so a freed block stays mapped and the next
allocation reuses it. On leaving, glibc's defaults come back and ``malloc_trim`` returns the free
memory to the system. Nothing is computed differently: the same run gives the same bytes with or
without it. Where the C library is not glibc, or ``THERMIDOR_RETAIN_MEMORY=0`` is set, it does
nothing. One effect outlasts it: setting either option turns off glibc's dynamic mmap threshold
for the rest of the process (blocks above the threshold of the moment, 128 KiB unless it had
grown, are mapped on their own again).
"""

from __future__ import annotations

import ctypes
import os
import platform
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

M_TRIM_THRESHOLD = -1  # mallopt(3)'s parameter numbers (malloc.h)
M_MMAP_MAX = -4
DEFAULT_TRIM_THRESHOLD = 128 * 1024  # glibc's defaults
DEFAULT_MMAP_MAX = 65536
NEVER_TRIM = -1  # mallopt(3): -1 turns trimming off

_lock = threading.Lock()
_depth = 0


def _libc() -> Any:
    """glibc's handle, or None where the C library is another (musl, macOS, Windows)."""
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
    except (OSError, AttributeError):
        return None
    return libc


def available() -> bool:
    """Whether :func:`retained` acts here (glibc, and not switched off by the environment)."""
    return os.environ.get("THERMIDOR_RETAIN_MEMORY", "1") != "0" and _libc() is not None


@contextmanager
def retained() -> Iterator[bool]:
    """Keep freed blocks mapped for the duration (nests; thread-safe). Yields whether it acts."""
    global _depth
    libc = _libc() if available() else None
    if libc is None:
        yield False
        return
    with _lock:
        if _depth == 0:
            libc.mallopt(M_MMAP_MAX, 0)
            libc.mallopt(M_TRIM_THRESHOLD, NEVER_TRIM)
        _depth += 1
    try:
        yield True
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                libc.mallopt(M_MMAP_MAX, DEFAULT_MMAP_MAX)
                libc.mallopt(M_TRIM_THRESHOLD, DEFAULT_TRIM_THRESHOLD)
                libc.malloc_trim(0)
