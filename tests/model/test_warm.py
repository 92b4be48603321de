"""The install's warm step (model/fast/warm.py, engine/accel/warm.py): its list of signatures is
what a run compiles, and compiling it fills numba's disk cache from several processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from thermidor.engine.accel import warm
from thermidor.model.fast.warm import LIST

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}


def test_every_listed_kernel_exists_and_its_signature_reads_back() -> None:
    entries = warm.read_list(LIST)
    assert sum(e.top for e in entries) >= 30  # the default run calls about 38
    for e in entries:
        assert warm.kernel(e.kernel) is not None
        assert warm.signature_text(warm.parse_signature(e.signature)) == e.signature


def test_the_list_holds_exactly_what_a_run_calls() -> None:
    # a fresh process: what it holds after a baseline run to the end (coarse: the same dtypes
    # as the default scale) is what the run called (loaded from the cache), and its callees
    # where the cache was empty (compiled with their callers: listed as nested)
    code = (
        "import json; from tests.support import COARSE; from thermidor.model.run import run\n"
        "from thermidor.model.fast.warm import modules; from thermidor.engine.accel import warm\n"
        "run('baseline', scale=COARSE); print(json.dumps(sorted(warm.held(modules()))))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, env=ENV
    )
    held = {tuple(x) for x in json.loads(out.stdout.splitlines()[-1])}
    listed = {(e.kernel, e.signature) for e in warm.read_list(LIST)}
    top = {(e.kernel, e.signature) for e in warm.read_list(LIST) if e.top}
    assert held <= listed, f"not in kernels.txt (run --record): {sorted(held - listed)}"
    assert top <= held, f"listed but not called: {sorted(top - held)}"


def test_shares_keep_a_kernels_signatures_together_and_balance_the_seconds() -> None:
    e = [
        warm.Entry("m:a", 5.0, True, "(int64,)"),
        warm.Entry("m:a", 1.0, True, "(int8,)"),
        warm.Entry("m:b", 4.0, True, "(int64,)"),
        warm.Entry("m:c", 2.0, True, "(int64,)"),
        warm.Entry("m:d", 9.0, False, "(int64,)"),  # nested: compiled with its caller
    ]
    parts = warm.shares(e, 2)
    assert [sorted({x.kernel for x in p}) for p in parts] == [["m:a"], ["m:b", "m:c"]]
    assert warm.shares(e, 1) == [[e[0], e[1], e[2], e[3]]]


def test_warm_fills_the_cache_on_two_processes_and_a_stale_line_costs_nothing_but_a_word(
    tmp_path: Path,
) -> None:
    listed = tmp_path / "kernels.txt"
    listed.write_text(
        "# two cheap kernels, one a share, and one that no longer exists\n"
        "thermidor.engine.accel.kernels:chunks_of  1.00  top  (int64,)\n"
        "thermidor.model.fast.peasants:_order_key  1.00  top  (uint32,)\n"
        "thermidor.engine.accel.kernels:gone  0.01  top  (int64,)\n"
    )
    cache = tmp_path / "cache"
    out = subprocess.run(
        [sys.executable, "-m", "thermidor.model.fast.warm", "--list", str(listed), "--workers", "2"],
        capture_output=True, text=True, env={**ENV, "NUMBA_CACHE_DIR": str(cache)},
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    assert "kernels:gone" in out.stderr
    for name in ("chunks_of", "_order_key"):
        assert list(cache.rglob(f"*.{name}-*.nbi")), f"{name} not cached: {out.stderr}"
        assert list(cache.rglob(f"*.{name}-*.nbc")), f"{name} not cached: {out.stderr}"
