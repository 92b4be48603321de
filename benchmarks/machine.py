"""The machine a benchmark ran on: its load, memory, and memory bandwidth (the physical limit)."""

from __future__ import annotations

import os
import platform
import resource
import subprocess
import time
from pathlib import Path
from typing import Any

import numpy as np


def meminfo() -> dict[str, int]:
    """/proc/meminfo in bytes (empty off Linux)."""
    out: dict[str, int] = {}
    path = Path("/proc/meminfo")
    if path.exists():
        for line in path.read_text().splitlines():
            key, _, rest = line.partition(":")
            parts = rest.split()
            if parts:
                out[key] = int(parts[0]) * (1024 if parts[1:] == ["kB"] else 1)
    return out


def peak_rss() -> int:
    """This process's peak resident set, bytes (``ru_maxrss`` is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def peak_rss_hwm() -> int:
    """This process's peak resident set from /proc/self/status ``VmHWM``, bytes (0 if missing).

    Unlike ``ru_maxrss``, which after ``exec`` keeps the high-water mark of the process that
    spawned it, this is the current program's own.
    """
    path = Path("/proc/self/status")
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    return 0


def rss_now() -> int:
    """This process's resident set now, bytes (0 where /proc is missing)."""
    path = Path("/proc/self/statm")
    if not path.exists():
        return 0
    return int(path.read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def cpu_model() -> str:
    """The processor's name, as ``lscpu`` gives its "Model name" (else /proc/cpuinfo's)."""
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout
    except (OSError, subprocess.SubprocessError):
        out = ""
    for line in out.splitlines():
        if line.strip().startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    path = Path("/proc/cpuinfo")
    if path.exists():
        for line in path.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def describe() -> dict[str, Any]:
    mem = meminfo()
    return {
        "cpu": cpu_model(),
        "cores": os.cpu_count(),
        "memory_total_bytes": mem.get("MemTotal"),
        "memory_available_bytes": mem.get("MemAvailable"),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "platform": platform.platform(),
        "gpu": "none used (the model's runs here are on the CPU; benchmarks/gpu.py times a GPU)",
    }


def copy_bandwidth(mib: int = 256, repeats: int = 12) -> dict[str, float]:
    """Memory bandwidth of a large numpy copy (``np.copyto`` of ``mib`` MiB), bytes per second.

    Counted as STREAM counts its Copy kernel: bytes read plus bytes written. The arrays are far
    larger than any cache, so this is the rate at which one core streams memory; the best of
    ``repeats`` is the machine's limit, the median what it gave under this run's load.
    """
    n = mib * 2**20 // 8
    src = np.ones(n)
    dst = np.empty_like(src)
    np.copyto(dst, src)  # fault the pages in before timing
    rates = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        np.copyto(dst, src)
        rates.append(2 * src.nbytes / (time.perf_counter() - t0))
    return {
        "array_bytes": float(src.nbytes),
        "best_bytes_per_s": float(max(rates)),
        "median_bytes_per_s": float(np.median(rates)),
    }


def refault_cost(mib: int = 160, idle_s: float = 3.0, repeats: int = 2) -> dict[str, float]:
    """What a large temporary costs when its pages come back from the system: seconds to fill a
    fresh ``mib`` MiB numpy array just after an equal one was freed (best of ``repeats``), and
    after the freed memory has lain idle ``idle_s`` seconds (median). glibc gives a block this
    large back to the system when it is freed; a virtual machine may hand such memory on to its
    host, and faulting it in again then costs far more (``thermidor.engine.accel.memory``)."""
    n = mib * 2**20 // 8

    def fill() -> float:
        t0 = time.perf_counter()
        a = np.empty(n)
        a.fill(1.0)
        dt = time.perf_counter() - t0
        del a
        return dt

    fill()
    reused = min(fill() for _ in range(repeats))
    idle = []
    for _ in range(repeats):
        time.sleep(idle_s)
        idle.append(fill())
    return {
        "array_bytes": float(n * 8),
        "idle_s": idle_s,
        "reused_s": reused,
        "after_idle_s": float(np.median(idle)),
    }
