"""This code against an earlier commit, run at the same time, each pinned to one core.

    python -m benchmarks.paired --base REV [--rounds 12] [--runs 2] [--until DATE]
                                [--scale N] [--backend numba|numpy] [--json OUT]

This VM's speed moves by a third from minute to minute, so two versions timed one after the other
compare the minutes as much as the code. Here both run at once, each in a process of its own
pinned to one of two cores (``taskset``; one numba thread each), and swap cores every round; each
process times ``--runs`` baseline runs (``thermidor.run``, seed 0: the default scales, or every
population at ``--scale``, ``--scale 1`` being one agent per person and household) after a
warm-up, and every pair (the i-th run of each in one round) gives a ratio new / base, after an
untimed round (one run of each, as timed) in which the kernels compile into numba's disk cache.
The table gives each pair, and the median and range of the ratios; the header (and ``--json``)
the machine (``lscpu``'s model name), both commits and the backend each side ran.

The earlier commit is checked out into a temporary git worktree (removed at the end) and imported
from there; both use this environment's packages. The child script calls ``thermidor.run`` with
only the arguments every version accepts (``seed``, ``scale``, ``until``) and passes ``backend=``
where ``run`` takes it; a version without it (before issue 16) chose its kernels by the
``THERMIDOR_KERNELS`` variable at import, set here only when the backend is not its default,
numba.

A whole full-scale run takes minutes on one core (the two at once need twice its memory):
``--scale 1 --rounds 2 --runs 1`` is one untimed and two timed runs of each.
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
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import machine

ROOT = Path(__file__).resolve().parent.parent

CHILD = """
import inspect, json, os, resource, sys, time
until, runs, scale, backend = sys.argv[1] or None, int(sys.argv[2]), sys.argv[3], sys.argv[4]
scale = int(scale) if scale else None
if backend != "numba":  # a version before issue 16 reads its kernels' backend at import
    os.environ["THERMIDOR_KERNELS"] = backend
import thermidor
kw = {}
if "backend" in inspect.signature(thermidor.run).parameters:
    kw["backend"] = backend
    def ran(r): return r.manifest["backend"]
else:
    from thermidor.engine import kernels
    def ran(r): return kernels.backend
r = thermidor.run("baseline", seed=0, until="1917-06-01", **kw)  # warm-up: imports, caches
times = []
for _ in range(runs):
    t = time.perf_counter()
    r = thermidor.run("baseline", seed=0, scale=scale, until=until, **kw)
    times.append(time.perf_counter() - t)
print(json.dumps({"times": times, "backend": ran(r), "steps": int(r.dates.size),
                  "scales": r.manifest["scales"], "thermidor": thermidor.__file__,
                  "peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024}))
"""


def _child(
    src: Path, core: int | None, until: str, runs: int, scale: str, backend: str
) -> subprocess.Popen[str]:
    env = dict(os.environ, PYTHONPATH=str(src), NUMBA_NUM_THREADS="1")
    env.pop("THERMIDOR_KERNELS", None)  # the child sets it where (and only where) it is needed
    pin = ["taskset", "-c", str(core)] if core is not None else []
    cmd = [*pin, sys.executable, "-c", CHILD, until, str(runs), scale, backend]
    return subprocess.Popen(cmd, env=env, cwd=src.parent, stdout=subprocess.PIPE, text=True)


def _result(proc: subprocess.Popen[str], side: str) -> dict[str, Any]:
    out = proc.communicate()[0]
    if proc.returncode != 0:
        raise SystemExit(f"the {side} child failed (exit {proc.returncode}); its errors are above")
    result: dict[str, Any] = json.loads(out.strip().splitlines()[-1])
    return result


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True,
                          check=True).stdout.strip()  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True, help="the commit to compare against")
    ap.add_argument("--rounds", type=int, default=12)
    ap.add_argument("--runs", type=int, default=2, help="timed runs per process and round")
    ap.add_argument("--until", default="", help="stop the runs at this date (default: the end)")
    ap.add_argument("--scale", type=int, default=None, metavar="N",
                    help="every population at N persons per agent (1: full scale; default: "
                         "the default scales)")  # fmt: skip
    ap.add_argument("--backend", choices=["numba", "numpy"], default="numba")
    ap.add_argument("--json", type=Path, help="also write the results here")
    a = ap.parse_args(argv)
    scale = "" if a.scale is None else str(a.scale)
    pin = shutil.which("taskset") is not None and (os.cpu_count() or 1) >= 2
    described = machine.describe()
    dirty = bool(_git("status", "--porcelain", "--", "src"))
    report: dict[str, Any] = {
        "command": " ".join(["python", "-m", "benchmarks.paired", *(argv or sys.argv[1:])]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": described,
        "pinned": pin,
        "base": {"rev": a.base, "commit": _git("rev-parse", a.base)},
        "new": {"tree": str(ROOT), "commit": _git("rev-parse", "HEAD"), "src_dirty": dirty},
        "scale": a.scale or "default",
        "until": a.until or None,
        "backend": a.backend,
        "rounds": [],
    }
    tmp = Path(tempfile.mkdtemp(prefix="thermidor-paired-"))
    tree = tmp / "base"
    subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree),
                    a.base], check=True)  # fmt: skip
    sides = {"base": tree / "src", "new": ROOT / "src"}
    ratios: list[float] = []
    try:
        print(f"machine: {described['cpu']}, {described['cores']} cores, load average "
              f"{described['load_average']}")  # fmt: skip
        print(f"base {a.base} ({report['base']['commit'][:12]}) against {ROOT} at "
              f"{report['new']['commit'][:12]}{' with changes to src/' if dirty else ''}; "
              f"scale {report['scale']}, until {a.until or 'the end'}, backend {a.backend}, "
              f"{'pinned' if pin else 'not pinned'}")  # fmt: skip
        # an untimed round first, as timed: the kernels compile into numba's disk cache
        warm = {s: _child(src, None, a.until, 1, scale, a.backend) for s, src in sides.items()}
        for s, p in warm.items():
            got = _result(p, s)
            report[s] |= {k: got[k] for k in ("backend", "steps", "scales", "thermidor")}
            print(f"{s}: {got['thermidor']} ran {got['steps']} steps on {got['backend']}, "
                  f"scales {got['scales']}")  # fmt: skip
        print("round  base (s)          new (s)           new/base")
        for r in range(a.rounds):
            cores = (r % 2, 1 - r % 2) if pin else (None, None)
            procs = {s: _child(src, c, a.until, a.runs, scale, a.backend)
                     for (s, src), c in zip(sides.items(), cores, strict=True)}  # fmt: skip
            got = {s: _result(p, s) for s, p in procs.items()}
            tb, tn = got["base"]["times"], got["new"]["times"]
            pairs = [n / b for b, n in zip(tb, tn, strict=True)]
            ratios += pairs
            report["rounds"].append({
                "cores": {"base": cores[0], "new": cores[1]}, "base_s": tb, "new_s": tn,
                "ratios": pairs, "peak_rss_bytes": {s: got[s]["peak_rss_bytes"] for s in got},
            })  # fmt: skip
            fmt = " ".join
            print(f"{r + 1:5d}  {fmt(f'{x:6.2f}' for x in tb):16s}  "
                  f"{fmt(f'{x:6.2f}' for x in tn):16s}  {fmt(f'{x:.3f}' for x in pairs)}",
                  flush=True)  # fmt: skip
        med = statistics.median(ratios)
        report |= {"median_ratio": med, "ratio_range": [min(ratios), max(ratios)],
                   "pairs": len(ratios)}  # fmt: skip
        rss = {s: max(r["peak_rss_bytes"][s] for r in report["rounds"]) / 2**30 for s in sides}
        print(f"median ratio {med:.3f} over {len(ratios)} pairs (range {min(ratios):.3f}-"
              f"{max(ratios):.3f}): the new code {abs(100 * (med - 1)):.1f}% "
              f"{'slower' if med > 1 else 'faster'} than the base; peak RSS base {rss['base']:.2f} GiB, new {rss['new']:.2f} GiB; "
              f"{described['cpu']}")  # fmt: skip
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                       check=False)  # fmt: skip
        shutil.rmtree(tmp, ignore_errors=True)
    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    if a.json:
        a.json.write_text(json.dumps(report, indent=1) + "\n")
        print(f"written to {a.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
