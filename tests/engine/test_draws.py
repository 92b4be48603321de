"""Per-agent draws: each backend's draws have the right distributions, numba's (counter streams)
equal numpy's (its Generator) in distribution, and no agent that nothing can happen to draws.

Across backends the draws are equal in distribution, not in bits. The statistics and bounds,
each at a fixed seed:
- a mean over ``R`` agents that share ``(n, p)``: within 5 standard errors of ``n * p`` on each
  backend, and the two backends' means within 5 standard errors of their difference;
- the counts of each such class: a chi-square goodness-of-fit test against the exact
  Binomial(n, p) (bins of expected count below 5 merged into their neighbours), p > 1e-4 on each
  backend;
- the normals: a Kolmogorov-Smirnov test against N(0, 1) on each backend and a two-sample KS test
  between them, each p > 1e-4, on 200,000 draws.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest
from scipy import stats

import thermidor.engine.accel  # noqa: F401  (registers "numba")
from thermidor.engine import Population, bernoulli, binomial, gain, normal, thin, using
from thermidor.engine.accel import counter
from thermidor.engine.accel.draws import SETUPS, key

BACKENDS = ("numpy", "numba")
R = 20_000  # agents per class of (n, p)
LEVEL = 1e-4  # the goodness-of-fit tests' level
SE = 5.0  # bound on a mean, in standard errors

# (n, p) classes: tiny weights, p near 0, p above one half (drawn as 1 - p), means around and
# above counter.INVERSION_MAX (numba leaves those to numpy's generator)
CLASSES = [(1, 0.3), (3, 0.02), (10, 0.5), (40, 0.9), (100, 0.01), (250, 0.1), (2000, 0.3),
           (5000, 0.0005), (SETUPS - 1, 0.2), (SETUPS + 1, 0.2)]  # fmt: skip


def on(name: str, fn: Callable[[], Any]) -> Any:
    with using(name):
        return fn()


def classes(table: list[tuple[int, float]], reps: int = R) -> tuple[np.ndarray, np.ndarray]:
    """Each class's (n, p) repeated ``reps`` times, the agents shuffled (fixed seed)."""
    n = np.repeat([c[0] for c in table], reps).astype(np.int64)
    p = np.repeat([c[1] for c in table], reps)
    order = np.random.default_rng(99).permutation(n.size)
    return n[order], p[order]


def binomial_fit(x: np.ndarray, n: int, p: float) -> float:
    """Chi-square goodness-of-fit p-value of counts ``x`` against Binomial(n, p), bins of
    expected count below 5 merged into their neighbours."""
    support = np.arange(n + 1)
    want = stats.binom.pmf(support, n, p) * x.size
    got = np.bincount(x, minlength=n + 1).astype(np.float64)
    assert got.size == n + 1, "a draw outside [0, n]"
    bins_w: list[float] = []
    bins_g: list[float] = []
    acc_w = acc_g = 0.0
    for w, g in zip(want, got, strict=True):
        acc_w, acc_g = acc_w + w, acc_g + g
        if acc_w >= 5.0:
            bins_w.append(acc_w)
            bins_g.append(acc_g)
            acc_w = acc_g = 0.0
    if bins_w:  # the tail's remainder joins the last bin
        bins_w[-1] += acc_w
        bins_g[-1] += acc_g
    if len(bins_w) < 2:
        return 1.0
    return float(stats.chisquare(bins_g, np.array(bins_w) * sum(bins_g) / sum(bins_w)).pvalue)


def assert_binomial(draws: dict[str, np.ndarray], n: np.ndarray, p: np.ndarray) -> None:
    """``draws[backend]`` is Binomial(n[i], p[i]) on each backend, class by class, and the
    backends' means agree (the statistics of the module's docstring)."""
    for nk, pk in sorted(set(zip(n.tolist(), p.tolist(), strict=True))):
        sel = (n == nk) & (p == pk)
        mean, var = nk * pk, nk * pk * (1.0 - pk)
        se = np.sqrt(var / sel.sum())
        means = {}
        for name, x in draws.items():
            xs = x[sel]
            means[name] = xs.mean()
            assert abs(means[name] - mean) <= SE * se + 1e-12, (name, nk, pk, means[name], mean)
            assert binomial_fit(xs, nk, pk) > LEVEL, (name, nk, pk)
        assert abs(means["numba"] - means["numpy"]) <= SE * np.sqrt(2.0) * se + 1e-12, (nk, pk)


def test_binomial_is_each_agents_binomial_on_both_backends() -> None:
    n, p = classes(CLASSES)
    draws = {b: on(b, lambda: binomial(np.random.default_rng(7), n, p)) for b in BACKENDS}
    assert_binomial(draws, n, p)
    for x in draws.values():
        assert x.dtype == np.int64


def test_binomial_draws_are_independent_between_agents() -> None:
    """Neighbouring agents' draws are uncorrelated: |r| < 5 / sqrt(N) on each backend."""
    n = np.full(200_000, 20)
    for name in BACKENDS:
        x = on(name, lambda: binomial(np.random.default_rng(8), n, 0.3)).astype(np.float64)
        assert abs(np.corrcoef(x[:-1], x[1:])[0, 1]) < SE / np.sqrt(n.size), name


@pytest.mark.parametrize("name", BACKENDS)
def test_binomial_certain_impossible_and_empty_are_exact(name: str) -> None:
    n = np.array([0, 5, 7, 0, 9, 3])
    p = np.array([0.5, 0.0, 1.0, 1.0, -0.2, 1.7])  # clipped to [0, 1]
    got = on(name, lambda: binomial(np.random.default_rng(1), n, p))
    assert got.tolist() == [0, 0, 7, 0, 0, 3]


@pytest.mark.parametrize("case", ["scalar", "per agent", "mask", "by group", "by group and mask"])
def test_thin_is_binomial_on_both_backends_and_touches_only_the_agents_at_risk(case: str) -> None:
    """``thin`` loses Binomial(w[i], p[i]) from each agent in the mask (none elsewhere) and
    takes them from its weight; with ``by``, agent i's probability is ``table[by[i]]``."""
    probs = np.array([0.05, 0.2, 0.01, 0.6, 0.0])  # by group; the last group never loses
    order = np.random.default_rng(99).permutation(5 * R)
    w0 = np.repeat([3, 30, 200, SETUPS + 5, 50], R)[order]
    group = np.repeat(np.arange(5, dtype=np.int8), R)[order]
    mask = np.random.default_rng(3).random(w0.size) < 0.5 if "mask" in case else None
    by = group if case.startswith("by group") else None
    p_agent = np.full(w0.size, 0.2) if case == "scalar" else probs[group]
    p: Any = 0.2 if case == "scalar" else probs if by is not None else p_agent
    lost, weight = {}, {}
    for name in BACKENDS:
        w = w0.copy()
        lost[name] = on(name, lambda w=w: thin(np.random.default_rng(5), w, p, mask, by))
        weight[name] = w
        assert np.array_equal(w, w0 - lost[name]), name
        if mask is not None:
            assert not lost[name][~mask].any(), name
    keep = np.ones(w0.size, dtype=bool) if mask is None else mask
    assert_binomial({b: x[keep] for b, x in lost.items()}, w0[keep], p_agent[keep])


def test_gain_adds_binomial_draws_on_both_backends() -> None:
    w0, p = classes([(1, 0.1), (4, 0.3), (60, 0.05), (SETUPS + 3, 0.02), (300, 0.4)])
    got = {}
    for name in BACKENDS:
        w = w0.copy()
        got[name] = on(name, lambda w=w: gain(np.random.default_rng(6), w, p))
        assert np.array_equal(w, w0 + got[name]), name
    assert_binomial(got, w0, p)


@pytest.mark.parametrize("name", BACKENDS)
def test_binomial_leaves_its_counts_and_gain_is_binomial_in_place(name: str) -> None:
    """``binomial`` leaves ``n`` as it is; ``gain`` from the same generator state makes the same
    draws and adds them (one pass on numba)."""
    rng = np.random.default_rng(12)
    n = rng.integers(0, 400, 5000)
    p = rng.random(5000) ** 2 * 0.4
    p[::7] = 0.0
    p[::13] = 0.5  # means above INVERSION_MAX
    counts = n.copy()
    want = on(name, lambda: binomial(np.random.default_rng(5), counts, p))
    assert counts.tobytes() == n.tobytes()
    weight = n.copy()
    got = on(name, lambda: gain(np.random.default_rng(5), weight, p))
    assert got.tobytes() == want.tobytes() and weight.tobytes() == (n + want).tobytes()
    assert (want[p == 0] == 0).all() and (want[p == 0.5] > 0).any()


def test_one_probability_for_all_draws_as_a_probability_per_agent() -> None:
    """With one probability for all, numba keeps the setups of weights below ``SETUPS`` in a
    table; weights on either side of it, alternating and at random, draw the bits they draw
    when each agent is given its probability (no table)."""
    rng = np.random.default_rng(13)
    n = np.concatenate([
        np.tile([SETUPS + 16, 3, SETUPS + 16, 1, SETUPS, SETUPS - 1], 500),
        rng.integers(0, 4 * SETUPS, 5000),
    ])  # fmt: skip
    with using("numba"):
        for p in (0.002, 0.3, 0.7, 0.99, 1.0):
            per_agent = np.full(n.size, p)
            a, b = n.copy(), n.copy()
            one = gain(np.random.default_rng(5), a, np.float64(p))
            each = gain(np.random.default_rng(5), b, per_agent)
            assert one.tobytes() == each.tobytes() and a.tobytes() == b.tobytes(), p
            a, b = n.copy(), n.copy()
            one = thin(np.random.default_rng(6), a, p)
            each = thin(np.random.default_rng(6), b, per_agent)
            assert one.tobytes() == each.tobytes() and a.tobytes() == b.tobytes(), p
            if p < 1.0:
                assert (one[n >= SETUPS] > 0).any() and (one[(n > 0) & (n < SETUPS)] > 0).any()


@pytest.mark.parametrize(
    "case", ["scalar", "per agent", "mask", "scalar and mask", "by group", "by group and mask"]
)
def test_bernoulli_befalls_each_agent_with_its_probability_on_both_backends(case: str) -> None:
    """In each class of agents sharing a probability the share befallen is within 5 standard
    errors of it on each backend, and the backends' shares within 5 of their difference; none
    outside the mask."""
    n = 200_000
    rng = np.random.default_rng(4)
    group = rng.integers(0, 4, n).astype(np.int16)
    table = np.array([0.0, 0.02, 0.3, 0.85])
    p: Any = 0.3 if "scalar" in case else table[group]
    mask = rng.random(n) < 0.6 if "mask" in case else None
    by = group if case.startswith("by group") else None
    if by is not None:
        p = table
    p_agent = np.broadcast_to(table[group] if "scalar" not in case else np.float64(0.3), n)
    hit = {b: on(b, lambda: bernoulli(np.random.default_rng(9), p, mask, n=n, by=by))
           for b in BACKENDS}  # fmt: skip
    for name, h in hit.items():
        assert h.dtype == np.bool_ and h.shape == (n,)
        if mask is not None:
            assert not h[~mask].any(), name
        assert not h[p_agent == 0.0].any(), name
    keep = np.ones(n, dtype=bool) if mask is None else mask
    for q in np.unique(p_agent[keep]):
        sel = keep & (p_agent == q)
        se = np.sqrt(q * (1 - q) / sel.sum())
        share = {b: h[sel].mean() for b, h in hit.items()}
        for name in BACKENDS:
            assert abs(share[name] - q) <= SE * se + 1e-12, (name, q, share[name])
        assert abs(share["numba"] - share["numpy"]) <= SE * np.sqrt(2.0) * se + 1e-12, q


@pytest.mark.parametrize("name", BACKENDS)
def test_bernoulli_certain_and_impossible(name: str) -> None:
    with using(name):
        assert bernoulli(np.random.default_rng(4), 1.0, n=50).all()
        assert not bernoulli(np.random.default_rng(4), 0.0, n=50).any()
        with pytest.raises(ValueError, match="give n"):
            bernoulli(np.random.default_rng(0), 0.5)


def test_normal_is_standard_normal_on_both_backends() -> None:
    n = 200_000
    z = {b: on(b, lambda: normal(np.random.default_rng(21), n)) for b in BACKENDS}
    for name, x in z.items():
        assert x.dtype == np.float64 and x.shape == (n,)
        assert stats.kstest(x, "norm").pvalue > LEVEL, name
        assert abs(x.mean()) < SE / np.sqrt(n), name
        assert abs(x.var() - 1.0) < SE * np.sqrt(2.0 / n), name
    assert stats.ks_2samp(z["numba"], z["numpy"]).pvalue > LEVEL
    assert z["numba"].tobytes() != z["numpy"].tobytes()  # two generators, not one


# -- within each backend: the j-th agent at risk takes draw j ---------------------------------
@pytest.mark.parametrize("name", BACKENDS)
def test_thin_draws_do_not_depend_on_agents_nothing_happens_to(name: str) -> None:
    """Only agents with p > 0 (and in the mask) draw: adding agents that nothing can happen to
    changes no other agent's draw."""
    rng = np.random.default_rng(14)
    w = rng.integers(1, 300, 3000)
    p = rng.random(3000) * 0.3
    slots, idle = np.arange(0, 6000, 2), np.arange(1, 6000, 2)  # the agents, and the extras
    big_w = np.full(6000, 777, dtype=np.int64)
    big_p = np.zeros(6000)
    big_w[slots], big_p[slots] = w, p
    mask = np.ones(6000, dtype=bool)
    mask[idle[::2]] = False
    big_p[idle[::2]] = 0.5  # at risk but outside the mask; the other extras have p = 0
    with using(name):
        few = thin(np.random.default_rng(42), w.copy(), p)
        many = thin(np.random.default_rng(42), big_w.copy(), big_p, mask)
        assert many[slots].tolist() == few.tolist()
        assert not many[idle].any()
        pop = Population("p", {"tag": np.int8})
        pop.append(weight=big_w, tag=np.zeros(6000))
        assert pop.thin(np.random.default_rng(42), big_p, mask=mask)[slots].tolist() == few.tolist()


@pytest.mark.parametrize("name", BACKENDS)
def test_bernoulli_draws_do_not_depend_on_agents_it_cannot_befall(name: str) -> None:
    p_few = np.full(1000, 0.5)
    p_many = np.zeros(5000)
    mask = np.ones(5000, dtype=bool)
    at = np.arange(0, 5000, 5) + np.arange(1000) % 2
    p_many[at] = 0.5
    p_many[at + 2] = 0.9
    mask[at + 2] = False  # at risk but outside the mask
    with using(name):
        few = bernoulli(np.random.default_rng(8), p_few)
        many = bernoulli(np.random.default_rng(8), p_many, mask)
    assert many[at].tolist() == few.tolist()
    assert many.sum() == few.sum()


@pytest.mark.parametrize("name", BACKENDS)
def test_a_table_by_group_draws_what_its_gathered_array_draws(name: str) -> None:
    """``by=group``: agent i's probability is ``table[group[i]]``, the bits of ``table[group]``
    (big means included) on each backend; a group outside the table is numpy's IndexError."""
    rng = np.random.default_rng(3)
    group = rng.integers(0, 6, 20_000).astype(np.int8)
    table = np.array([0.0, 0.05, 0.3, 0.5, 0.95, 1.2])
    mask = rng.random(20_000) < 0.6
    n = rng.integers(0, 300, 20_000)
    with using(name):
        for m in (mask, None):
            want = bernoulli(np.random.default_rng(9), table[group], m)
            got = bernoulli(np.random.default_rng(9), table, m, by=group)
            assert got.tobytes() == want.tobytes()
        w_want, w_got = n.copy(), n.copy()
        lost_want = thin(np.random.default_rng(9), w_want, table[group], mask)
        lost = thin(np.random.default_rng(9), w_got, table, mask, by=group)
        assert lost.tobytes() == lost_want.tobytes() and w_got.tobytes() == w_want.tobytes()
        assert (lost >= 0).all() and lost[group == 3].sum() > 0
        with pytest.raises(IndexError):
            bernoulli(np.random.default_rng(9), table[:4], by=group)


@pytest.mark.parametrize("name", BACKENDS)
def test_same_generator_state_same_draws(name: str) -> None:
    rng = np.random.default_rng(15)
    w = rng.integers(0, 100, 10_000)
    p = rng.random(10_000) * 0.2

    def draws() -> Iterator[bytes]:
        g = np.random.default_rng(77)
        yield binomial(g, w, p).tobytes()
        yield bernoulli(g, p).tobytes()
        yield normal(g, 1000).tobytes()
        yield thin(g, w.copy(), p).tobytes()

    with using(name):
        first, second = list(draws()), list(draws())
    assert first == second
    assert len(set(first)) == 4


def test_a_streams_key_is_the_generators_next_uint64() -> None:
    """``key`` reads the bit generator's raw output: the value (and the generator's state after)
    of ``integers(0, 2**64, dtype=uint64)``, which numpy draws as one raw word."""
    for seed in range(50):
        a, b = np.random.default_rng(seed), np.random.default_rng(seed)
        for _ in range(3):
            assert key(a) == b.integers(0, 2**64, dtype=np.uint64)
        assert a.random() == b.random()


def test_numba_draws_come_from_the_counter_stream_keyed_by_the_generator() -> None:
    """numba's normals are the counter stream's, keyed by one draw of the generator."""
    with using("numba"):
        z = normal(np.random.default_rng(31), 1000)
    assert z.tobytes() == counter.normal(key(np.random.default_rng(31)), 1000).tobytes()
