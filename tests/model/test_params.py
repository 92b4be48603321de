"""Parameters are declared once; every check and message is generated from the declarations."""

from __future__ import annotations

import math

import pytest

from thermidor import ScenarioError, load
from thermidor.model.params import BY_NAME, PARAMS, Params, json_schema, validate_value
from thermidor.model.targets import load_targets

NAMES = [p.name for p in PARAMS]


def with_params(params: dict) -> dict:
    """A self-standing scenario (no ``extends``: no file to read) with these parameters."""
    return {"run": {"start": "1917-03-01", "end": "1921-12-31"}, "params": params}


def hard(scenario: dict) -> dict:
    return {**scenario, "run": {**scenario["run"], "ranges": "hard"}}


def by_param(f):
    return pytest.mark.parametrize("param", PARAMS, ids=NAMES)(f)


def above_max(param) -> float:
    return param.hi + max(abs(param.hi), 1.0)


BOUNDED = [p for p in PARAMS if math.isfinite(p.hard_hi)]


def below_min(param) -> float:
    return param.lo - max(abs(param.lo), 1.0)


@by_param
def test_declaration_is_complete_and_its_default_in_range(param):
    assert param.lo < param.hi
    assert param.lo <= param.default <= param.hi
    assert param.unit and param.meaning and param.source
    assert param.cls in ("structural", "political", "definition")
    assert "." in param.name and param.group


def test_parameter_names_are_unique():
    assert len(NAMES) == len(set(NAMES)) == len(BY_NAME)


def test_calibrated_for_names_only_existing_targets():
    ids = {t.id for t in load_targets()}
    unknown = {(p.name, t) for p in PARAMS for t in p.calibrated_for if t not in ids}
    assert not unknown


@by_param
def test_value_above_its_max_raises_naming_its_key(param):
    with pytest.raises(ScenarioError) as e:
        load(with_params({param.name: above_max(param)}))
    assert e.value.path == f"params.{param.name}"
    assert f"params.{param.name}" in str(e.value)
    assert f"[{param.lo:g}, {param.hi:g}]" in str(e.value)


@pytest.mark.parametrize("param", BOUNDED, ids=[p.name for p in BOUNDED])
def test_value_above_its_hard_max_raises_even_with_hard_ranges(param):
    with pytest.raises(ScenarioError) as e:
        load(hard(with_params({param.name: param.hard_hi + 1.0})))
    assert e.value.path == f"params.{param.name}"
    assert f"at most {param.hard_hi:g}" in str(e.value)


@by_param
def test_hard_bounds_contain_the_documented_range_and_shares_stop_at_one(param):
    assert param.hard_lo == param.lo and param.hard_hi >= param.hi
    if param.unit in ("fraction", "probability") or param.unit.startswith("fraction of"):
        assert param.hard_hi == 1.0


@pytest.mark.parametrize("param", [p for p in PARAMS if p.hard_hi > p.hi], ids=lambda p: p.name)
def test_beyond_the_documented_range_needs_hard_ranges(param):
    beyond = min(param.hi * 1.5 + 0.1, param.hard_hi)
    with pytest.raises(ScenarioError, match=f"params.{param.name}"):
        load(with_params({param.name: beyond}))
    sc = load(hard(with_params({param.name: beyond})))
    assert sc.resolved_params()[param.name] == beyond
    assert sc.to_dict()["run"]["ranges"] == "hard"  # recorded in the manifest: reruns agree


def test_ranges_must_be_documented_or_hard():
    with pytest.raises(ScenarioError, match=r"run\.ranges"):
        load({"run": {"start": "1917-03-01", "end": "1921-12-31", "ranges": "wide"}})


@by_param
def test_value_below_its_min_raises_naming_its_key(param):
    with pytest.raises(ScenarioError, match=f"params.{param.name}"):
        load(with_params({param.name: below_min(param)}))


@by_param
def test_value_of_a_wrong_type_raises_naming_its_key(param):
    for bad in ("0.5", True, None, [0.5], {"x": 0.5}):
        with pytest.raises(ScenarioError) as e:
            load(with_params({param.name: bad}))
        # a table under a parameter's name is read as deeper (unknown) keys
        expected = f"params.{param.name}" + (".x" if isinstance(bad, dict) else "")
        assert e.value.path == expected, bad
        assert expected in str(e.value), bad


@by_param
def test_nan_is_refused(param):
    with pytest.raises(ScenarioError, match=f"params.{param.name}"):
        validate_value(param.name, math.nan)


@by_param
def test_bounds_are_accepted_in_the_dotted_and_the_table_form(param):
    group, rest = param.name.split(".", 1)
    low = load(with_params({param.name: param.lo})).resolved_params()
    high = load(with_params({group: {rest: param.hi}})).resolved_params()
    assert low[param.name] == param.lo
    assert high[param.name] == param.hi


def test_params_resolve_every_declared_default():
    p = Params()
    assert dict(p) == {q.name: float(q.default) for q in PARAMS}
    assert p.changed() == {}
    assert Params({"war.casualties": 0.2}).changed() == {"war.casualties": 0.2}


def test_an_unknown_parameter_is_refused_with_a_suggestion():
    with pytest.raises(ScenarioError) as e:
        load(with_params({"consciousness.grievance_rat": 1.0}))
    assert e.value.path == "params.consciousness.grievance_rat"
    assert "did you mean 'consciousness.grievance_rate'?" in str(e.value)


def test_the_json_schema_declares_every_parameter_with_its_range():
    schema = json_schema()
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == set(NAMES)
    for p in PARAMS:
        prop = schema["properties"][p.name]
        assert (prop["type"], prop["minimum"], prop["maximum"], prop["default"]) == (
            "number", p.lo, p.hi, p.default,
        )  # fmt: skip
        assert prop["x-hard-bounds"] == [p.hard_lo, None if math.isinf(p.hard_hi) else p.hard_hi]
        assert (prop["x-unit"], prop["x-source"], prop["x-class"]) == (p.unit, p.source, p.cls)
