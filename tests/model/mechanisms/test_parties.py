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


def _press_months_1919(r) -> float:
    return window_mean(r, "menshevik_press_months", "1919-01-01", "1920-01-01")


def test_a_stronger_white_threat_makes_the_press_reprieve_last_longer():
    """§3: the regime gives the Mensheviks their press back for their support against the Whites
    and bears their criticism while that support is worth it: the greater the White threat when
    the press comes back, the longer it is borne."""
    until = dt.date(1920, 1, 1)
    threat = {
        "1917-03-01": 0.0, "1917-09-08": 0.4, "1917-09-15": 0.1, "1917-12-10": 0.2,
        "1918-05-25": 0.6, "1919-03-04": 1.0, "1919-11-15": 0.7,
    }  # fmt: skip
    weak = run_coarse(until=until, inputs={"white_threat": {**threat, "1918-05-25": 0.4}})
    strong = run_coarse(until=until, inputs={"white_threat": {**threat, "1918-05-25": 0.9}})
    for r in (weak, strong):
        assert first_date(r, "press_reprieve") is not None
    assert first_date(strong, "press_closed") > first_date(weak, "press_closed")
    assert _press_months_1919(strong) > _press_months_1919(weak) + 1.0


def test_a_press_that_does_not_criticise_is_not_closed_and_one_that_does_is(coarse_baseline):
    """The reprieve ends on the Mensheviks' criticism, not on a date: with none it outlasts 1919
    (the press stays open while they sit in the soviets); with the baseline's it is closed."""
    until = dt.date(1920, 1, 1)
    silent = run_coarse(until=until, params={"parties.press_criticism": 0.0})
    assert silent.first("press_reprieve") is not None
    assert silent.first("press_closed") is None
    assert _press_months_1919(silent) == 12.0
    closed = coarse_baseline(0).first("press_closed")
    assert closed is not None and closed.data["articles"] >= closed.data["tolerated"]
