"""Probabilities with intervals: Wilson's interval and bootstrap differences."""

from __future__ import annotations

import numpy as np
import pytest

from thermidor.report.stats import difference, share, wilson


def test_wilson_matches_the_textbook_values() -> None:
    s = wilson(8, 10)
    assert s.p == pytest.approx(0.8)
    assert (s.lo, s.hi) == pytest.approx((0.4902, 0.9433), abs=1e-4)


def test_wilson_stays_inside_zero_and_one_at_the_extremes() -> None:
    none, all_ = wilson(0, 20), wilson(20, 20)
    assert none.lo == 0.0 and 0.0 < none.hi < 0.2
    assert all_.hi == 1.0 and 0.8 < all_.lo < 1.0


def test_a_share_counts_the_seeds_where_it_happened() -> None:
    s = share(np.array([True, False, True, True]))
    assert (s.k, s.n) == (3, 4)


def test_pairing_by_seed_narrows_the_interval_of_a_difference() -> None:
    rng = np.random.default_rng(1)
    base = rng.random(40) < 0.5
    alt = base.copy()
    alt[:6] = True  # the intervention changes a few seeds and leaves the rest alone
    paired = difference(base, alt, paired=True)
    unpaired = difference(base, alt, paired=False)
    assert paired.diff == unpaired.diff == pytest.approx(np.mean(alt) - np.mean(base))
    assert paired.hi - paired.lo < unpaired.hi - unpaired.lo
    assert paired.lo >= 0.0


def test_paired_samples_must_be_the_same_size() -> None:
    with pytest.raises(ValueError, match="differ in"):
        difference(np.ones(3), np.ones(4), paired=True)
