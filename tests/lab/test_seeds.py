"""Member seeds: 128 bits, linear time, the same member whatever the ensemble's size."""

from __future__ import annotations

import time

import numpy as np
import pytest

from thermidor.lab.errors import LabError
from thermidor.lab.seeds import SEED_MAX, member_record, member_seed, member_seeds


def test_100000_members_are_planned_in_under_a_second() -> None:
    t0 = time.perf_counter()
    seeds = member_seeds(100_000, 3)
    assert time.perf_counter() - t0 < 1.0
    assert len(set(seeds)) == 100_000


def test_seeds_have_128_bits() -> None:
    seeds = member_seeds(1000, 0)
    assert all(0 <= s <= SEED_MAX for s in seeds)
    assert max(seeds) >= 2**120  # drawn from all 128 bits, not 32 or 64
    assert SEED_MAX == 2**128 - 1


def test_a_member_is_the_same_in_a_small_and_a_large_ensemble() -> None:
    assert member_seeds(10, 7) == member_seeds(5000, 7)[:10]
    assert member_seed(7, 4999) == member_seeds(5000, 7)[4999]


def test_the_seeds_are_numpys_seed_sequence_words() -> None:
    words = np.random.SeedSequence(11).generate_state(8, np.uint32)
    expect = int(words[4]) | int(words[5]) << 32 | int(words[6]) << 64 | int(words[7]) << 96
    assert member_seed(11, 1) == expect


def test_the_root_changes_every_seed() -> None:
    assert not set(member_seeds(50, 1)) & set(member_seeds(50, 0))


@pytest.mark.parametrize("root", [-1, 2**128, True, 1.5])
def test_a_bad_root_is_refused(root: object) -> None:
    with pytest.raises(LabError, match=r"^root: got"):
        member_seeds(3, root)  # type: ignore[arg-type]


@pytest.mark.parametrize("n", [0, -5, True])
def test_a_bad_count_is_refused(n: object) -> None:
    with pytest.raises(LabError, match=r"^seeds: got"):
        member_seeds(n)  # type: ignore[arg-type]


def test_a_negative_member_is_refused() -> None:
    with pytest.raises(LabError, match=r"^member: got -1"):
        member_seed(0, -1)


def test_the_record_names_root_and_index() -> None:
    assert member_record(4, 9) | {"scheme": ""} == {"root": 4, "index": 9, "scheme": ""}
