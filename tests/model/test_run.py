"""run(scenario, seed, scale): persons conserved, same seed same bytes, totals scale-free."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest
from hypothesis import Phase, example, given, settings
from hypothesis import strategies as st

import thermidor
from tests.support import COARSE, assert_conserved, extend, run_coarse, window_mean
from thermidor import ScenarioError
from thermidor.lab.ensemble import run_many, seeds_for
from thermidor.model.initial import DEFAULT_SCALES
from thermidor.model.params import PARAMS
from thermidor.model.run import resolve_scales, source_hash

# Every cause by which persons enter, leave or move between populations, 1917-1921.
CAUSES = {
    "birth": "born in the towns or the villages",
    "death": "died in the towns (hunger, typhus) or the villages",
    "war_death": "killed in the world war or the civil war (soldiers, communists at the front)",
    "conscription": "villagers and workers drafted or volunteering into the army",
    "demobilisation": "soldiers sent home (old army after October, Red Army after the war)",
    "desertion": "peasant soldiers back to their villages",
    "promotion": "worker-soldiers made commissars and cadres (into the apparatus)",
    "repression": "the rising's garrison killed when it is put down",
    "return_to_village": "workers with village ties back to the land",
    "flight_from_hunger": "other townsfolk fleeing to the villages",
    "hired_from_village": "peasants filling the factories",
    "migration_to_towns": "villagers seeking work in the towns under the NEP",
    "lifted_into_apparatus": "militant workers made officials",
    "hired_into_apparatus": "townsfolk (old officials, middle classes) made officials",
    "partition": "peasant households dividing",
    "recruitment_militant": "conscious workers and soldiers joining the party in 1917",
    "recruitment_need": "recruits to staff the state and the army",
    "recruitment_careerist": "those who see who is winning",
    "lapse": "weakly convinced members lapsing under hardship",
    "purge": "members removed in a purge",
}


# -- conservation ---------------------------------------------------------------------------------
def test_no_person_is_created_or_lost_without_a_named_cause(baseline_ensemble):
    for result in baseline_ensemble:
        assert_conserved(result)
        unknown = set(result.ledger["by_cause"]) - set(CAUSES)
        assert not unknown, f"causes without a name in CAUSES: {sorted(unknown)}"


ALL_ABROAD = {p.name: 1.0 for p in PARAMS if p.name.startswith("world.p_")}


def test_a_successful_revolution_abroad_conserves_persons():
    assert_conserved(run_coarse(seed=4, until=dt.date(1919, 6, 1), params=ALL_ABROAD))


# -- determinism ----------------------------------------------------------------------------------
def run_bytes(result: thermidor.Result, directory) -> dict[str, bytes]:
    out = result.write(directory)
    return {f: (out / f).read_bytes() for f in ("indicators.parquet", "events.parquet")}


def test_the_same_seed_gives_byte_identical_results(tmp_path, coarse_baseline):
    again = run_coarse(seed=0)
    assert run_bytes(again, tmp_path / "a") == run_bytes(coarse_baseline(0), tmp_path / "b")


def test_a_different_seed_gives_a_different_run(coarse_baseline):
    a = coarse_baseline(0)
    b = run_coarse(seed=1, until=dt.date(1917, 9, 1))
    n = b.dates.size
    assert not np.array_equal(a.columns["working_class"][:n], b.columns["working_class"])


def test_a_process_pool_gives_the_same_bytes_as_one_process(tmp_path):
    scenario = extend(end=dt.date(1918, 3, 1))
    seeds = seeds_for(2, root=7)
    pooled = run_many(scenario, seeds, scale=COARSE, workers=2)
    alone = [thermidor.run(scenario, seed=s, scale=COARSE) for s in seeds]
    for k, (p, a) in enumerate(zip(pooled, alone, strict=True)):
        assert run_bytes(p, tmp_path / f"pool-{k}") == run_bytes(a, tmp_path / f"alone-{k}")


def test_stopping_early_does_not_change_the_steps_before(coarse_baseline):
    full = coarse_baseline(0)
    short = run_coarse(seed=0, until=dt.date(1918, 6, 1))
    n = short.dates.size
    for name, column in short.columns.items():
        assert np.array_equal(column, full.columns[name][:n], equal_nan=True), name


# -- scale -----------------------------------------------------------------------------------------
FOUR_TIMES_COARSER = {k: 4 * v for k, v in DEFAULT_SCALES.items()}
SCALE_FREE = [
    ("working_class_vs_1917", "1920-01-01", "1921-01-01"),
    ("red_army", "1920-01-01", "1921-01-01"),
    ("party_members", "1919-03-01", "1919-04-01"),
    ("peasant_households", "1920-01-01", "1921-01-01"),
    ("state_officials", "1920-01-01", "1921-01-01"),
]


def test_totals_in_persons_do_not_depend_on_the_scale(baseline_ensemble):
    """Each total's mean over six seeds at the default scale (a) and four other seeds at a scale
    four times coarser (b) agree: |mean_a - mean_b| <= 4 * sqrt(se_a^2 + se_b^2) + 0.02 * |mean_a|.

    With so few seeds the statistic is t-distributed with about 4-8 degrees of freedom, so a
    4-standard-error band alone would be crossed by chance about once in a hundred per quantity.
    The floor of 2% of the total is what the test tolerates as a systematic effect of coarser
    agents (whole agents are conscripted, lifted or sent home at once); it also covers quantities
    with almost no sampling noise (households), where the band alone would be near zero. A scale
    bias larger than 2% of a total fails the test.
    """
    coarse = run_many(
        extend(end=dt.date(1920, 12, 31)),
        seeds_for(4, root=1),
        scale=FOUR_TIMES_COARSER,
        workers=1,
    )
    for column, start, end in SCALE_FREE:
        a = np.array([window_mean(r, column, start, end) for r in baseline_ensemble])
        b = np.array([window_mean(r, column, start, end) for r in coarse])
        se = np.sqrt(a.var(ddof=1) / a.size + b.var(ddof=1) / b.size)
        bound = 4 * se + 0.02 * abs(a.mean())
        assert abs(a.mean() - b.mean()) <= bound, (column, a.mean(), b.mean(), bound)


@settings(max_examples=12, deadline=None, phases=(Phase.explicit, Phase.reuse, Phase.generate))
@example(scales={**{k: 1000 for k in DEFAULT_SCALES}, "workers": 100_000})
@given(
    scales=st.fixed_dictionaries(
        {k: st.integers(max(v, 1000), 1_000_000) for k, v in DEFAULT_SCALES.items()}
    )
)
def test_every_scale_the_validation_accepts_runs_and_conserves_persons(scales):
    """resolve_scales accepts up to 1,000,000 persons per agent; such a run must work."""
    result = thermidor.run("baseline", seed=0, scale=scales, until=dt.date(1917, 5, 1))
    assert_conserved(result)
    assert result.manifest["scales"] == scales


@pytest.mark.parametrize(
    ("scale", "path"),
    [
        (0, "scale"),
        (-5, "scale"),
        (True, "scale"),
        (2.5, "scale"),
        ("100", "scale"),
        (1_000_001, "scale"),
        ({"peasants": 10}, "scale.peasants"),
        ({"workers": 0}, "scale.workers"),
        ({"workers": 1.5}, "scale.workers"),
    ],
)
def test_a_bad_scale_raises_scenario_error_naming_it(scale, path):
    with pytest.raises(ScenarioError) as e:
        thermidor.run("baseline", seed=0, scale=scale, until=dt.date(1917, 4, 1))
    assert e.value.path == path
    assert str(e.value).startswith(f"{path}: got ")


def test_scales_resolve_from_nothing_a_number_or_a_table():
    assert resolve_scales(None) == DEFAULT_SCALES
    assert resolve_scales(50) == {k: 50 for k in DEFAULT_SCALES}
    assert resolve_scales({"workers": 7}) == {**DEFAULT_SCALES, "workers": 7}


@pytest.mark.parametrize(("seed", "until", "path"), [
    (-1, None, "seed"), (1.0, None, "seed"), (True, None, "seed"),
    (0, dt.date(1917, 3, 1), "until"), (0, dt.date(1916, 1, 1), "until"),
    (0, "1916-01-01", "until"), (0, "March 1918", "until"), (0, 1918, "until"),
])  # fmt: skip
def test_a_bad_seed_or_stop_date_raises_scenario_error_naming_it(seed, until, path):
    with pytest.raises(ScenarioError) as e:
        thermidor.run("baseline", seed=seed, scale=COARSE, until=until)
    assert e.value.path == path


def test_the_stop_date_may_be_an_iso_string():
    a = thermidor.run("baseline", seed=0, scale=COARSE, until="1917-06-01")
    b = thermidor.run("baseline", seed=0, scale=COARSE, until=dt.date(1917, 6, 1))
    assert a.dates[-1] == b.dates[-1] < dt.date(1917, 6, 1)
    assert a.indicators.equals(b.indicators)


# -- the manifest ---------------------------------------------------------------------------------
def test_the_manifest_records_what_is_needed_to_reproduce_the_run(coarse_baseline):
    result = coarse_baseline(0)
    m = result.manifest
    assert m["seed"] == 0
    assert m["scales"] == COARSE
    assert m["steps"] == result.dates.size
    assert m["scenario"]["run"]["end"] == "1921-12-31"
    assert set(m["scenario"]["params"]) == {p.name for p in PARAMS}
    assert m["interventions"] == []
    assert m["source_hash"] == source_hash()
    assert re.fullmatch(r"[0-9a-f]{16}", m["source_hash"])


def test_on_step_is_called_once_per_step_with_the_row():
    seen: list[int] = []
    result = thermidor.run(
        "baseline", seed=0, scale=COARSE, until=dt.date(1917, 5, 1),
        on_step=lambda step, total, row: seen.append(step),
    )  # fmt: skip
    assert seen == list(range(result.dates.size))
