"""The ``cupy`` kernel backend on a CUDA GPU: is it the same model, and is it faster?

Run on a machine with a GPU (it is not part of the test suite; tests/gpu/ calls ``equivalence``
where a GPU is present):

    python -m benchmarks.gpu [--seeds 30] [--steps 13] [--json OUT]

1. **Equivalence.** The same seeds run on ``numba`` and on ``cupy``. The backends draw the same
   random numbers; they differ only in the order in which the GPU adds floats (atomic additions),
   so a run on ``cupy`` is not byte-identical but must be statistically the same model. For each
   key outcome the paired differences are tested with two one-sided t-tests (the TOST of
   ``benchmarks/equivalence.py``) against these margins, stated here before any run:
   - consolidation of the bureaucracy: 1 month (4.35 weekly steps; runs where it never happens
     count the end of the run);
   - workers' and party democracy averaged over 1927: 0.01 (1% of the index's range);
   - party members and the unemployed at the end of 1927: 1% of the mean.
2. **Kernels at full scale.** ``sum_by`` (households by region), ``total`` (households, masked)
   and ``plurality`` (members by cell) on arrays of the full-scale sizes, on numpy, numba and cupy
   (the cupy times include copying the columns to the GPU and the result back).
3. **A full-scale run.** The baseline at scale 1 for every population, ``--steps`` weeks on each
   backend, with the time to build the world; s/step and the whole run extrapolated from it.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import multiprocessing as mp
import os
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.tost import tost
from thermidor.engine import Calendar, Hook

MARGINS: dict[str, tuple[str, float]] = {
    "consolidation_step": ("absolute", 365.25 / 12 / 7),
    "workers_democracy_1927": ("absolute", 0.01),
    "party_democracy_1927": ("absolute", 0.01),
    "party_members_1927": ("relative", 0.01),
    "unemployed_1927": ("relative", 0.01),
}


def outcomes(backend: str, seed: int, scale: dict[str, int] | None) -> dict[str, float]:
    import thermidor

    r = thermidor.run("baseline", seed=seed, scale=scale, backend=backend)
    df = r.indicators
    y27 = r.dates.astype("datetime64[Y]").astype(int) + 1970 == 1927
    cons = [e.step for e in r.events if e.kind == "bureaucracy_consolidated"]
    end27 = int(np.flatnonzero(y27)[-1])
    return {
        "consolidation_step": float(cons[0] if cons else len(r.dates)),
        "workers_democracy_1927": float(df["workers_democracy"].to_numpy()[y27].mean()),
        "party_democracy_1927": float(df["party_democracy"].to_numpy()[y27].mean()),
        "party_members_1927": float(df["party_members"].to_numpy()[end27]),
        "unemployed_1927": float(df["unemployed"].to_numpy()[end27]),
    }


def _job(args: tuple[str, int, dict[str, int] | None]) -> dict[str, float]:
    return outcomes(*args)


def equivalence(seeds: int, processes: int, scale: dict[str, int] | None = None) -> list[Any]:
    """Paired TOST, numba against cupy, over ``seeds`` seeds (default scales unless given)."""
    jobs = [(b, s, scale) for s in range(seeds) for b in ("numba", "cupy")]
    with mp.get_context("spawn").Pool(processes) as pool:
        res = pool.map(_job, jobs)
    ours = {k: np.array([r[k] for r in res[0::2]]) for k in MARGINS}
    gpu = {k: np.array([r[k] for r in res[1::2]]) for k in MARGINS}
    return [tost(k, ours[k], gpu[k], MARGINS) for k in MARGINS]


def _best(fn: Any, repeat: int = 5) -> float:
    fn()
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def kernel_times(n_households: int, n_members: int, n_cells: int) -> list[dict[str, Any]]:
    """The backends' operations (``thermidor.engine.ops()``) on arrays of these sizes."""
    from thermidor.engine import ops, using
    from thermidor.model.run import load_backend

    rng = np.random.default_rng(0)
    region = rng.integers(0, 60, n_households).astype(np.int8)
    w_h = rng.integers(1, 3, n_households).astype(np.int64)
    values = rng.random(n_households).astype(np.float32)
    mask = rng.random(n_households) < 0.5
    cell = rng.integers(0, n_cells, n_members).astype(np.int32)
    faction = rng.integers(0, 5, n_members).astype(np.int8)
    w_m = np.ones(n_members, dtype=np.int64)
    cases = {
        "sum_by (households by region, values, mask)":
            lambda: ops().sum_by(region, w_h, values, mask, 60),
        "total (households, masked)": lambda: ops().total(w_h, mask),
        "plurality (members by cell)": lambda: ops().plurality(cell, faction, w_m, n_cells, 5),
    }  # fmt: skip
    rows = []
    for name, fn in cases.items():
        row: dict[str, Any] = {"kernel": name}
        for b in ("numpy", "numba", "cupy"):
            with using(load_backend(b)):
                row[b] = _best(fn)
        rows.append(row)
    return rows


class _Started(Hook):
    """Notes when the first mechanism starts (the world is built) and the agents then."""

    def __init__(self) -> None:
        self.at = 0.0
        self.agents: dict[str, int] = {}

    def before(self, name: str, ctx: Any, state: Any) -> None:
        if not self.agents:
            self.at = time.perf_counter()
            self.agents = {k: getattr(state, k).n for k in ("households", "workers", "soldiers",
                                                            "members", "officials")}  # fmt: skip


def full_scale(steps: int, backend: str, scale: int = 1) -> dict[str, Any]:
    """The baseline at ``scale`` (1: full), its first ``steps`` weeks (``run(..., until=)``)."""
    import thermidor

    sc = thermidor.load("baseline")
    until = sc.start + dt.timedelta(days=sc.step_days * (max(steps, 2) - 1))  # ``steps`` steps
    started = _Started()
    t0 = time.perf_counter()
    r = thermidor.run(sc, 0, scale, until=until, backend=backend, hooks=(started,))
    t1 = time.perf_counter()
    built, ran, done = started.at - t0, t1 - started.at, int(r.dates.size)
    n_steps = Calendar(sc.start, sc.end, sc.step_days).n_steps
    return {
        "backend": r.manifest["backend"], "scales": r.manifest["scales"],
        "agents": started.agents, "build_s": built, "steps": done, "run_s": ran,
        "s_per_step": ran / done, "whole_run_estimate_s": built + ran / done * n_steps,
        "n_steps": n_steps,
    }  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--processes", type=int, default=max(1, (os.cpu_count() or 2) - 1))
    ap.add_argument("--steps", type=int, default=13, help="weeks of the full-scale run")
    ap.add_argument("--skip", nargs="*", default=[], choices=["equivalence", "kernels", "full"])
    ap.add_argument("--json", type=Path)
    a = ap.parse_args()
    import cupy

    props = cupy.cuda.runtime.getDeviceProperties(0)
    out: dict[str, Any] = {"device": props["name"].decode(), "date": dt.date.today().isoformat(),
                           "cpus": os.cpu_count()}  # fmt: skip
    print(f"device: {out['device']}; CPUs: {out['cpus']}", flush=True)
    if "equivalence" not in a.skip:
        t = time.perf_counter()
        rows = equivalence(a.seeds, a.processes)
        out["equivalence"] = [{**r.__dict__, "equivalent": r.equivalent} for r in rows]
        print(f"\n== equivalence, numba vs cupy, {a.seeds} paired seeds "
              f"({time.perf_counter() - t:.0f} s)")  # fmt: skip
        for r in rows:
            ok = "equivalent" if r.equivalent else "NOT shown"
            print(f"{r.output:26s} numba {r.numpy_mean:12.4f} cupy {r.mesa_mean:12.4f} "
                  f"diff 90% CI [{r.ci_low:+.4g}, {r.ci_high:+.4g}] margin {r.margin:.4g} "
                  f"p {r.p_value:.1e} {ok}", flush=True)  # fmt: skip
    if "kernels" not in a.skip:
        rows_k = kernel_times(21_000_000, 1_300_000, 19_921)
        out["kernels"] = rows_k
        print("\n== kernels at full-scale sizes (best of 5, seconds)")
        for r in rows_k:
            print(
                f"{r['kernel']:45s} numpy {r['numpy']:.4f} numba {r['numba']:.4f} "
                f"cupy {r['cupy']:.4f}  (numpy/cupy {r['numpy'] / r['cupy']:.1f}x)",
                flush=True,
            )
    if "full" not in a.skip:
        out["full_scale"] = []
        for b in ("numba", "cupy"):
            res = full_scale(a.steps, b)
            out["full_scale"].append(res)
            print(
                f"\n== full scale on {b}: agents {res['agents']}; world built in "
                f"{res['build_s']:.1f} s; {res['steps']} weeks in {res['run_s']:.1f} s "
                f"({res['s_per_step']:.2f} s/week); whole run about "
                f"{res['whole_run_estimate_s'] / 60:.0f} min (extrapolated)",
                flush=True,
            )
    if a.json:
        a.json.write_text(json.dumps(out, indent=1, default=str))
    ok = all(r["equivalent"] for r in out.get("equivalence", []))
    return 0 if ok or "equivalence" in a.skip else 1


if __name__ == "__main__":
    raise SystemExit(main())
