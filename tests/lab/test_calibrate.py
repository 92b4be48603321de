"""Calibration: a toy ABC-SMC fit (one parameter, two generations, a population of eight, a
target inside a short horizon); emergent targets are never fitted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.lab.conftest import COARSE, SCALE_ARGS, cli, said
from thermidor.lab.calibrate import choose_targets
from thermidor.lab.errors import LabError
from thermidor.model.run import run
from thermidor.model.targets import calibrated_by, load_targets

UNTIL = "1917-09-30"  # T27: the Petrograd soviet won over, 1917-09


def test_a_toy_fit_saves_its_posterior_and_checks(tmp_path: Path) -> None:
    r = cli(
        "calibrate",
        "--params",
        "consciousness.grievance_rate",
        "--populations",
        "8",
        "--generations",
        "2",
        "--until",
        UNTIL,
        *SCALE_ARGS,
        "--check-seeds",
        "2",
        "--workers",
        "2",
        "--json",
        "--store",
        str(tmp_path / "runs"),
        "--posterior-out",
        str(tmp_path / "fit.parquet"),
    )
    assert r.exit_code == 0, r.output
    fit = json.loads(r.stdout)  # the data alone: what was saved is said on stderr
    assert said(r.stderr, f"saved as {fit['analysis']}")
    assert fit["targets"] == ["T27"] and fit["sampler"] == "multicore (2 processes)"
    (param,) = fit["params"]
    assert param["param"] == "consciousness.grievance_rate"
    assert 0.0 <= param["q05"] <= param["median"] <= param["q95"] <= 10.0
    assert {c["stage"] for c in fit["checks"]} == {"before", "after", "predictive"}
    assert fit["simulations"] >= 16
    from thermidor.lab.store import Store

    store = Store(tmp_path / "runs")
    posterior = store.analysis("posterior", fit["analysis"])
    assert len(posterior) == 8 and posterior["weight"].sum() == pytest.approx(1.0)
    assert set(store.tables()) >= {"fits", "posterior", "fit_checks"}
    store.db.unlink()
    store.rebuild()  # the posterior is in the files too
    assert len(store.analysis("posterior", fit["analysis"])) == 8

    # --posterior-out: the table ensembles draw from, the same as the store's long one
    from thermidor.lab.uncertainty import read_posterior

    wide = read_posterior(tmp_path / "fit.parquet")
    long = read_posterior(
        tmp_path / "runs" / "analyses" / "posterior" / f"{fit['analysis']}.parquet"
    )
    assert wide.names == long.names == ("consciousness.grievance_rate",) and wide.rows == 8
    assert wide.values.tolist() == long.values.tolist()
    assert wide.weights.tolist() == pytest.approx(long.weights.tolist())
    again = cli("calibrate", "--params", "consciousness.grievance_rate", "--until", UNTIL,
                "--store", str(tmp_path / "runs"), "--posterior-out", str(tmp_path / "fit.parquet"))  # fmt: skip
    assert again.exit_code == 2 and said(again.output, "does not exist yet (or --force)")
    r = cli("ensemble", "baseline", "--seeds", "2", "--until", "1917-04-30", *SCALE_ARGS,
            "--workers", "1", "--store", str(tmp_path / "runs"),
            "--posterior", str(tmp_path / "fit.parquet"))  # fmt: skip
    assert r.exit_code == 0 and said(r.output, "uncertainty: posterior (2 draws from fit.parquet")


def test_emergent_targets_are_never_fitted() -> None:
    probe = run("baseline", 0, COARSE, until=dt.date(1918, 12, 31))
    emergent = {t.id for t in load_targets() if not calibrated_by(t.id)}
    used, _ = choose_targets(["consciousness.grievance_rate"], probe, all_calibrated=True)
    assert used and not {t.id for t in used} & emergent
    assert all(calibrated_by(t.id) for t in used)
    some = sorted(emergent)[0]
    with pytest.raises(LabError, match="emergent targets are never fitted"):
        choose_targets(["consciousness.grievance_rate"], probe, only=[some])


EMERGENT = sorted(t.id for t in load_targets() if not calibrated_by(t.id))[0]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--params", "consciousness.grievance_rat"], "did you mean"),
        (["--params", "consciousness.grievance_rate", "--target", EMERGENT], "emergent"),
        (["--params", "consciousness.grievance_rate", "--populations", "1"], "population: got 1"),
        (["--params", "consciousness.contagion", "--until", "1917-06-30"], "calibrated_with"),
    ],
)
def test_calibrate_rejects_bad_input(args: list[str], says: str, tmp_path: Path) -> None:
    r = cli(
        "calibrate",
        *args,
        *SCALE_ARGS,
        "--check-seeds",
        "1",
        "--store",
        str(tmp_path),
        *([] if "--until" in args else ["--until", UNTIL]),
    )
    assert r.exit_code == 2 and said(r.output, says), r.output
    assert not (tmp_path / "analyses").exists()
