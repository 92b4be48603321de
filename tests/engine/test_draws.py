"""Per-agent draws on counter-based streams: the right distributions, the same bits on both
backends, and no draw for an agent that nothing can happen to."""

from __future__ import annotations

import numpy as np
import pytest

from thermidor.engine import Population, kernels
from thermidor.engine.draws import bernoulli, binomial, gain, key, thin


def test_binomial_has_each_agents_binomial_distribution():
    """Agent i loses Binomial(n_i, p_i), independently of the others, by inversion or (above
    counter.INVERSION_MAX) by numpy's generator, whatever the backend."""
    n = np.array([0, 1, 3, 10, 100, 500, 2000, 40, 5000], dtype=np.int64)
    p = np.array([0.01, 0.02, 0.005, 0.02, 0.001, 0.01, 0.0005, 0.9, 0.3])
    reps = 20_000
    rng = np.random.default_rng(7)
    draws = np.stack([binomial(rng, n, p) for _ in range(reps)])
    mean, var = n * p, n * p * (1 - p)
    assert (draws[:, 0] == 0).all()
    assert np.all(np.abs(draws.mean(axis=0) - mean) <= 4 * np.sqrt(var / reps) + 1e-12)
    assert np.allclose(draws.var(axis=0)[1:], var[1:], rtol=0.08)
    assert abs(np.corrcoef(draws[:, 5], draws[:, 6])[0, 1]) < 0.03
    assert abs(np.corrcoef(draws[:, 7], draws[:, 8])[0, 1]) < 0.03


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_binomial_and_thin_give_the_same_bits_on_both_backends(name, backend):
    rng = np.random.default_rng(11)
    n = rng.integers(0, 400, 5000)
    p = rng.random(5000) ** 2 * 0.4
    p[::7] = 0.0
    p[::11] = 0.95  # inverted from 1 - p
    p[::13] = 0.5  # with n up to 400: means above INVERSION_MAX go to numpy's generator
    kernels.use("numpy")
    want = binomial(np.random.default_rng(5), n, p)
    pop = Population("people", {"tag": np.int32})
    pop.append(weight=n, tag=np.zeros(n.size))
    want_thin = pop.thin(np.random.default_rng(5), p, mask=n % 3 > 0)
    kernels.use(name)
    assert binomial(np.random.default_rng(5), n, p).tobytes() == want.tobytes()
    pop2 = Population("people", {"tag": np.int32})
    pop2.append(weight=n, tag=np.zeros(n.size))
    got = pop2.thin(np.random.default_rng(5), p, mask=n % 3 > 0)
    assert got.tobytes() == want_thin.tobytes()
    assert pop2["weight"].tobytes() == pop["weight"].tobytes()


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_gain_adds_the_binomial_draws_in_place_on_both_backends(name, backend):
    """``gain`` is ``weight += binomial(rng, weight, p)`` in one pass: the same draws (big means
    included), and ``binomial`` leaves its counts as they were."""
    rng = np.random.default_rng(12)
    n = rng.integers(0, 400, 5000)
    p = rng.random(5000) ** 2 * 0.4
    p[::7] = 0.0
    p[::13] = 0.5  # means above INVERSION_MAX: numpy's generator
    kernels.use("numpy")
    counts = n.copy()
    want = binomial(np.random.default_rng(5), counts, p)
    assert counts.tobytes() == n.tobytes()
    kernels.use(name)
    weight = n.copy()
    got = gain(np.random.default_rng(5), weight, p)
    assert got.tobytes() == want.tobytes()
    assert weight.tobytes() == (n + want).tobytes()
    assert (want[p == 0] == 0).all() and (want[p == 0.5] > 0).any()


@pytest.mark.parametrize("p", [0.002, 0.3, 0.7, 0.99, 1.0])
def test_one_probability_for_all_draws_as_numpy_whatever_the_weights(p, backend):
    """With one probability for all, the kernel keeps the setups of the weights below
    ``draws.SETUPS`` in a table; weights on either side of it, alternating (a large weight, a
    small one, the same large one again) and at random, draw what numpy's reference draws."""
    from thermidor.engine.draws import SETUPS

    rng = np.random.default_rng(13)
    n = np.concatenate([
        np.tile([SETUPS + 16, 3, SETUPS + 16, 1, SETUPS, SETUPS - 1], 500),
        rng.integers(0, 4 * SETUPS, 5000),
    ])  # fmt: skip
    kernels.use("numpy")
    want_w = n.copy()
    want = gain(np.random.default_rng(5), want_w, np.float64(p))
    want_t = n.copy()
    want_lost = thin(np.random.default_rng(6), want_t, p, None)
    kernels.use("numba")
    got_w = n.copy()
    assert gain(np.random.default_rng(5), got_w, np.float64(p)).tobytes() == want.tobytes()
    assert got_w.tobytes() == want_w.tobytes()
    got_t = n.copy()
    assert thin(np.random.default_rng(6), got_t, p, None).tobytes() == want_lost.tobytes()
    assert got_t.tobytes() == want_t.tobytes()
    assert (want[n >= SETUPS] > 0).any() and (want[(n > 0) & (n < SETUPS)] > 0).any()


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_bernoulli_gives_the_same_bits_on_both_backends(name, backend):
    rng = np.random.default_rng(2)
    p = rng.random(10_000) * 0.3
    p[::5] = 0.0
    mask = rng.random(10_000) < 0.7
    kernels.use("numpy")
    want = [bernoulli(np.random.default_rng(9), p, mask), bernoulli(np.random.default_rng(9), p),
            bernoulli(np.random.default_rng(9), 0.25, mask), bernoulli(np.random.default_rng(9), 0.25, n=777)]  # fmt: skip
    kernels.use(name)
    got = [bernoulli(np.random.default_rng(9), p, mask), bernoulli(np.random.default_rng(9), p),
           bernoulli(np.random.default_rng(9), 0.25, mask), bernoulli(np.random.default_rng(9), 0.25, n=777)]  # fmt: skip
    for a, b in zip(got, want, strict=True):
        assert a.dtype == np.bool_ and a.tobytes() == b.tobytes()


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_a_table_by_group_draws_what_its_gathered_array_draws(name, backend):
    """``by=group``: agent i's probability is ``table[group[i]]``, the bits of ``table[group]``
    (big means included), on either backend; a group outside the table is numpy's IndexError."""
    rng = np.random.default_rng(3)
    group = rng.integers(0, 6, 20_000).astype(np.int8)
    table = np.array([0.0, 0.05, 0.3, 0.5, 0.95, 1.2])
    mask = rng.random(20_000) < 0.6
    n = rng.integers(0, 300, 20_000)
    kernels.use("numpy")
    want = [bernoulli(np.random.default_rng(9), table[group], mask),
            bernoulli(np.random.default_rng(9), table[group])]  # fmt: skip
    w_want = n.copy()
    lost_want = thin(np.random.default_rng(9), w_want, table[group], mask)
    kernels.use(name)
    got = [bernoulli(np.random.default_rng(9), table, mask, by=group),
           bernoulli(np.random.default_rng(9), table, by=group)]  # fmt: skip
    for a, b in zip(got, want, strict=True):
        assert a.tobytes() == b.tobytes()
    w_got = n.copy()
    lost = thin(np.random.default_rng(9), w_got, table, mask, by=group)
    assert lost.tobytes() == lost_want.tobytes() and w_got.tobytes() == w_want.tobytes()
    assert (lost < 0).sum() == 0 and lost[group == 3].sum() > 0
    with pytest.raises(IndexError):
        bernoulli(np.random.default_rng(9), table[:4], by=group)


def test_bernoulli_befalls_each_agent_with_its_probability_and_only_in_the_mask():
    n = 200_000
    p = np.where(np.arange(n) % 2 == 0, 0.1, 0.6)
    mask = np.arange(n) % 3 > 0
    hit = bernoulli(np.random.default_rng(4), p, mask)
    assert not hit[~mask].any()
    for share in (0.1, 0.6):
        sel = mask & (p == share)
        assert abs(hit[sel].mean() - share) < 4 * np.sqrt(share * (1 - share) / sel.sum())
    assert bernoulli(np.random.default_rng(4), 1.0, n=50).all()
    assert not bernoulli(np.random.default_rng(4), 0.0, n=50).any()


def test_bernoulli_draws_do_not_depend_on_agents_it_cannot_befall():
    p_few = np.array([0.5, 0.5, 0.5])
    p_many = np.array([0.5, 0.0, 0.5, 0.9, 0.5])
    mask_many = np.array([True, True, True, False, True])
    few = bernoulli(np.random.default_rng(8), p_few)
    many = bernoulli(np.random.default_rng(8), p_many, mask_many)
    assert many[[0, 2, 4]].tolist() == few.tolist()
    assert many[[1, 3]].tolist() == [False, False]


def test_bernoulli_needs_a_size_when_nothing_gives_one():
    with pytest.raises(ValueError, match="give n"):
        bernoulli(np.random.default_rng(0), 0.5)


@pytest.mark.parametrize("name", ["numpy", "numba"])
def test_normal_gives_the_same_bits_on_both_backends_and_is_standard(name, backend):
    from thermidor.engine.draws import normal

    kernels.use("numpy")
    want = normal(np.random.default_rng(21), 50_000)
    kernels.use(name)
    got = normal(np.random.default_rng(21), 50_000)
    assert got.tobytes() == want.tobytes()
    assert abs(got.mean()) < 4 / np.sqrt(got.size) and abs(got.std() - 1) < 0.02


def test_a_streams_key_is_the_generators_next_uint64():
    """``key`` reads the bit generator's raw output: the value (and the generator's state after)
    of ``integers(0, 2**64, dtype=uint64)``, which numpy draws as one raw word."""
    for seed in range(50):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(3):
            assert key(a) == b.integers(0, 2**64, dtype=np.uint64)
        assert a.random() == b.random()
