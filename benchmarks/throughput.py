"""Ensemble throughput: runs per hour on local workers, at the ensemble scale and the default.

    python -m benchmarks.throughput [--runs 16] [--workers 2] [--until 1929-12-31] [--json FILE]

Runs the baseline ``--runs`` times (seeds ``seeds_for(runs, 0)``) at the ``ensemble`` scale and
then at the default scale, each set on the lab's local executor (``--workers`` processes forked
from this one, after one warm-up run here so that the numba compile is not timed). For each
scale it gives the wall time of the set, the runs per hour that makes, and the median CPU
seconds of one run in its worker (``time.process_time``); then the ratios ensemble / default.
The machine (benchmarks/machine.py) is named with its load average before and after: on a
shared machine the wall-clock figures are as noisy as the load, the CPU seconds less so, and
``cpu_bound_runs_per_hour`` (workers x 3600 / median CPU seconds) is what the same code makes
on the same cores when nothing else runs on them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path
from typing import Any

from benchmarks.machine import describe
from thermidor.lab.ensemble import seeds_for
from thermidor.lab.executors import Local
from thermidor.model.run import resolve_scales, run

SCALES = ("ensemble", "default")


def _one(job: tuple[str, int, str | None]) -> tuple[float, float]:
    scale, seed, until = job
    t0, c0 = time.perf_counter(), time.process_time()
    run("baseline", seed, scale, until=until)
    return time.perf_counter() - t0, time.process_time() - c0


def measure(runs: int, workers: int, until: str | None = None) -> dict[str, Any]:
    """Time ``runs`` runs at each scale of :data:`SCALES` on ``workers`` local processes."""
    run("baseline", 0, "ensemble", until="1917-04-01")  # compile and load here, before the fork
    out: dict[str, Any] = {"machine": describe(), "runs": runs, "workers": workers,
                           "until": until, "scales": {}}  # fmt: skip
    seeds = seeds_for(runs, 0)
    for scale in SCALES:
        jobs = [(scale, s, until) for s in seeds]
        t0 = time.perf_counter()
        with Local(workers) as ex:
            per = [r for _, r in ex.map_unordered(_one, jobs)]
        wall = time.perf_counter() - t0
        cpu = statistics.median(c for _, c in per)
        out["scales"][scale] = {
            "persons_per_agent": resolve_scales(scale),
            "wall_s": round(wall, 2),
            "runs_per_hour": round(runs * 3600 / wall),
            "median_run_wall_s": round(statistics.median(w for w, _ in per), 3),
            "median_run_cpu_s": round(cpu, 3),
            "cpu_bound_runs_per_hour": round(workers * 3600 / cpu),
        }
    e, d = out["scales"]["ensemble"], out["scales"]["default"]
    out["ratio_runs_per_hour"] = round(e["runs_per_hour"] / d["runs_per_hour"], 2)
    out["ratio_cpu_per_run"] = round(d["median_run_cpu_s"] / e["median_run_cpu_s"], 2)
    out["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=16)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--until", default=None, help="stop each run at this date (YYYY-MM-DD)")
    ap.add_argument("--json", type=Path, default=None, help="write the figures here")
    a = ap.parse_args()
    out = measure(a.runs, a.workers, a.until)
    m = out["machine"]
    print(f"{m['cpu']}, {m['cores']} cores; load average {m['load_average']} before, "
          f"{out['load_average_after']} after (a shared machine: wall times are noisy)")  # fmt: skip
    print(f"{'scale':<10}{'wall s':>9}{'runs/h':>9}{'run s':>8}{'CPU s':>8}{'CPU-bound/h':>13}")
    for name, s in out["scales"].items():
        print(f"{name:<10}{s['wall_s']:>9}{s['runs_per_hour']:>9}{s['median_run_wall_s']:>8}"
              f"{s['median_run_cpu_s']:>8}{s['cpu_bound_runs_per_hour']:>13}")  # fmt: skip
    print(f"ensemble / default: {out['ratio_runs_per_hour']}x runs per hour, "
          f"{out['ratio_cpu_per_run']}x less CPU per run")  # fmt: skip
    if a.json is not None:
        if a.json.exists():
            raise SystemExit(f"{a.json}: exists; choose another file")
        tmp = a.json.with_suffix(".tmp")
        tmp.write_text(json.dumps(out, indent=2) + "\n")
        tmp.replace(a.json)


if __name__ == "__main__":
    main()
