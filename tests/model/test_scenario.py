"""Scenarios: TOML or dicts extending the baseline; every error a ScenarioError naming its key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import thermidor
from tests.support import COARSE, FOUNDATION_DECISIONS, extend
from thermidor import Scenario, ScenarioError, load
from thermidor.model.decisions import DECISIONS
from thermidor.model.inputs import SERIES
from thermidor.model.params import PARAMS
from thermidor.model.scenario import META_KEYS, RUN_KEYS, TOP_KEYS, shipped
from thermidor.model.world import REGIONS


def error_of(source: Any) -> ScenarioError:
    with pytest.raises(ScenarioError) as e:
        load(source)
    return e.value


# -- what loads ---------------------------------------------------------------------------------
def test_every_shipped_scenario_loads_and_the_baseline_is_among_them():
    names = shipped()
    assert "baseline" in names
    for name in names:
        sc = load(name)
        assert sc.end > sc.start
        assert sc.meta["class"] in ("baseline", "structural", "political")
        assert sc.meta.get("mechanisms"), f"{name} names no mechanism carrying its effect"
    assert load("baseline").meta["class"] == "baseline"


def test_the_lefts_platform_is_a_forced_decision_not_a_term_of_the_outcome():
    """Issue 17 item 3: the lever forces a decision; it sets no parameter of M11 or M15."""
    sc = load("left_platform_1923")
    assert sc.force == {"left_platform": "1923-10-15"}
    assert not any(k.startswith(("bureaucracy.", "party.")) for k in sc.params)


def test_a_toml_file_extends_the_baseline_with_tables_dates_and_inputs(tmp_path):
    path = tmp_path / "war.toml"
    path.write_text(
        'extends = "baseline"\n'
        '[meta]\ntitle = "A harder war"\nclass = "structural"\n'
        "[run]\nend = 1920-12-31\n"
        "[params.war]\ncasualties = 0.2\n"
        '[params]\n"hunger.return_rate" = 1.0\n'
        '[inputs.cut_off.turkestan]\n"1917-03-01" = 0.0\n'
        '[inputs.civil_war]\n"1917-03-01" = 0.0\n"1918-06-01" = 0.9\n'
        '[force]\nmensheviks_lose_legality = "never"\ninsurrection = 1917-10-20\n'
    )
    sc = load(path)
    assert sc.name == "war"
    assert (
        sc.meta["title"] == "A harder war"
        and sc.meta["section"] == load("baseline").meta["section"]
    )
    assert (sc.start, sc.end) == (load("baseline").start, dt.date(1920, 12, 31))
    assert sc.params == {"war.casualties": 0.2, "hunger.return_rate": 1.0}
    assert sc.inputs["cut_off"] == {"turkestan": {"1917-03-01": 0.0}}
    assert sc.inputs["civil_war"] == {"-": {"1917-03-01": 0.0, "1918-06-01": 0.9}}
    assert sc.force == {"mensheviks_lose_legality": "never", "insurrection": "1917-10-20"}


def test_a_chain_of_scenarios_overrides_the_parents_keys_and_keeps_the_rest(tmp_path):
    (tmp_path / "parent.toml").write_text(
        'extends = "baseline"\n[params]\n"war.casualties" = 0.2\n"war.desertion" = 0.5\n'
        '[inputs.cut_off.ukraine]\n"1917-03-01" = 0.5\n'
    )
    (tmp_path / "child.toml").write_text(
        'extends = "parent.toml"\n[params]\n"war.casualties" = 0.3\n'
        '[inputs.cut_off.turkestan]\n"1917-03-01" = 0.1\n'
    )
    sc = load(tmp_path / "child.toml")
    assert sc.params == {"war.casualties": 0.3, "war.desertion": 0.5}
    assert set(sc.inputs["cut_off"]) == {"ukraine", "turkestan"}


def test_a_resolved_scenario_lists_every_parameter_and_its_interventions():
    sc = load(extend(params={"war.casualties": 0.2}, force={"insurrection": "never"}))
    d = sc.to_dict()
    assert set(d["params"]) == {p.name for p in PARAMS}
    assert d["params"]["war.casualties"] == 0.2
    assert sc.interventions == ["force.insurrection = 'never'"]


def test_a_scenario_object_passes_through_load():
    sc = load("baseline")
    assert load(sc) is sc


# -- what is refused, and how it is named --------------------------------------------------------
@pytest.mark.parametrize(
    ("source", "path", "hint"),
    [
        ({"extends": "baseline", "parms": {}}, "parms", "did you mean 'params'?"),
        ({"extends": "baseline", "meta": {"titel": "x"}}, "meta.titel", "did you mean 'title'?"),
        ({"extends": "baseline", "meta": {"title": 3}}, "meta.title", "a string"),
        ({"extends": "baseline", "meta": {"class": "heroic"}}, "meta.class", "political"),
        (
            {"extends": "baseline", "run": {"stop": "1920-01-01"}},
            "run.stop",
            "start, end, step_days",
        ),
        ({"extends": "baseline", "run": "1917"}, "run", "a table"),
        ({"run": {"start": "1917-03-01"}}, "run", "start and end"),
        ({"extends": "baseline", "run": {"start": "1917-13-01"}}, "run.start", "YYYY-MM-DD"),
        ({"extends": "baseline", "run": {"end": "soon"}}, "run.end", "YYYY-MM-DD"),
        ({"extends": "baseline", "run": {"start": 1917}}, "run.start", "YYYY-MM-DD"),
        ({"extends": "baseline", "run": {"start": "1900-01-01"}}, "run.start", "between"),
        ({"extends": "baseline", "run": {"end": "1917-02-01"}}, "run.end", "after run.start"),
        ({"extends": "baseline", "run": {"step_days": 0}}, "run.step_days", "allowed: 7"),
        ({"extends": "baseline", "run": {"step_days": 7.5}}, "run.step_days", "allowed: 7"),
        ({"extends": "baseline", "run": {"step_days": True}}, "run.step_days", "allowed: 7"),
        (
            {"extends": "baseline", "params": {"consciousness.grievance_rat": 1.0}},
            "params.consciousness.grievance_rat",
            "did you mean 'consciousness.grievance_rate'?",
        ),
        ({"extends": "baseline", "params": [1]}, "params", "a table"),
        (
            {"extends": "baseline", "inputs": {"civil_wr": {"1918-01-01": 0.5}}},
            "inputs.civil_wr",
            "did you mean 'civil_war'?",
        ),
        (
            {"extends": "baseline", "inputs": {"cut_off": {"turkestn": {"1918-01-01": 0.5}}}},
            "inputs.cut_off.turkestn",
            "did you mean 'turkestan'?",
        ),
        (
            {"extends": "baseline", "inputs": {"civil_war": {"1918-01-01": 1.5}}},
            "inputs.civil_war.1918-01-01",
            "[0, 1]",
        ),
        (
            {"extends": "baseline", "inputs": {"civil_war": {"spring": 0.5}}},
            "inputs.civil_war.spring",
            "YYYY-MM-DD",
        ),
        (
            {"extends": "baseline", "inputs": {"cut_off": {"1918-01-01": 0.5}}},
            "inputs.cut_off",
            "turkestan",
        ),
        (
            {"extends": "baseline", "force": {"insurection": "never"}},
            "force.insurection",
            "did you mean 'insurrection'?",
        ),
        (
            {"extends": "baseline", "force": {"insurrection": "soon"}},
            "force.insurrection",
            "YYYY-MM-DD",
        ),
        ({"extends": "baseline", "force": {"insurrection": 5}}, "force.insurrection", "YYYY-MM-DD"),
        ({"extends": "basline"}, "extends", "did you mean 'baseline'?"),
        ({"extends": 3}, "extends", "a string"),
        ("basline", "scenario", "did you mean 'baseline'?"),
    ],
    ids=lambda x: x if isinstance(x, str) else None,
)
def test_a_bad_scenario_raises_scenario_error_naming_the_key_path(source, path, hint):
    e = error_of(source)
    assert e.path == path
    assert str(e).startswith(f"{path}: got ")
    assert hint in str(e)


def test_scenario_error_is_a_value_error_carrying_path_value_and_allowed():
    e = error_of({"extends": "baseline", "run": {"step_days": 40}})
    assert isinstance(e, ValueError)
    assert (e.path, e.value) == ("run.step_days", 40)
    assert e.allowed.startswith("7")


def test_a_toml_syntax_error_is_a_scenario_error(tmp_path):
    path = tmp_path / "broken.toml"
    path.write_text('extends = "baseline"\n[params\n')
    assert error_of(path).path == "(file)"


def test_a_cycle_of_extends_is_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n')
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n')
    assert error_of(tmp_path / "a.toml").path == "extends"


def test_meta_that_is_not_a_table_is_a_scenario_error():
    assert error_of({"extends": "baseline", "meta": "a title"}).path == "meta"


def test_a_file_that_is_not_text_is_a_scenario_error(tmp_path):
    path = tmp_path / "binary.toml"
    path.write_bytes(b"\xff\xfe\x00\x01")
    assert error_of(path).path == "(file)"


def test_an_overlong_extends_is_a_scenario_error():
    assert error_of({"extends": "x" * 300}).path == "extends"


def test_a_missing_file_is_a_scenario_error(tmp_path):
    assert error_of(tmp_path / "nowhere.toml").path == "scenario"


# -- malformed scenarios: run or ScenarioError, nothing else -------------------------------------
VOCAB = (
    *TOP_KEYS, *META_KEYS, *RUN_KEYS, *SERIES, *REGIONS, *DECISIONS, "-",
    *(p.name for p in PARAMS[:20]), "war", "casualties", "1917-06-01", "never", "baseline",
)  # fmt: skip
DATES = st.dates(dt.date(1916, 6, 1), dt.date(1922, 1, 1))
keys = st.one_of(st.sampled_from(VOCAB), st.text(max_size=10))
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=10),
    st.sampled_from(["never", "baseline", "1917-13-01", "", "-"]),
    DATES,
    DATES.map(dt.date.isoformat),
    st.datetimes(dt.datetime(1800, 1, 1), dt.datetime(2100, 1, 1)),
    st.times(),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(keys, inner, max_size=3),
    max_leaves=8,
)


def _series(name: str) -> st.SearchStrategy[dict[str, Any]]:
    regions, lo, hi, _ = SERIES[name]
    points = st.dictionaries(DATES.map(dt.date.isoformat), st.floats(lo, hi), max_size=3)
    if regions == ("-",):
        return points
    return st.dictionaries(st.sampled_from(regions), points, min_size=1, max_size=2)


valid_parts = {
    "extends": st.sampled_from(["baseline", "no_menshevik_ban", "short_civil_war"]),
    "meta": st.fixed_dictionaries({}, optional={"title": st.text(max_size=10)}),
    "run": st.fixed_dictionaries(
        {}, optional={"start": DATES, "end": DATES.map(dt.date.isoformat),
                      "step_days": st.one_of(st.just(7), st.integers(1, 31))},
    ),
    "params": st.lists(
        st.sampled_from(PARAMS).flatmap(lambda p: st.tuples(st.just(p.name), st.floats(p.lo, p.hi))),
        max_size=3,
    ).map(dict),
    "inputs": st.sampled_from(tuple(SERIES)).flatmap(
        lambda name: _series(name).map(lambda table: {name: table})
    ),
    "force": st.dictionaries(
        st.sampled_from(FOUNDATION_DECISIONS),
        st.one_of(st.just("never"), DATES.map(dt.date.isoformat), DATES),
        max_size=2,
    ),
}  # fmt: skip
valid = st.fixed_dictionaries({"extends": valid_parts["extends"]}, optional={
    k: v for k, v in valid_parts.items() if k != "extends"
})  # fmt: skip


@st.composite
def malformed(draw: st.DrawFn) -> dict[str, Any]:
    """A valid scenario with one thing broken: a key, a type, a value or the nesting."""
    scenario = draw(valid)
    where = draw(st.sampled_from((*TOP_KEYS, "(top)", "(deep)")))
    if where == "(top)":
        scenario[draw(keys)] = draw(values)
    elif where == "(deep)":
        section = draw(st.sampled_from(TOP_KEYS[1:]))
        table = scenario.setdefault(section, {})
        inner = draw(st.sampled_from(sorted(table) or ["x"]))
        table[inner] = {draw(keys): draw(values)}
    elif isinstance(scenario.get(where), dict) and draw(st.booleans()):
        scenario[where][draw(keys)] = draw(values)
    else:
        scenario[where] = draw(values)
    return scenario


scenarios = st.one_of(valid, malformed(), st.dictionaries(keys, values, max_size=4))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=scenarios)
def test_malformed_scenarios_either_run_or_raise_scenario_error(data):
    try:
        sc = load(data)
        result = thermidor.run(sc, seed=0, scale=COARSE, until=sc.start + dt.timedelta(weeks=3))
    except ScenarioError:
        return
    assert isinstance(sc, Scenario)
    assert result.ledger["expected"] == result.ledger["actual"]


def test_a_scenario_from_a_path_object_or_a_string_path_is_the_same(tmp_path: Path):
    path = tmp_path / "x.toml"
    path.write_text('extends = "baseline"\n[params]\n"war.casualties" = 0.2\n')
    assert load(path).params == load(str(path)).params == {"war.casualties": 0.2}
