"""Ensembles over what we do not know: each member's draw (prior or posterior) comes from its own
stream of the root, is the same in every scenario, gives way to a scenario's own value, enters
the content key and the manifest; every output names its uncertainty source; a posterior is
refused in one line while none ships."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tests.lab.conftest import COARSE, SCALE_ARGS, cli, said
from thermidor.lab.compare import compare
from thermidor.lab.ensemble import ensemble, plan, rerun, seeds_for
from thermidor.lab.errors import LabError
from thermidor.lab.store import Store
from thermidor.lab.uncertainty import (
    Uncertainty,
    default_source,
    read_posterior,
    resolve,
    shipped_posterior,
    write_posterior,
)
from thermidor.model.params import BY_NAME, CALIBRATED

UNTIL = "1917-06-30"
OWN = {"extends": "baseline", "meta": {"title": "own ban readiness"},
       "params": {"parties.ban_readiness": 0.3}}  # fmt: skip


def posterior_table(tmp_path: Path, weights: list[float], name: str = "post.parquet") -> Path:
    """A small posterior: three rows of two calibrated parameters, with these weights."""
    frame = pd.DataFrame(
        {
            "parties.ban_readiness": [0.2, 0.5, 0.9],
            "kronstadt.threshold": [0.3, 0.4, 0.6],
            "weight": weights,
        }
    )
    return write_posterior(frame, tmp_path / name)


# -- draws (nothing runs) ---------------------------------------------------------------------
def test_prior_draws_every_calibrated_parameter_within_its_range_from_the_root() -> None:
    u = resolve("prior", root=7)
    draws = [u.draw(k)[0] for k in range(6)]
    assert all(set(d) == {p.name for p in CALIBRATED} for d in draws)
    assert len(CALIBRATED) >= 10 and all(p.calibrated_for for p in CALIBRATED)
    assert not any(p.cls == "definition" for p in CALIBRATED)  # what defines an outcome stays
    for d in draws:
        for n, v in d.items():
            assert BY_NAME[n].lo <= v <= BY_NAME[n].hi
    assert draws[0] != draws[1]  # members differ
    assert resolve("prior", root=7).draw(3) == u.draw(3)  # reproducible
    assert resolve("prior", root=8).draw(3) != u.draw(3)  # another root, other draws
    # uniform over the range: the mean of many draws of one parameter is near its middle
    p = BY_NAME["party.fear"]
    many = np.array([u.draw(k)[0][p.name] for k in range(400)])
    assert abs(many.mean() - (p.lo + p.hi) / 2) < 0.05 * (p.hi - p.lo)


def test_a_members_draw_depends_on_its_index_not_its_seed_or_the_ensembles_size() -> None:
    u = resolve("prior", root=3)
    small = plan("baseline", seeds_for(2, 3), COARSE, UNTIL, uncertainty=u)
    large = plan("baseline", seeds_for(4, 3), COARSE, UNTIL, uncertainty=u)
    other_seeds = plan("baseline", [11, 12], COARSE, UNTIL, uncertainty=u)
    assert small.draws == large.draws[:2] == other_seeds.draws
    assert small.keys == large.keys[:2]
    assert other_seeds.keys != small.keys  # the seeds still enter the key


def test_member_k_gets_the_same_draw_in_every_scenario_and_a_scenario_overrides_it() -> None:
    u = resolve("prior", root=0)
    seeds = seeds_for(3, 0)
    base = plan("baseline", seeds, COARSE, UNTIL, uncertainty=u)
    own = plan(OWN, seeds, COARSE, UNTIL, uncertainty=u)
    assert own.seeds == base.seeds
    for k in range(3):
        b, o = base.members[k].params, own.members[k].params
        assert o["parties.ban_readiness"] == 0.3  # the scenario's value, not the draw
        assert b["parties.ban_readiness"] == base.draws[k]["draw"]["parties.ban_readiness"]
        assert b["parties.ban_readiness"] != 0.3
        rest = set(b) - {"parties.ban_readiness"}
        assert {n: b[n] for n in rest} == {n: o[n] for n in rest}  # the same draw otherwise
        assert own.draws[k]["overridden"] == {"parties.ban_readiness": 0.3}
        assert "parties.ban_readiness" not in own.draws[k]["draw"]
        assert base.draws[k]["overridden"] == {}


def test_drawn_values_enter_the_key_and_seed_keeps_the_old_keys() -> None:
    seeds = seeds_for(2, 0)
    plain = plan("baseline", seeds, COARSE, UNTIL)
    seed = plan("baseline", seeds, COARSE, UNTIL, uncertainty=resolve("seed"))
    prior = plan("baseline", seeds, COARSE, UNTIL, uncertainty=resolve("prior"))
    assert seed.keys == plain.keys  # runs stored before --uncertainty are reused
    assert not set(prior.keys) & set(plain.keys)
    assert prior.members[0].to_dict()["params"] != plain.scenario.to_dict()["params"]
    assert seed.uncertainty["source"] == "seed" and seed.draws[0] == {
        "source": "seed",
        "root": 0,
        "member": 0,
    }


def test_no_posterior_ships_yet_so_the_default_is_seed_and_posterior_is_refused() -> None:
    assert shipped_posterior() is None  # the fit (issue 18, item 1) is not made yet
    assert default_source() == "seed" and resolve().source == "seed"
    with pytest.raises(LabError) as e:
        resolve("posterior")
    assert "no posterior is shipped" in str(e.value) and "thermidor calibrate" in str(e.value)
    with pytest.raises(LabError, match="one of seed, prior, posterior"):
        resolve("priors")


def test_posterior_rows_are_drawn_by_weight(tmp_path: Path) -> None:
    only_middle = resolve("posterior", posterior_table(tmp_path, [0.0, 1.0, 0.0]))
    for k in range(5):
        draw, row = only_middle.draw(k)
        assert row == 1 and draw == {"parties.ban_readiness": 0.5, "kronstadt.threshold": 0.4}
    u = resolve(None, posterior_table(tmp_path, [1.0, 3.0, 0.0], "b.parquet"), root=2)
    assert u.source == "posterior"  # --posterior alone implies it
    rows = [u.draw(k)[1] for k in range(400)]
    assert 2 not in rows and 0.18 < rows.count(0) / 400 < 0.32  # weight 1 of 4
    assert [u.draw(k) for k in range(5)] == [u.draw(k) for k in range(5)]
    assert u.describe(4)["posterior"]["rows"] == 3
    assert u.label(4).startswith("uncertainty: posterior (4 draws from b.parquet")


def test_calibrates_long_table_reads_as_the_same_posterior(tmp_path: Path) -> None:
    wide = read_posterior(posterior_table(tmp_path, [0.2, 0.3, 0.5]))
    long = pd.DataFrame(
        [
            {
                "analysis": "fit-0",
                "particle": i,
                "weight": w,
                "param": n,
                "value": float(wide.values[i, j]),
            }
            for i, w in enumerate([0.2, 0.3, 0.5])
            for j, n in enumerate(wide.names)
        ]
    )  # what calibrate saves under STORE/analyses/posterior/
    long.to_parquet(tmp_path / "long.parquet")
    again = read_posterior(tmp_path / "long.parquet")
    by_name = dict(zip(again.names, again.values.T, strict=True))
    for j, n in enumerate(wide.names):
        assert by_name[n].tolist() == wide.values[:, j].tolist()
    assert again.weights.tolist() == pytest.approx(wide.weights.tolist())


@pytest.mark.parametrize(
    ("column", "values", "says"),
    [
        ("parties.ban_readines", [0.1, 0.2, 0.3], "parties.ban_readiness"),  # a typo
        ("parties.ban_readiness", [0.1, 2.0, 0.3], "posterior[1].parties.ban_readiness"),
        ("weight", [0.1, -1.0, 0.3], "posterior.weight[1]"),
        ("weight", [0.0, 0.0, 0.0], "sum to more than 0"),
    ],
)
def test_a_bad_posterior_table_names_what_is_wrong(
    tmp_path: Path, column: str, values: list[float], says: str
) -> None:
    frame = pd.DataFrame({"kronstadt.threshold": [0.3, 0.4, 0.6], "weight": [1.0, 1.0, 1.0]})
    frame[column] = values
    f = tmp_path / "bad.parquet"
    frame.to_parquet(f)
    with pytest.raises(LabError) as e:
        read_posterior(f)
    assert says in str(e.value)
    with pytest.raises(LabError, match="exist yet"):
        write_posterior(frame, f)  # never over a file without force


# -- runs ---------------------------------------------------------------------------------------
def test_prior_ensemble_records_each_draw_and_reruns_to_the_same_bytes(store: Store) -> None:
    ran = ensemble("baseline", 2, 5, COARSE, UNTIL, store=store, uncertainty="prior")
    assert ran.uncertainty["source"] == "prior" and "uncertainty: prior (2 draws" in repr(ran)
    manifests = [store.load(k).manifest for k in ran.keys]
    for k, m in enumerate(manifests):
        u = m["uncertainty"]
        assert u["source"] == "prior" and u["member"] == k and u["root"] == 5
        assert u["draw"] == Uncertainty("prior", 5).draw(k)[0]
        assert all(m["scenario"]["params"][n] == v for n, v in u["draw"].items())
    assert manifests[0]["uncertainty"]["draw"] != manifests[1]["uncertainty"]["draw"]
    report = rerun(store.path_of(ran.keys[0]) / "manifest.json")
    assert report.identical, report.differences


def test_compare_under_prior_pairs_draws_and_names_its_source(store: Store) -> None:
    out = compare("baseline", [OWN], 2, 0, COARSE, UNTIL, store=store, resamples=100,
                  uncertainty="prior")  # fmt: skip
    assert out["uncertainty"]["source"] == "prior" and out["uncertainty"]["draws"] == 2
    assert "uncertainty: prior (2 draws" in out["uncertainty"]["label"]
    assert "uncertainty: prior" in repr(out) and "uncertainty: prior" in out._repr_html_()
    assert out["bootstrap"]["paired_by"] == "seed and parameter draw"
    assert out["scenarios"][1]["overrides_draws"] == ["parties.ban_readiness"]
    runs = store.runs()
    assert len(runs) == 4
    by = {(r["scenario"], r["seed"]): r["key"] for r in runs.to_dict("records")}
    for seed in seeds_for(2, 0):
        a = store.load(by[("baseline", seed)]).manifest["uncertainty"]
        b = store.load(by[("own ban readiness", seed)]).manifest["uncertainty"]
        assert a["member"] == b["member"]
        assert b["overridden"] == {"parties.ban_readiness": 0.3}
        assert {n: v for n, v in a["draw"].items() if n != "parties.ban_readiness"} == b["draw"]


def test_the_command_line_runs_a_posterior_and_refuses_one_that_is_not_there(
    tmp_path: Path,
) -> None:
    f = posterior_table(tmp_path, [0.0, 1.0, 0.0])
    st = str(tmp_path / "runs")
    common = ["--seeds", "2", "--until", UNTIL, *SCALE_ARGS, "--workers", "1", "--store", st]
    r = cli("ensemble", "baseline", *common, "--posterior", str(f))
    assert r.exit_code == 0, r.output
    assert said(r.output, "uncertainty: posterior (2 draws from post.parquet, 3 rows)")
    for d in Store(st).run_dirs():
        m = json.loads((d / "manifest.json").read_text())
        assert m["uncertainty"]["posterior"]["row"] == 1
        assert m["scenario"]["params"]["parties.ban_readiness"] == 0.5
    r = cli("compare", "baseline", "no_menshevik_ban", *common, "--resamples", "100",
            "--posterior", str(f), "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["uncertainty"]["posterior"]["digest"]
    r = cli("compare", "baseline", "no_menshevik_ban", *common, "--resamples", "100")
    assert r.exit_code == 0, r.output
    assert said(r.output, "uncertainty: seed only (2 seeds")
    before = sorted(p.name for p in Store(st).run_dirs())
    for bad, says in (
        (["--uncertainty", "posterior"], "no posterior is shipped with the model yet"),
        (["--uncertainty", "prior", "--posterior", str(f)], "only with --uncertainty posterior"),
        (["--posterior", str(tmp_path / "none.parquet")], "thermidor calibrate"),
        (["--uncertainty", "chance"], "one of seed, prior, posterior"),
    ):
        for cmd in (["ensemble", "baseline"], ["compare", "baseline", "no_menshevik_ban"]):
            r = cli(*cmd, *common, *bad)
            assert r.exit_code == 2, r.output
            assert said(r.output, says), r.output
    assert sorted(p.name for p in Store(st).run_dirs()) == before  # nothing written


def test_targets_and_report_name_their_uncertainty(tmp_path: Path) -> None:
    f = tmp_path / "short.toml"
    f.write_text(f'extends = "baseline"\n[run]\nend = {UNTIL}\n')
    st = str(tmp_path / "runs")
    r = cli("targets", "--scenario", str(f), "--seeds", "2", "--workers", "1", *SCALE_ARGS,
            "--store", st, "--uncertainty", "prior", "--json")  # fmt: skip
    assert r.exit_code == 0, r.output
    rows = json.loads(r.stdout)
    assert rows and all(x["uncertainty"].startswith("uncertainty: prior (2 draws") for x in rows)
    r = cli("targets", "--scenario", str(f), "--seeds", "2", *SCALE_ARGS, "--store", st)
    assert r.exit_code == 0 and said(r.output, "uncertainty: seed only (2 seeds"), r.output
    r = cli("targets", "--scenario", str(f), "--seeds", "2", "--store", st,
            "--uncertainty", "posterior")  # fmt: skip
    assert r.exit_code == 2 and said(r.output, "no posterior is shipped")
    out = tmp_path / "report.html"
    r = cli("report", "--ensemble", str(f), "--seeds", "2", *SCALE_ARGS, "--workers", "1",
            "--store", st, "--uncertainty", "prior", "-o", str(out))  # fmt: skip
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert "uncertainty: prior (2 draws of" in html
    assert f"Each member drew {len(CALIBRATED)} parameters" in html
    out = tmp_path / "compare.html"
    r = cli("report", "--compare", str(f), "no_menshevik_ban", "--seeds", "2", *SCALE_ARGS,
            "--until", UNTIL, "--workers", "1", "--store", st, "--uncertainty", "prior",
            "-o", str(out))  # fmt: skip
    assert r.exit_code == 0, r.output
    html = out.read_text()
    assert html.count("uncertainty: prior (2 draws of") == 1  # one line for both scenarios
