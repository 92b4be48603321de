"""M9 recruitment and dilution of the party (§5)."""

from __future__ import annotations

import datetime as dt

from tests.support import run_coarse, window_mean

MARCH_1919 = ("1919-03-01", "1919-04-01")


def test_rapid_recruitment_dilutes_the_old_bolsheviks(coarse_baseline):
    """§5: the party grew to staff the state; by 1919 the old Bolsheviks were a tenth of it."""
    base = coarse_baseline(0)
    rapid = run_coarse(until=dt.date(1919, 4, 1), params={"party.careerist_recruitment": 0.01})
    assert window_mean(rapid, "old_bolshevik_share", *MARCH_1919) < window_mean(
        base, "old_bolshevik_share", *MARCH_1919
    )
    assert window_mean(rapid, "party_members", *MARCH_1919) > window_mean(
        base, "party_members", *MARCH_1919
    )


def test_the_old_bolsheviks_are_the_whole_party_in_march_1917_and_a_minority_by_1919(
    coarse_baseline,
):
    base = coarse_baseline(0)
    assert base.columns["old_bolshevik_share"][0] > 0.99
    assert window_mean(base, "old_bolshevik_share", *MARCH_1919) < 0.2
