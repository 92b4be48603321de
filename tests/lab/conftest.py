"""Fixtures for the lab: coarse, short runs; a store in a temporary directory; a real Dask
LocalCluster; the ``thermidor`` command line, in this process or as a subprocess.

A run's content key includes the hash of the package's source, and a worker refuses to run code
other than its coordinator's. Tests in which several processes must agree on the code (a killed
and restarted ensemble, a Dask cluster) therefore run a snapshot of the source taken at the start
of the session, so that edits made to the tree while the tests run cannot split them.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

import thermidor as thermidor_package
from thermidor.cli import app
from thermidor.lab.store import Store

COARSE = {"households": 5000, "workers": 1000, "soldiers": 2000, "members": 100, "officials": 1000}
SCALE_ARGS = [arg for k, v in COARSE.items() for arg in ("--scale", f"{k}={v}")]
VERY_COARSE_ARGS = [arg for k, v in COARSE.items() for arg in ("--scale", f"{k}={20 * v}")]
SHORT = "1917-11-30"  # ~40 weekly steps: the soviets won over, the insurrection
TINY = "1917-03-15"  # two steps: for analyses that need hundreds of runs
THERMIDOR = str(Path(sys.executable).with_name("thermidor"))


@pytest.fixture
def store(tmp_path: Path) -> Store:
    return Store(tmp_path / "runs", lock_timeout=1.0)


@pytest.fixture(scope="session")
def frozen(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment of a subprocess that runs a snapshot of the package's source."""
    root = tmp_path_factory.mktemp("frozen")
    shutil.copytree(
        Path(thermidor_package.__file__).parent,
        root / "thermidor",
        ignore=shutil.ignore_patterns("__pycache__"),
    )
    return {
        **os.environ,
        "PYTHONPATH": str(root),
        "THERMIDOR_LOCK_TIMEOUT": "1",
        "COLUMNS": "400",
    }


# The lab's own Dask executor without a scheduler starts
# LocalCluster(n_workers=2, threads_per_worker=1, processes=True): serve its address.
CLUSTER = """
import sys
from thermidor.lab.executors import Dask
with Dask(scheduler=None, workers=2) as ex:
    print(ex.client.scheduler.address, ex.workers, flush=True)
    sys.stdin.read()
"""


@pytest.fixture(scope="module")
def dask_scheduler(frozen: dict[str, str]) -> Iterator[str]:
    """The address of a real LocalCluster (two worker processes, one thread each) running the
    snapshot of the source; it stops when the module's tests are done."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CLUSTER],
        env=frozen,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None and proc.stdin is not None
    try:
        address, workers = proc.stdout.readline().split()
        assert address.startswith("tcp://") and workers == "2", address
        yield address
    finally:
        proc.stdin.close()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def said(output: str, text: str) -> bool:
    """Whether ``output`` contains ``text``, however the console wrapped its lines."""
    return "".join(text.split()) in "".join(output.split())


def cli(*args: str, lock_timeout: float = 1.0) -> Result:
    """Run ``thermidor ARGS`` in this process (the real application, its real exit code)."""
    env = {"THERMIDOR_LOCK_TIMEOUT": str(lock_timeout), "COLUMNS": "400"}
    return CliRunner().invoke(app, list(args), env=env)


def thermidor(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``thermidor`` command as a separate process in ``env`` (see ``frozen``)."""
    return subprocess.run([THERMIDOR, *args], capture_output=True, text=True, env=env, timeout=300)


def python(env: dict[str, str], code: str) -> str:
    """Run Python code in a separate process in ``env``; return what it prints."""
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300
    )
    assert out.returncode == 0, out.stderr
    return out.stdout
