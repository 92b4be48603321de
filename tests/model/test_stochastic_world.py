"""``[run] world = "stochastic"``: harvest weather drawn around the record (model/inputs.py)."""

from __future__ import annotations

import numpy as np
import pytest

import thermidor
from tests.support import COARSE
from thermidor.lab.ensemble import scenario_from_manifest
from thermidor.model.errors import ScenarioError
from thermidor.model.inputs import weather_dispersion
from thermidor.model.run import prepare
from thermidor.model.scenario import load

STOCHASTIC = {"extends": "baseline", "run": {"world": "stochastic"}}


def _weather(scenario: object, seed: int) -> np.ndarray:
    return prepare(scenario, seed, None, build=False)[2].weather  # type: ignore[arg-type]


def test_the_record_is_the_default_and_its_weather_does_not_depend_on_the_seed() -> None:
    assert load("baseline").world == "record"
    np.testing.assert_array_equal(_weather("baseline", 0), _weather("baseline", 7))


def test_stochastic_weather_varies_by_seed_and_year_with_the_records_dispersion() -> None:
    record = _weather("baseline", 0)
    a, b = _weather(STOCHASTIC, 0), _weather(STOCHASTIC, 1)
    np.testing.assert_array_equal(a, _weather(STOCHASTIC, 0))  # same seed, same weather
    assert not np.array_equal(a, b)
    # one multiplier per year, the same in every region and week of it
    ratio = a / record
    assert np.allclose(ratio, ratio[:, :1])
    yearly = np.unique(np.round(ratio[:, 0], 12))
    assert 10 <= yearly.size <= 14  # 1917-1929
    logs = np.log(np.concatenate([_weather(STOCHASTIC, s)[::52, 0] / record[::52, 0]
                                  for s in range(40)]))  # fmt: skip
    sigma = weather_dispersion()
    assert 0.08 < sigma < 0.2
    assert np.std(logs) == pytest.approx(sigma, rel=0.15)


def test_the_manifest_records_the_world_and_a_bad_one_is_refused() -> None:
    assert load(STOCHASTIC).to_dict()["run"]["world"] == "stochastic"
    manifest = load(STOCHASTIC).to_dict()
    assert scenario_from_manifest(manifest).world == "stochastic"  # a rerun runs the same world
    with pytest.raises(ScenarioError, match=r"run\.world"):
        load({"extends": "baseline", "run": {"world": "random"}})


def _harvests(world: str, seed: int) -> np.ndarray:
    r = thermidor.run({"extends": "baseline", "run": {"world": world}}, seed=seed, scale=COARSE,
                      until="1919-01-01")  # fmt: skip
    h = np.asarray(r.columns["grain_harvest_vs_prewar"])
    return h[~np.isnan(h)]


def test_stochastic_runs_vary_the_harvest_across_seeds_and_record_runs_do_not() -> None:
    record = np.array([_harvests("record", s) for s in (0, 1)])
    drawn = np.array([_harvests("stochastic", s) for s in (0, 1)])
    assert record.shape == drawn.shape == (2, 2)  # the harvests of 1917 and 1918
    assert np.ptp(record, axis=0).max() < 0.01  # seeds move the harvest by less than 1%
    assert np.ptp(drawn, axis=0).max() > 0.05  # the weather moves it by more than 5%
    np.testing.assert_array_equal(drawn[0], _harvests("stochastic", 0))  # same seed, same bytes
