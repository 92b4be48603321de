"""M6 the single-party state (§3): parties lose legality by rule, under civil war."""

from __future__ import annotations

import datetime as dt

from tests.support import first_date, run_coarse, window_mean


def test_the_mensheviks_are_banned_in_the_civil_war_and_not_without_it(coarse_baseline):
    """§3: a party with supporters on both sides of a civil war is outlawed when the war is
    intense; with the war kept at a low intensity it keeps its legality."""
    base = coarse_baseline(0)
    low_war = run_coarse(
        until=dt.date(1919, 6, 1), inputs={"civil_war": {"1917-03-01": 0.0, "1917-11-07": 0.1}}
    )
    assert first_date(base, "mensheviks_lose_legality") is not None
    assert low_war.first("mensheviks_lose_legality") is None


def test_the_more_mensheviks_side_with_the_whites_the_sooner_the_ban(coarse_baseline):
    until = dt.date(1919, 6, 1)
    many = run_coarse(until=until, params={"parties.white_share_mensheviks": 0.8})
    base = coarse_baseline(0)
    none = run_coarse(until=until, params={"parties.white_share_mensheviks": 0.0})
    assert first_date(many, "mensheviks_lose_legality") < first_date(
        base, "mensheviks_lose_legality"
    )
    assert none.first("mensheviks_lose_legality") is None


def test_a_menshevik_party_kept_legal_keeps_more_parties_legal(coarse_baseline):
    base = coarse_baseline(0)
    kept = run_coarse(until=dt.date(1920, 1, 1), force={"mensheviks_lose_legality": "never"})
    window = ("1919-01-01", "1920-01-01")
    assert (
        window_mean(kept, "legal_parties", *window)
        >= window_mean(base, "legal_parties", *window) + 1.0
    )
