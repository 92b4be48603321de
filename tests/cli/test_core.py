"""The command line: thermidor run | targets | params | scenarios."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from thermidor.cli import app
from thermidor.model.params import PARAMS
from thermidor.model.scenario import shipped

runner = CliRunner()
SHORT = ["--until", "1917-06-01"]


def invoke(*args: str):
    """Run a command as if piped: rich then lays out tables 80 columns wide."""
    return runner.invoke(app, list(args))


def one_line(text: str) -> str:
    return " ".join(text.split())


def test_run_prints_the_chronology_and_the_targets_and_writes_the_run(tmp_path):
    out = tmp_path / "run"
    result = invoke("run", *SHORT, "--out", str(out), "--seed", "3")
    assert result.exit_code == 0, result.output
    assert "Chronology" in result.stdout
    assert "Targets" in result.stdout
    assert f"wrote {out}" in one_line(result.stderr)  # a message (logging), not a result
    assert {p.name for p in out.iterdir()} == {
        "indicators.parquet",
        "events.parquet",
        "manifest.json",
    }
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["seed"] == 3
    assert manifest["scenario"]["run"]["end"] > "1917-06-01"  # the scenario's own end, recorded


def test_run_prints_its_chronology_and_targets_as_json_or_csv(tmp_path):
    result = invoke(
        "run", "--until", "1917-10-01", "--out", str(tmp_path / "a"), "--format", "json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["scenario"] == "baseline" and data["run"] == str(tmp_path / "a")
    assert data["chronology"] and set(data["chronology"][0]) == {"week of", "what happened"}
    assert {t["id"] for t in data["targets"]} >= {"T01", "T28"}
    table = invoke("run", *SHORT, "--out", str(tmp_path / "b"), "--format", "csv")
    assert table.exit_code == 0
    assert table.stdout.startswith("# Chronology") and "\n# Targets" in table.stdout


def test_run_accepts_scales_per_population(tmp_path):
    out = tmp_path / "run"
    result = invoke(
        "run", *SHORT, "--out", str(out), "--scale", "households=5000", "--scale", "workers=1000"
    )
    assert result.exit_code == 0, result.output
    scales = json.loads((out / "manifest.json").read_text())["scales"]
    assert (scales["households"], scales["workers"]) == (5000, 1000)


@pytest.mark.parametrize(
    ("args", "path"),
    [
        (["--scenario", "basline"], "scenario"),
        (["--scale", "peasants=5"], "scale.peasants"),
        (["--scale", "workers=many"], "scale.workers"),
        (["--scale", "lots"], "scale"),
        (["--scale", "0"], "scale"),
        (["--until", "1917-13-45"], "until"),
        (["--until", "1916-01-01"], "until"),
    ],
)
def test_bad_input_exits_2_naming_the_key_and_writes_nothing(tmp_path, args, path):
    out = tmp_path / "run"
    result = invoke("run", *SHORT, *args, "--out", str(out))
    assert result.exit_code == 2
    assert f"{path}: got" in one_line(result.stderr)
    assert list(tmp_path.iterdir()) == []


def test_a_bad_parameter_in_a_scenario_file_exits_2_naming_it(tmp_path):
    scenario = tmp_path / "bad.toml"
    scenario.write_text('extends = "baseline"\n[params.consciousness]\ncontagion = 1.5\n')
    out = tmp_path / "run"
    result = invoke("run", "--scenario", str(scenario), *SHORT, "--out", str(out))
    assert result.exit_code == 2
    assert "params.consciousness.contagion: got 1.5" in one_line(result.stderr)
    assert not out.exists()


def test_params_json_lists_every_parameter_with_its_declaration():
    result = invoke("params", "--json")
    assert result.exit_code == 0
    listed = json.loads(result.stdout)
    assert [p["name"] for p in listed] == [p.name for p in PARAMS]
    for entry, p in zip(listed, PARAMS, strict=True):
        assert (entry["unit"], entry["default"], entry["min"], entry["max"]) == (
            p.unit, p.default, p.lo, p.hi,
        )  # fmt: skip
        assert (entry["source"], entry["class"]) == (p.source, p.cls)


def test_params_schema_is_a_json_schema_of_an_object():
    result = invoke("params", "--schema")
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert schema["type"] == "object"
    assert set(schema["properties"]) == {p.name for p in PARAMS}
    assert all(prop["type"] == "number" for prop in schema["properties"].values())


def test_scenarios_lists_every_shipped_scenario_by_its_full_name():
    """The names are what --scenario takes: they must be readable whole at 80 columns."""
    result = invoke("scenarios")
    assert result.exit_code == 0
    for name in shipped():
        assert name in result.stdout
    assert "baseline" in result.stdout


TARGET_KEYS = {
    "id", "kind", "unit", "simulated_median", "p10", "p90", "target", "tolerance", "hit_rate",
    "occurred_share", "passed", "role",
}  # fmt: skip


def test_targets_json_scores_an_ensemble(tmp_path):
    scenario = tmp_path / "to-1918.toml"
    scenario.write_text('extends = "baseline"\n[run]\nend = 1918-01-31\n')
    result = invoke(
        "targets", "--seeds", "2", "--workers", "1", "--json", "--scenario", str(scenario)
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and rows
    assert all(set(r) >= TARGET_KEYS for r in rows)
    by_id = {r["id"]: r for r in rows}
    assert by_id["T28"]["kind"] == "event" and by_id["T28"]["occurred_share"] == 1.0
    assert by_id["T28"]["simulated_median"] is not None
    assert by_id["T24"]["role"] == "after the horizon" and by_id["T24"]["passed"] is False
    assert all(0.0 <= r["hit_rate"] <= 1.0 for r in rows)


def test_targets_uses_the_store_says_after_the_horizon_and_flags_a_small_ensemble(tmp_path):
    store = tmp_path / "runs"
    args = ["targets", "--seeds", "2", "--workers", "1", "--until", "1918-01-31"]
    first = runner.invoke(app, [*args, "--store", str(store)], env={"COLUMNS": "80"})
    assert first.exit_code == 0, first.output
    assert "2 run now, 0 already stored" in one_line(first.stderr)
    text = first.stdout
    assert "after the horizon" in text and "not modelled yet" not in text
    assert "⚠ 2 runs" in text and "too few" in one_line(text)
    assert all(len(line.encode()) <= 80 for line in text.splitlines()) and "…" not in text
    again = runner.invoke(app, [*args, "--store", str(store), "--format", "csv"])
    assert again.exit_code == 0 and "0 run now, 2 already stored" in one_line(again.stderr)
    assert again.stdout.splitlines()[0].startswith("id,quantity,when,essay,model (median),p10,p90")


def test_targets_of_one_run_say_hit_or_miss_and_show_no_range(tmp_path):
    args = ["targets", "--seeds", "1", "--until", "1918-01-31", "--store", str(tmp_path)]
    r = invoke(*args, "--format", "csv")
    assert r.exit_code == 0, r.output
    head, *rows = r.stdout.splitlines()
    assert head == "id,quantity,when,essay,model,hit,role"
    verdicts = {row.split(",")[0]: row.rsplit(",", 2)[1] for row in rows}
    assert verdicts["T28"] in ("hit", "miss") and verdicts["T01"] == ""  # after the horizon
    r = invoke(*args)
    assert "1 run (hit or miss)" in r.stdout and "p10" not in r.stdout and "median" not in r.stdout
    assert " hit" in r.stdout and "too few" not in r.stdout


@pytest.mark.parametrize("command", ["run", "targets"])
def test_a_horizon_past_the_scenarios_end_is_refused_with_the_allowed_range(tmp_path, command):
    r = invoke(command, "--until", "1935-01-01", "--store" if command == "targets" else "--out",
               str(tmp_path / "x"))  # fmt: skip
    assert r.exit_code == 2
    assert "until: got '1935-01-01'" in one_line(r.stderr)
    assert "up to 1929-12-31" in one_line(r.stderr)
    assert not (tmp_path / "x").exists()


def test_targets_refuses_an_empty_ensemble():
    result = invoke("targets", "--seeds", "0")
    assert result.exit_code == 2
    assert "seeds: got 0" in one_line(result.stderr)
