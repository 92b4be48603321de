"""Dask distributed as an executor: a real LocalCluster (two worker processes, one thread each)
gives the same bytes as one process; an unreachable scheduler is one error line and exit 2."""

from __future__ import annotations

import json
from pathlib import Path

from tests.lab.conftest import SCALE_ARGS, SHORT, cli, said, thermidor
from tests.lab.test_ensemble import run_bytes
from thermidor.lab.store import Store


def test_dask_and_local_give_identical_bytes(
    tmp_path: Path, frozen: dict[str, str], dask_scheduler: str
) -> None:
    common = ["ensemble", "baseline", "--seeds", "4", "--root", "3", "--until", SHORT, *SCALE_ARGS]
    variants = {
        "serial": ["--workers", "1"],
        "scheduler": ["--scheduler", dask_scheduler],
    }
    stores = {}
    for name, extra in variants.items():
        stores[name] = Store(tmp_path / name)
        out = thermidor(frozen, *common, *extra, "--store", str(stores[name].root))
        assert out.returncode == 0, out.stderr
        assert "4 run now" in out.stderr
    keys = {name: sorted(d.name for d in s.run_dirs()) for name, s in stores.items()}
    assert all(k == keys["serial"] for k in keys.values()) and len(keys["serial"]) == 4
    for key in keys["serial"]:
        reference = run_bytes(stores["serial"], key)
        assert run_bytes(stores["scheduler"], key) == reference, key


def test_calibrate_uses_the_dask_sampler_with_a_scheduler(
    tmp_path: Path, frozen: dict[str, str], dask_scheduler: str
) -> None:
    out = thermidor(
        frozen,
        "calibrate",
        "--params",
        "consciousness.grievance_rate",
        "--populations",
        "4",
        "--generations",
        "1",
        "--until",
        "1917-10-31",
        *SCALE_ARGS,
        "--check-seeds",
        "1",
        "--scheduler",
        dask_scheduler,
        "--json",
        "--store",
        str(tmp_path / "runs"),
    )
    assert out.returncode == 0, out.stderr
    fit = json.loads(out.stdout)
    assert fit["sampler"] == f"dask ({dask_scheduler})"
    assert fit["targets"] == ["T27"]
    assert len(Store(tmp_path / "runs").analysis("posterior", fit["analysis"])) == 4


def test_an_unreachable_scheduler_is_one_error_and_exit_2(tmp_path: Path) -> None:
    args = ["compare", "baseline", "no_menshevik_ban", "--seeds", "2"]
    r = cli(*args, "--scheduler", "tcp://127.0.0.1:9", "--store", str(tmp_path / "runs"))
    assert r.exit_code == 2, r.output
    assert said(r.output[:60], "error: scheduler: got 'tcp://127.0.0.1:9'")
    assert said(r.output, "(start one with `dask scheduler`)")
    assert not (tmp_path / "runs").exists()
    r = cli("ensemble", "baseline", "--executor", "local", "--scheduler", "tcp://127.0.0.1:9")
    assert r.exit_code == 2 and said(r.output, "only with the dask executor")
