"""``simulate(**params) -> dict``: the model as a function of its parameters."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tests.lab.conftest import COARSE
from thermidor.lab.outcomes import OUTCOMES
from thermidor.lab.simulate import simulate
from thermidor.model.errors import ScenarioError

UNTIL = "1917-12-31"


def test_simulate_returns_a_dict_of_scalars() -> None:
    out = simulate(seed=1, until=UNTIL, scale=COARSE, **{"parties.ban_readiness": 0.5})
    assert set(out) == set(OUTCOMES)
    assert all(isinstance(v, float) for v in out.values())
    assert out["consolidated"] == 0.0 and math.isnan(out["consolidation_year"])
    assert out["consolidation_year_censored"] == pytest.approx(out["horizon_year"])
    assert 1917.9 < out["horizon_year"] < 1918.0
    assert math.isnan(out["workers_democracy_1927"])  # outside the run


def test_simulate_is_a_pure_function_of_params_and_seed() -> None:
    kw = {"seed": 2, "until": UNTIL, "scale": COARSE, "outcomes": ("mean_consciousness_1917",)}
    a = simulate(consciousness__grievance_rate=0.5, **kw)  # type: ignore[arg-type]
    b = simulate(**{"consciousness.grievance_rate": 0.5}, **kw)  # type: ignore[arg-type]
    c = simulate(consciousness__grievance_rate=3.0, **kw)  # type: ignore[arg-type]
    assert a == b and a["mean_consciousness_1917"] < c["mean_consciousness_1917"]


@pytest.mark.parametrize(
    ("kw", "says"),
    [
        ({"parties__ban_redines": 0.5}, "did you mean 'parties.ban_readiness'"),
        ({"parties__ban_readiness": 7.0}, "params.parties.ban_readiness: got 7.0"),
        ({"outcomes": ("nonsense",)}, "outcome: got 'nonsense'"),
        ({"until": "1900-01-01"}, "until"),
    ],
)
def test_simulate_rejects_bad_input_by_name(kw: dict[str, object], says: str) -> None:
    with pytest.raises(ScenarioError, match=says.replace("(", r"\(")):
        simulate(**kw)  # type: ignore[arg-type]


def test_simulate_returns_time_series_for_indicator_names() -> None:
    out = simulate(
        seed=1,
        until=UNTIL,
        scale=COARSE,
        outcomes=("date", "workers_democracy", "consolidated"),
        parties__ban_readiness=0.5,
    )
    dates, wd = out["date"], out["workers_democracy"]
    assert dates.dtype == np.dtype("datetime64[D]") and wd.dtype == np.float64
    assert dates.size == wd.size > 30 and str(dates[0]) == "1917-03-01"
    assert str(dates[-1]) <= UNTIL and np.isfinite(wd).all() and wd.std() > 0
    assert out["consolidated"] == 0.0


def test_an_unknown_series_is_refused_with_the_forms_allowed() -> None:
    with pytest.raises(ScenarioError, match="an indicator's name"):
        simulate(outcomes=("workers_democrazy",))
