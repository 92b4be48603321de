"""Counterfactual comparison: the statistics on synthetic data with known answers, and the
comparison of real scenarios paired by seed."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from tests.lab.conftest import COARSE, SCALE_ARGS, cli, said
from thermidor.lab.compare import (
    compare,
    jeffreys,
    kaplan_meier,
    km_median,
    paired_bootstrap,
    wilson,
)
from thermidor.lab.store import Store


def test_wilson_and_jeffreys_match_published_values() -> None:
    # Wilson 95% for 81/263 (Newcombe 1998, example): 0.2553 to 0.3662
    lo, hi = wilson(81, 263)
    assert lo == pytest.approx(0.2553, abs=5e-4) and hi == pytest.approx(0.3662, abs=5e-4)
    # 0 of 10: Wilson 0 to 0.2775; Jeffreys 0 to 0.2172 (Brown, Cai & DasGupta 2001)
    assert wilson(0, 10) == pytest.approx((0.0, 0.2775), abs=5e-4)
    assert jeffreys(0, 10) == pytest.approx((0.0, 0.2172), abs=5e-4)
    assert jeffreys(10, 10)[1] == 1.0 and jeffreys(5, 10)[0] < 0.5 < jeffreys(5, 10)[1]


def test_kaplan_meier_on_a_hand_computed_example() -> None:
    # times 1..5, censored at 2 and 5: S = 4/5 after 1, 4/5 * 2/3 after 3, then * 1/2 after 4
    t = np.array([1.0, 2.0, 3.0, 4.0, 5.0])
    e = np.array([True, False, True, True, False])
    at, s = kaplan_meier(t, e)
    assert at.tolist() == [1.0, 3.0, 4.0]
    assert s == pytest.approx([0.8, 0.8 * 2 / 3, 0.8 * 2 / 3 * 0.5])
    assert km_median(t, e) == 4.0  # the first time S <= 1/2
    # a run censored at an event time is still at risk then
    at, s = kaplan_meier(np.array([2.0, 2.0, 3.0]), np.array([True, False, True]))
    assert s == pytest.approx([2 / 3, 0.0])  # 3 at risk at t=2, one event
    assert math.isnan(km_median(np.array([1.0, 2.0, 3.0]), np.array([True, False, False])))


def test_paired_bootstrap_covers_a_known_difference() -> None:
    rng = np.random.default_rng(1)
    n = 200
    noise = rng.normal(0.0, 1.0, n)  # shared by the pair: common random numbers
    base, alt = noise, noise + 0.3 + rng.normal(0.0, 0.1, n)
    iv = paired_bootstrap(base, alt, np.mean, resamples=1000, seed=7)
    assert iv.lo < 0.3 < iv.hi and iv.hi - iv.lo < 0.05  # tight: pairing removes the noise
    unpaired = paired_bootstrap(base, rng.permutation(alt), np.mean, resamples=1000, seed=7)
    assert unpaired.hi - unpaired.lo > 4 * (iv.hi - iv.lo)
    again = paired_bootstrap(base, alt, np.mean, resamples=1000, seed=7)
    assert (again.lo, again.hi) == (iv.lo, iv.hi)  # seeded: reproducible


def test_paired_bootstrap_coverage_is_near_nominal() -> None:
    rng = np.random.default_rng(3)
    hits = 0
    for _ in range(60):
        base = rng.binomial(1, 0.5, 80).astype(float)
        alt = np.where(rng.random(80) < 0.3, 1.0 - base, base)  # flips a third of the pairs
        truth = 0.0  # flips are symmetric: no difference in probability
        iv = paired_bootstrap(base, alt, np.mean, resamples=400, seed=int(rng.integers(1e6)))
        hits += iv.lo <= truth <= iv.hi
    assert hits >= 51  # 95% nominal; at least 85% of 60


NO_INSURRECTION = {
    "extends": "baseline",
    "meta": {"title": "No insurrection", "class": "political"},
    "force": {"insurrection": "never"},
}


def test_compare_pairs_seeds_and_reports_each_scenario(store: Store) -> None:
    out = compare(
        "baseline",
        [NO_INSURRECTION],
        seeds=4,
        scale=COARSE,
        until="1917-12-31",
        store=store,
        event="insurrection",
        resamples=500,
    )
    base, alt = out["scenarios"]
    assert out["base"] == "baseline" and out["seeds"] == 4 and out["event"] == "insurrection"
    assert base["interventions"] == [] and alt["interventions"] == ["force.insurrection = 'never'"]
    assert base["probability"] == 1.0 and alt["probability"] == 0.0 and alt["never_share"] == 1.0
    assert base["probability_interval"][0] > 0.5 and alt["probability_interval"][1] < 0.5
    assert base["median_date"].startswith("1917-") and alt["median_date"] is None
    assert base["km_median_date"] is not None and alt["km_median_date"] is None
    d = alt["differences"]["probability"]
    assert d["estimate"] == -1.0 and d["lo"] == -1.0 and d["hi"] == -1.0
    assert alt["differences"]["median_date"]["estimate"] is None
    assert any("runs end on 1917-12-2" in n for n in out["notes"])
    assert len(store.runs()) == 8  # 4 seeds x 2 scenarios, the same seeds for both
    assert store.runs()["seed"].value_counts().eq(2).all()
    again = compare(
        "baseline",
        [NO_INSURRECTION],
        seeds=4,
        scale=COARSE,
        until="1917-12-31",
        store=store,
        event="insurrection",
        resamples=500,
    )
    assert json.dumps(again, sort_keys=True) == json.dumps(out, sort_keys=True)
    # in a notebook: one line, and a table of each scenario's probability and interval
    line = repr(out)
    assert "\n" not in line and len(line) < 300, line
    assert "baseline 100% [" in line and "4 runs each" in line
    table = out._repr_html_()
    assert "<table>" in table and "-100% [-100%, -100%]" in table
    assert "fewer than 10 runs" in table and len(table) < 3000


def test_an_ensemble_shows_itself_in_a_line_and_in_html(store: Store) -> None:
    from thermidor.lab.ensemble import ensemble

    ran = ensemble("baseline", 2, scale=COARSE, until="1917-04-01", store=store)
    assert repr(ran).startswith("<Ran baseline: 2 runs (2 run now, 0 already stored) in ")
    again = ensemble("baseline", 1, scale=COARSE, until="1917-04-01", store=store)
    assert "1 run (0 run now, 1 already stored)" in repr(again)
    assert "thermidor ensemble" in again._repr_html_() and again.keys[0][:12] in again._repr_html_()


def test_compare_on_the_command_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    args = [
        "compare",
        "baseline",
        "no_menshevik_ban",
        "--seeds",
        "3",
        "--until",
        "1917-06-30",
        *SCALE_ARGS,
        "--workers",
        "1",
        "--resamples",
        "200",
        "--store",
        str(tmp_path),
    ]
    r = cli(*args, "--json")
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert [s["scenario"] for s in out["scenarios"]] == ["baseline", "no_menshevik_ban"]
    for s in out["scenarios"]:
        assert {
            "probability",
            "probability_interval",
            "never_share",
            "median_date",
            "km_median_date",
            "workers_democracy_1927",
            "party_democracy_1927",
            "turn_of_1928",
        } <= s.keys()
    assert set(out["scenarios"][1]["differences"]) == {
        "probability",
        "median_date",
        "km_median_date",
        "workers_democracy_1927",
        "party_democracy_1927",
        "turn_of_1928_date",
    }
    assert out["scenarios"][1]["interventions"] == ["force.mensheviks_lose_legality = 'never'"]
    table = cli(*args)
    assert table.exit_code == 0 and said(table.output, "Differences from baseline")
    bad = cli("compare", "baseline", "nosuch", "--seeds", "3", "--store", str(tmp_path))
    assert bad.exit_code == 2 and said(bad.output, "scenario: got 'nosuch'")


def test_compare_from_a_saved_state_shares_the_history_and_forks_after(tmp_path) -> None:
    """``compare --from-state``: every member of every scenario continues the one saved history
    (its rows before the fork are the same bytes) with its own seed after it; the state's scales
    are used; the manifests say which state each run continued."""
    state = tmp_path / "1917-09.state"
    saved = cli("run", "--until", "1917-09-01", *SCALE_ARGS, "--save-state", str(state),
                "--out", str(tmp_path / "history"), "--format", "json")  # fmt: skip
    assert saved.exit_code == 0, saved.output
    store = tmp_path / "runs"
    r = cli("compare", "baseline", "no_menshevik_ban", "--from-state", str(state), "--seeds", "2",
            "--until", "1918-09-30", "--workers", "1", "--resamples", "200", "--store", str(store),
            "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    st = Store(store)
    keys = list(st.runs()["key"])
    assert len(keys) == 4
    runs = [st.load(k) for k in keys]
    k = runs[0].manifest["from_state"]["step"]
    assert k > 0 and {r.manifest["from_state"]["step"] for r in runs} == {k}
    col = "party_members"
    assert len({r.columns[col][:k].tobytes() for r in runs}) == 1  # one shared history
    assert len({r.columns[col][k:].tobytes() for r in runs}) > 1  # the futures differ
    missing = cli("compare", "baseline", "no_menshevik_ban", "--from-state",
                  str(tmp_path / "nothing.state"), "--seeds", "2", "--store", str(store))  # fmt: skip
    assert missing.exit_code == 2 and said(missing.output, "from_state: got")
