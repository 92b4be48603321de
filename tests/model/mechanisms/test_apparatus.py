"""M10 the state apparatus (§5), as far as 1921: it grows with its tasks."""

from __future__ import annotations

import datetime as dt

from tests.support import run_coarse, window_mean


def test_war_communism_multiplies_the_apparatus(coarse_baseline):
    base = coarse_baseline(0)
    lean = run_coarse(until=dt.date(1920, 1, 1), params={"apparatus.war_growth": 0.0})
    window = ("1919-07-01", "1920-01-01")
    officials_1917 = base.columns["state_officials"][0]
    assert window_mean(base, "state_officials", *window) > 2 * officials_1917
    assert window_mean(lean, "state_officials", *window) < 0.5 * window_mean(
        base, "state_officials", *window
    )
    assert base.ledger["by_cause"]["lifted_into_apparatus"] > 0
