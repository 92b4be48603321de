"""Random streams keyed by (run seed, mechanism, step), never by the order of calls.

Two runs with the same seed draw the same numbers in the same mechanism and week whatever else
differs between them (common random numbers), and the draws do not depend on how many threads,
workers or executors are used.
"""

from __future__ import annotations

import zlib

import numpy as np


def mechanism_key(name: str) -> int:
    """A stable 32-bit key for a mechanism's name (crc32: the same on every platform)."""
    return zlib.crc32(name.encode("utf-8"))


class Streams:
    """Factory of independent generators for one run.

    ``streams.get("civil_war.conscription", step)`` always returns a generator in the same state
    for the same seed, name and step.
    """

    def __init__(self, seed: int) -> None:
        if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)

    def get(self, mechanism: str, step: int, *extra: int) -> np.random.Generator:
        entropy = [self.seed, mechanism_key(mechanism), int(step), *map(int, extra)]
        return np.random.Generator(np.random.PCG64(np.random.SeedSequence(entropy)))
