"""Member seeds of an ensemble: 128 bits each, all of them in linear time.

Member ``k`` of the ensemble with root seed ``root`` runs with the 128-bit integer made of words
``4k .. 4k+3`` (little-endian) of ``numpy.random.SeedSequence(root).generate_state(4 n)``: one
call of numpy's seed hashing for the whole ensemble, so planning 100,000 members takes a few
hundredths of a second (a loop over ``spawn`` took time quadratic in ``n``). The words do not
depend on ``n``, so member ``k`` is the same in an ensemble of 10 and of 10,000, and two
scenarios run with the same root share their seeds (common random numbers).

128 bits: among 10,000 members the chance that two share a seed is about 1.5e-31 (32-bit seeds
made it about 1%). ``thermidor run --seed S`` accepts any ``0 <= S < 2**128`` and so reproduces
any member; each manifest made by an ensemble records ``member = {"root", "index"}``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from thermidor.lab.errors import LabError

BITS = 128
WORDS = BITS // 32
SEED_MAX = 2**BITS - 1
SCHEME = "SeedSequence(root).generate_state(4n, uint32)[4k:4k+4], little-endian"


def check_root(root: Any, path: str = "root") -> int:
    if isinstance(root, bool) or not isinstance(root, int) or not 0 <= root <= SEED_MAX:
        raise LabError(path, root, f"a whole number in [0, 2**{BITS} - 1]")
    return root


def member_seeds(n: int, root: int = 0) -> list[int]:
    """The seeds of members ``0 .. n-1`` of ``root``'s ensemble (O(n))."""
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise LabError("seeds", n, "a whole number of runs >= 1")
    words = np.random.SeedSequence(check_root(root)).generate_state(WORDS * n, np.uint32)
    raw = words.astype("<u4").tobytes()
    step = 4 * WORDS
    return [int.from_bytes(raw[i : i + step], "little") for i in range(0, len(raw), step)]


def member_seed(root: int, k: int) -> int:
    """The seed of member ``k`` alone (O(k))."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise LabError("member", k, "a whole number >= 0")
    return member_seeds(k + 1, root)[k]


def member_record(root: int, k: int) -> dict[str, Any]:
    """What a manifest keeps of a member: its root, its index and the scheme."""
    return {"root": int(root), "index": int(k), "scheme": SCHEME}
