"""Random streams keyed by (seed, mechanism, step), never by the order of calls."""

from __future__ import annotations

import numpy as np
import pytest

from thermidor.engine import Streams


def draws(streams: Streams, mechanism: str, step: int, *extra: int) -> list[float]:
    return streams.get(mechanism, step, *extra).random(8).tolist()


def test_the_same_key_gives_the_same_draws():
    assert draws(Streams(7), "civil_war.army", 30) == draws(Streams(7), "civil_war.army", 30)


@pytest.mark.parametrize(
    "other",
    [(7, "civil_war.armies", 30), (7, "civil_war.army", 31), (8, "civil_war.army", 30)],
    ids=["mechanism", "step", "seed"],
)
def test_a_different_mechanism_step_or_seed_gives_different_draws(other):
    seed, mechanism, step = other
    assert draws(Streams(seed), mechanism, step) != draws(Streams(7), "civil_war.army", 30)


def test_extra_keys_give_independent_streams():
    s = Streams(3)
    assert draws(s, "world_revolution", 10, 1) != draws(s, "world_revolution", 10, 2)
    assert draws(s, "world_revolution", 10, 1) != draws(s, "world_revolution", 10)


def test_draws_do_not_depend_on_the_order_of_calls():
    first = Streams(11)
    a1 = draws(first, "peasants", 5)
    b1 = draws(first, "party", 9)
    a1_again = draws(first, "peasants", 5)

    second = Streams(11)
    b2 = draws(second, "party", 9)
    a2 = draws(second, "peasants", 5)

    assert a1 == a2 == a1_again
    assert b1 == b2


@pytest.mark.parametrize("seed", [-1, True, 1.5, "1"])
def test_a_seed_must_be_a_non_negative_integer(seed):
    with pytest.raises(ValueError, match="seed"):
        Streams(seed)


def test_numpy_integer_seeds_are_accepted():
    assert draws(Streams(np.int64(5)), "m", 0) == draws(Streams(5), "m", 0)
