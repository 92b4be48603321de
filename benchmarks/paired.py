"""This code against an earlier commit, run at the same time, each pinned to one core.

    python -m benchmarks.paired --base 4ebe9b8 [--rounds 12] [--runs 2] [--until 1929-12-31]

This VM's speed moves by a third from minute to minute, so two versions timed one after the other
compare the minutes as much as the code. Here both run at once, each in a process of its own
pinned to one of two cores (``taskset``; one numba thread each), and swap cores every round; each
process times ``--runs`` baseline runs at the default scales after a warm-up, and every pair (the
i-th run of each in one round) gives a ratio new / base, after an untimed round in which the
kernels compile. The table gives each pair, and the
median and range of the ratios. The earlier commit is checked out into a temporary git worktree
(removed at the end) and imported from there; both use this environment's packages.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import json, sys, time, thermidor
until, runs = sys.argv[1] or None, int(sys.argv[2])
thermidor.run("baseline", seed=0, until="1917-06-01")  # warm-up: imports, kernels' caches
times = []
for _ in range(runs):
    t = time.perf_counter()
    thermidor.run("baseline", seed=0, until=until)
    times.append(time.perf_counter() - t)
print(json.dumps(times))
"""


def _child(src: Path, core: int | None, until: str, runs: int) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(src), NUMBA_NUM_THREADS="1")
    pin = ["taskset", "-c", str(core)] if core is not None else []
    cmd = [*pin, sys.executable, "-c", CHILD, until, str(runs)]
    return subprocess.Popen(cmd, env=env, cwd=src.parent, stdout=subprocess.PIPE, text=True)


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True, help="the commit to compare against")
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--runs", type=int, default=2, help="timed runs per process and round")
    ap.add_argument("--until", default="", help="stop the runs at this date (default: 1929)")
    a = ap.parse_args(argv)
    pin = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
    tmp = Path(tempfile.mkdtemp(prefix="thermidor-paired-"))
    tree = tmp / "base"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree),
                    a.base], check=True)  # fmt: skip
    ratios: list[float] = []
    try:
        print(f"base {a.base} against {ROOT} ({'pinned' if pin else 'not pinned'})")
        # an untimed round first: the fresh worktree's kernels compile into numba's disk cache
        for p in [_child(t, None, a.until, 1) for t in (tree / "src", ROOT / "src")]:
            p.communicate()
        print("round  base (s)          new (s)           new/base")
        for r in range(a.rounds):
            cores = (r % 2, 1 - r % 2) if pin else (None, None)
            base = _child(tree / "src", cores[0], a.until, a.runs)
            new = _child(ROOT / "src", cores[1], a.until, a.runs)
            tb, tn = (json.loads(p.communicate()[0]) for p in (base, new))
            pairs = [n / b for b, n in zip(tb, tn, strict=True)]
            ratios += pairs
            fmt = " ".join
            print(f"{r + 1:5d}  {fmt(f'{x:6.2f}' for x in tb):16s}  "
                  f"{fmt(f'{x:6.2f}' for x in tn):16s}  {fmt(f'{x:.3f}' for x in pairs)}")  # fmt: skip
        print(f"median ratio {statistics.median(ratios):.3f} over {len(ratios)} pairs "
              f"(range {min(ratios):.3f}-{max(ratios):.3f})")  # fmt: skip
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
