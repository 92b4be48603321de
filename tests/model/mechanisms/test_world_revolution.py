"""M17 world revolution (§1, §2): a revolution abroad would have shortened the civil war."""

from __future__ import annotations

from tests.support import run_coarse, window_mean


def test_a_successful_german_revolution_lowers_the_civil_wars_toll(coarse_baseline):
    base = coarse_baseline(0)
    germany = run_coarse(params={"world.p_germany_1918": 1.0})

    episode = germany.first("foreign_revolution", episode="germany_1918")
    assert episode is not None and episode.data["success"] is True
    assert base.first("foreign_revolution", episode="germany_1918").data["success"] is False
    assert germany.ledger["by_cause"]["war_death"] < 0.9 * base.ledger["by_cause"]["war_death"]
    window = ("1920-01-01", "1921-01-01")
    assert window_mean(germany, "working_class_vs_1917", *window) > window_mean(
        base, "working_class_vs_1917", *window
    )
