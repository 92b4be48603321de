"""Speed and memory of the model, and of its fixed core against a Mesa reference (``make bench``).

One run measures, and prints and writes to ``benchmarks/results.json``:

1. the machine: cores, load average, memory, and the memory bandwidth of a large numpy copy
   (the physical limit every other figure can be read against);
2. the model (``scenario baseline``, seed 0, ``--backend``: numba unless told) at a scaled-down
   scale, at the default scales (``thermidor.run("baseline")``, timed whole, then again with the
   hooks of benchmarks/instrument.py) and, with ``--full``, at one agent per person and household
   (or as close as memory allows), stopping itself within the ``--full-budget``: agent-updates
   per second per mechanism and in total (benchmarks/instrument.py states the counting rule),
   peak RSS, bytes per agent;
3. the fixed core (benchmarks/core_spec.py, at least 100,000 agents) run as vectorised numpy,
   with its fused numba kernels (benchmarks/core_kernels.py, the same bytes) and as
   a Mesa 3 model in one process, back to back, over the same steps: time per step and the speed
   ratio of each against Mesa.

Each model run and the core comparison runs in its own child process, so that each peak RSS is
its own. ``python benchmarks/run.py --help`` lists the options.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import machine
from thermidor.engine import Hook

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results.json"
SEED = 0
SCALED_DOWN = {"workers": 1000, "soldiers": 2000, "households": 5000, "members": 100,
               "officials": 1000}  # fmt: skip
"""Ten times coarser than the default scales (``initial.DEFAULT_SCALES``)."""
FULL_BUDGET_S = 480  # the child stops stepping after this; the parent kills it 90 s later
# a full-scale world needs about this much memory per agent, temporaries included (measured:
# households dominate, through the float64 temporaries of M3 grain and support)
FULL_BYTES_PER_HOUSEHOLD = 420
FULL_BYTES_PER_OTHER = 160


class _OutOfTime(Exception):
    pass


# -- children ---------------------------------------------------------------------------------
def model_child(spec: dict[str, Any]) -> dict[str, Any]:
    """Run the baseline once at the given scale, instrumented; optionally time it plain first.

    Both are ``thermidor.run`` (``backend``, default numba); the instrumented one with the
    :class:`~benchmarks.instrument.Instrument` hook and a hook that follows the populations and
    stops the run once the budget is spent."""
    import thermidor
    from benchmarks.instrument import Instrument, row_bytes
    from thermidor.model.run import resolve_scales

    started = time.perf_counter()
    backend, until = spec.get("backend", "numba"), spec.get("until")
    out: dict[str, Any] = {"label": spec["label"], "backend": backend}
    if spec["scale"] == "full":
        avail = machine.meminfo().get("MemAvailable", 8 * 2**30)
        spec["scale"], need = full_scale(avail)
        out["memory_estimate"] = {"needed_bytes": need, "available_bytes": avail}
        if spec["scale"] > 1:
            out["label"] = f"full (as close as memory allows: scale {spec['scale']})"
    if spec.get("plain"):
        t0 = time.perf_counter()
        c0 = time.process_time()
        thermidor.run("baseline", SEED, spec["scale"], until=until, backend=backend)
        out["plain_run"] = {
            "wall_s": time.perf_counter() - t0,
            "cpu_s": time.process_time() - c0,
        }

    out["rss_before_build_bytes"] = machine.rss_now()
    out["scales"] = resolve_scales(spec["scale"])
    budget = spec.get("budget_s")
    inst = Instrument()
    watch = _Watch(inst, started + budget if budget else math.inf)
    t0 = time.perf_counter()
    with inst.counting(), contextlib.suppress(_OutOfTime):  # out of time: what ran is measured
        thermidor.run("baseline", SEED, spec["scale"], until=until, backend=backend,
                      hooks=(inst, watch))  # fmt: skip
    end_wall, end_cpu = time.perf_counter(), time.process_time()
    out["build_s"] = watch.wall0 - t0  # until the first mechanism: the world's build
    out["run"] = {
        "wall_s": end_wall - watch.wall0,
        "cpu_s": end_cpu - watch.cpu0,
        "steps": watch.steps_done,
        "steps_in_scenario": watch.n_steps,
        "stopped_by_budget": watch.stopped,
        "last_date": watch.last_date,
    }
    out["mechanisms"] = {name: t.as_dict() for name, t in inst.tallies.items()}
    out["populations"] = {
        pop.name: {
            "initial_agents": watch.initial[pop.name],
            "final_agents": pop.n,
            "largest_agents": watch.largest[pop.name],
            "persons": pop.total(),
            "row_bytes": row_bytes(pop),
            "allocated_bytes": getattr(pop, "_cap", pop.n) * row_bytes(pop),
        }
        for pop in inst.populations(None)
    }
    out["peak_rss_bytes"] = machine.peak_rss()
    out["peak_rss_hwm_bytes"] = machine.peak_rss_hwm()
    return out


class _Watch(Hook):
    """Follows a run: when its stepping starts, the populations' sizes (initial and largest),
    the steps done; raises :class:`_OutOfTime` after a step that ends past ``deadline``."""

    def __init__(self, inst: Any, deadline: float) -> None:
        self.inst, self.deadline = inst, deadline
        self.wall0 = self.cpu0 = math.nan
        self.initial: dict[str, int] = {}
        self.largest: dict[str, int] = {}
        self.steps_done = self.n_steps = 0
        self.last_date = ""
        self.stopped = False

    def before(self, name: str, ctx: Any, state: Any) -> None:
        if not self.initial:
            self.wall0, self.cpu0 = time.perf_counter(), time.process_time()
            self.initial = {p.name: p.n for p in self.inst.populations(state)}
            self.largest = dict(self.initial)
            self.n_steps = ctx.calendar.n_steps
        self.last_date = ctx.date.isoformat()

    def on_step(self, step: int, n_steps: int, row: dict[str, float], state: Any) -> None:
        self.steps_done = step + 1
        for pop in self.inst.populations(state):
            self.largest[pop.name] = max(self.largest[pop.name], pop.n)
        if time.perf_counter() > self.deadline:
            self.stopped = True
            raise _OutOfTime


def _time_core(size: Any, p: Any, steps: int, repeats: int, backend: str) -> dict[str, Any]:
    """The vectorised core on ``backend``: median over repeats of the steps."""
    import numpy as np

    from benchmarks import core_numpy
    from benchmarks.instrument import row_bytes
    from thermidor.engine import using
    from thermidor.model.run import load_backend

    times: list[list[float]] = []
    rss0 = machine.rss_now()
    with using(load_backend(backend)):
        for _ in range(repeats):
            t0 = time.perf_counter()
            state = core_numpy.build(size, SEED, p)
            build_s = time.perf_counter() - t0
            per_step = []
            for t in range(steps):
                t0 = time.perf_counter()
                core_numpy.step(state, p, SEED, t)
                per_step.append(time.perf_counter() - t0)
            times.append(per_step)
    row = sum(row_bytes(pop) * pop.n for pop in state.populations) / size.agents
    step_s = float(np.median([sum(r) for r in times])) / steps
    return {
        "build_s": build_s,
        "step_s": step_s,
        "step_s_by_step": [float(np.median(col)) for col in zip(*times, strict=True)],
        "repeats": len(times),
        "agent_updates_per_s": size.agents / step_s,
        "bytes_per_agent": row,
        "rss_growth_bytes": machine.rss_now() - rss0,
    }


def _time_mesa(size: Any, p: Any, steps: int) -> dict[str, Any]:
    """One Mesa run of the core: its build, then each step timed."""
    from benchmarks.mesa_reference import CoreModel

    rss0 = machine.rss_now()
    t0 = time.perf_counter()
    model = CoreModel(size, SEED, p)
    build_s = time.perf_counter() - t0
    rss_model = machine.rss_now() - rss0
    per_step = []
    for _ in range(steps):
        t0 = time.perf_counter()
        model.step()
        per_step.append(time.perf_counter() - t0)
    del model
    return {"build_s": build_s, "step_s": sum(per_step) / steps, "step_s_by_step": per_step,
            "bytes_per_agent": rss_model / size.agents}  # fmt: skip


def core_child(spec: dict[str, Any]) -> dict[str, Any]:
    """The fixed core as numpy, as numba kernels and as Mesa, same scenario and steps.

    The ratio is measured in pairs, so that a change in the machine's speed during the run (on
    a shared VM it drifts by tens of per cent within a minute) cancels: each Mesa run is
    bracketed by timings of the vectorised core just before and just after it, and each pair's
    ratio is Mesa's time over the mean of its two brackets. The reported ratio is the median
    over the pairs; every pair is kept in the results.
    """
    import numpy as np

    from benchmarks.core_spec import BENCH, PARAMS

    size, p = BENCH, PARAMS
    steps = spec.get("steps") or size.steps
    n_pairs = spec.get("pairs", 3)
    repeats = spec.get("numpy_repeats", 5)
    out: dict[str, Any] = {"agents": size.agents, "steps": steps, "size": vars(size)}

    def bracket() -> dict[str, float]:
        got = {}
        for name in ("numpy", "numba"):
            got[name] = _time_core(size, p, steps, repeats, name)["step_s"]
        return got

    for name in ("numpy", "numba"):
        _time_core(size, p, steps, 1, name)  # compile (numba) and warm the caches, untimed
        out[name] = _time_core(size, p, steps, repeats, name)  # build, bytes; s/step: the pairs
    pairs = []
    before = bracket()
    for _ in range(n_pairs):
        mesa = _time_mesa(size, p, steps)
        after = bracket()
        pair = {"mesa_step_s": mesa["step_s"], "mesa_build_s": mesa["build_s"]}
        for name in ("numpy", "numba"):
            mean = 0.5 * (before[name] + after[name])
            pair[f"{name}_step_s"] = mean
            pair[f"ratio_{name}"] = mesa["step_s"] / mean
        pairs.append(pair)
        before = after
    for name in ("numpy", "numba"):  # the table's s/step: the same paired timings as the ratio
        step_s = float(np.median([q[f"{name}_step_s"] for q in pairs]))
        out[name] |= {"step_s": step_s, "agent_updates_per_s": size.agents / step_s}
    mesa_step = float(np.median([q["mesa_step_s"] for q in pairs]))
    out["mesa"] = mesa | {
        "step_s": mesa_step,
        "agent_updates_per_s": size.agents / mesa_step,
    }
    out["pairs"] = pairs
    out["speed_ratio_numpy"] = float(np.median([q["ratio_numpy"] for q in pairs]))
    out["speed_ratio"] = float(np.median([q["ratio_numba"] for q in pairs]))  # numba: the default
    out["speed_ratio_range"] = [min(q["ratio_numba"] for q in pairs),
                                max(q["ratio_numba"] for q in pairs)]  # fmt: skip
    out["peak_rss_bytes"] = machine.peak_rss()
    out["peak_rss_hwm_bytes"] = machine.peak_rss_hwm()
    return out


def bandwidth_child(spec: dict[str, Any]) -> dict[str, Any]:
    """In a child, so that the copy's arrays never count in the parent's (inherited) peak RSS."""
    out: dict[str, Any] = dict(machine.copy_bandwidth(spec.get("mib", 256)))
    out["refault"] = machine.refault_cost()
    return out


CHILDREN = {"bandwidth": bandwidth_child, "model": model_child, "core": core_child}


def child(kind: str, spec: dict[str, Any], timeout_s: float) -> dict[str, Any]:
    """Run a child in a fresh process; its result comes back through a JSON file."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "out.json"
        cmd = [sys.executable, str(Path(__file__).resolve()), "--child", kind,
               "--spec", json.dumps(spec), "--child-out", str(path)]  # fmt: skip
        try:
            proc = subprocess.run(cmd, timeout=timeout_s, capture_output=True, text=True)
        except subprocess.TimeoutExpired:
            return {"label": spec.get("label", kind), "error": f"killed after {timeout_s:.0f} s"}
        if proc.returncode != 0 or not path.exists():
            tail = (proc.stderr or proc.stdout)[-2000:]
            return {"label": spec.get("label", kind), "error": f"exit {proc.returncode}: {tail}"}
        result: dict[str, Any] = json.loads(path.read_text())
        return result


# -- full scale ---------------------------------------------------------------------------------
def full_scale(available: int) -> tuple[int, float]:
    """The finest common scale whose estimated memory fits in half the available memory."""
    from thermidor.model.initial import initial_conditions

    ic = initial_conditions()
    households = ic["households_1917"]
    others = ic["workers_1917"] + ic["soldiers_1917"] + ic["officials_1917"] * 4 + 1.5e6
    need = households * FULL_BYTES_PER_HOUSEHOLD + others * FULL_BYTES_PER_OTHER
    scale = max(1, math.ceil(need / (0.5 * available)))
    return scale, need / scale


# -- report ---------------------------------------------------------------------------------------
def _si(x: float) -> str:
    for unit, k in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if abs(x) >= k:
            return f"{x / k:.2f}{unit}"
    return f"{x:.0f}"


def model_table(res: dict[str, Any], bandwidth: float) -> str:
    if "error" in res:
        return f"{res['label']}: {res['error']}"
    pops = res["populations"]
    agents = sum(v["initial_agents"] for v in pops.values())
    alloc = sum(v["allocated_bytes"] for v in pops.values())
    live = sum(v["final_agents"] for v in pops.values())
    run = res["run"]
    largest = sum(v["largest_agents"] for v in pops.values())
    rows = sum(v["row_bytes"] * v["final_agents"] for v in pops.values()) / max(live, 1)
    above = res["peak_rss_bytes"] - res["rss_before_build_bytes"]
    lines = [
        f"== model, {res['label']} on {res.get('backend', 'numba')}: scales {res['scales']}",
        f"   {agents:,} agents at start, {live:,} at the end; {run['steps']} of "
        f"{run['steps_in_scenario']} steps (to {run['last_date']})"
        + (" - stopped by the time budget" if run["stopped_by_budget"] else ""),
        f"   build {res['build_s']:.2f} s; run {run['wall_s']:.1f} s wall, {run['cpu_s']:.1f} s CPU "
        f"({run['cpu_s'] / max(run['steps'], 1):.3f} s CPU per step)",
        f"   peak RSS {res['peak_rss_bytes'] / 2**20:,.0f} MiB (getrusage; VmHWM "
        f"{res['peak_rss_hwm_bytes'] / 2**20:,.0f} MiB), of which "
        f"{above / 2**20:,.0f} MiB above the imports: {above / max(largest, 1):,.0f} bytes per agent "
        f"at the largest ({largest:,} agents)",
        f"   arrays: {rows:.1f} bytes per agent (one row), {alloc / max(live, 1):.1f} allocated "
        f"(with spare capacity)",
    ]
    if "memory_estimate" in res:
        est = res["memory_estimate"]
        lines.append(
            f"   memory estimate at this scale {est['needed_bytes'] / 2**30:.1f} GiB; "
            f"available {est['available_bytes'] / 2**30:.1f} GiB"
        )
    if "plain_run" in res:
        pr = res["plain_run"]
        lines.append(
            f"   thermidor.run('baseline') uninstrumented: {pr['wall_s']:.1f} s wall, "
            f"{pr['cpu_s']:.1f} s CPU"
        )
    lines.append(
        f"   {'mechanism':28s} {'acting':>6s} {'CPU s':>8s} {'share':>6s} {'updates':>9s} "
        f"{'updates/s':>10s} {'cols B/s':>9s} {'of bw':>6s}"
    )
    mechs = res["mechanisms"]
    total_cpu = sum(m["cpu_s"] for m in mechs.values())
    for name, m in sorted(mechs.items(), key=lambda kv: -kv[1]["cpu_s"]):
        lines.append(
            f"   {name:28s} {m['calls_acting']:6d} {m['cpu_s']:8.2f} "
            f"{100 * m['cpu_s'] / max(total_cpu, 1e-12):5.1f}% {_si(m['agent_updates']):>9s} "
            f"{_si(m['updates_per_s']):>10s} {_si(m['column_bytes_per_s']):>9s} "
            f"{100 * m['column_bytes_per_s'] / bandwidth:5.1f}%"
        )
    t = res["total"]
    lines.append(
        f"   {'TOTAL':28s} {'':6s} {t['cpu_s']:8.2f} {100.0:5.1f}% {_si(t['agent_updates']):>9s} "
        f"{_si(t['updates_per_s']):>10s} {_si(t['column_bytes_per_s']):>9s} "
        f"{100 * t['column_bytes_per_s'] / bandwidth:5.1f}%"
    )
    return "\n".join(lines)


def totals(res: dict[str, Any]) -> None:
    if "error" in res:
        return
    mechs = res["mechanisms"].values()
    cpu = sum(m["cpu_s"] for m in mechs)
    updates = sum(m["agent_updates"] for m in mechs)
    col_bytes = sum(m["column_bytes"] for m in mechs)
    res["total"] = {
        "cpu_s": cpu,
        "agent_updates": updates,
        "updates_per_s": updates / cpu if cpu else 0.0,
        "column_bytes": col_bytes,
        "column_bytes_per_s": col_bytes / cpu if cpu else 0.0,
        "updates_per_s_per_step_wall": updates / res["run"]["wall_s"],
    }


def core_table(res: dict[str, Any]) -> str:
    if "error" in res:
        return f"core: {res['error']}"
    lines = [
        f"== fixed core: {res['agents']:,} agents, {res['steps']} monthly steps, same process",
        f"   {'':8s} {'build s':>8s} {'s/step':>9s} {'updates/s':>10s} {'bytes/agent':>12s}",
    ]
    for label, key in (("numpy", "numpy"), ("numba", "numba"), ("Mesa 3", "mesa")):
        r = res[key]
        lines.append(
            f"   {label:8s} {r['build_s']:8.2f} {r['step_s']:9.4f} "
            f"{_si(r['agent_updates_per_s']):>10s} {r['bytes_per_agent']:12.1f}"
        )
    lo, hi = res["speed_ratio_range"]
    lines.append(
        f"   speed ratio against Mesa, median of {len(res['pairs'])} bracketed pairs: "
        f"numba kernels {res['speed_ratio']:.0f}x (pairs {lo:.0f}-{hi:.0f}x), "
        f"numpy alone {res['speed_ratio_numpy']:.0f}x"
    )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--full", action="store_true", help="also run at one agent per person")
    ap.add_argument("--full-budget", type=float, default=FULL_BUDGET_S, metavar="S",
                    help="seconds the full-scale child may run before it stops itself")  # fmt: skip
    ap.add_argument("--quick", action="store_true",
                    help="development: the scaled-down model, and the core for 2 steps")  # fmt: skip
    ap.add_argument("--backend", choices=["numba", "numpy"], default="numba",
                    help="the model runs' backend (the core runs both)")  # fmt: skip
    ap.add_argument("--until", metavar="DATE", help="development: stop the model runs at DATE")
    ap.add_argument("--out", type=Path, default=RESULTS)
    ap.add_argument("--child", choices=sorted(CHILDREN), help=argparse.SUPPRESS)
    ap.add_argument("--spec", default="{}", help=argparse.SUPPRESS)
    ap.add_argument("--child-out", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args()

    if args.child:
        result = CHILDREN[args.child](json.loads(args.spec))
        args.child_out.write_text(json.dumps(result))
        return 0

    t_start = time.perf_counter()
    report: dict[str, Any] = {
        "command": " ".join(["python", "benchmarks/run.py", *sys.argv[1:]]),
        "started": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine.describe(),
    }
    print(f"machine: {report['machine']['cpu']}, {report['machine']['cores']} cores, "
          f"load average {report['machine']['load_average']}; CPU only")  # fmt: skip
    bw = child("bandwidth", {}, 300)
    if "error" in bw:
        print(f"bandwidth: {bw['error']}")
        return 1
    report["bandwidth"] = bw
    print(f"memory bandwidth (numpy copy of {bw['array_bytes'] / 2**20:.0f} MiB, read + write): "
          f"best {bw['best_bytes_per_s'] / 1e9:.2f} GB/s, "
          f"median {bw['median_bytes_per_s'] / 1e9:.2f} GB/s")  # fmt: skip
    rf = bw["refault"]
    print(f"filling {rf['array_bytes'] / 2**20:.0f} MiB just freed: {rf['reused_s'] * 1e3:.0f} ms; "
          f"after {rf['idle_s']:.0f} s idle: {rf['after_idle_s'] * 1e3:.0f} ms "
          "(what engine.accel.memory spares a run)")  # fmt: skip
    limit = bw["best_bytes_per_s"]

    runs = [("scaled-down", SCALED_DOWN, False, None)]
    if not args.quick:
        runs.append(("default (baseline)", None, True, None))
    if args.full:
        runs.append(("full (scale 1)", "full", False, args.full_budget))
    report["model"] = []
    for label, scale, plain, budget in runs:
        print(f"... model, {label}", flush=True)
        spec = {"label": label, "scale": scale, "plain": plain, "budget_s": budget,
                "backend": args.backend, "until": args.until}  # fmt: skip
        res = child("model", spec, timeout_s=(budget or 1500) + 90)
        totals(res)
        report["model"].append(res)
        print(model_table(res, limit), flush=True)

    print("... fixed core: numpy, numba kernels, then Mesa", flush=True)
    core = child("core", {"steps": 2 if args.quick else None, "numpy_repeats": 5}, 1200)
    report["core"] = core
    print(core_table(core))

    report["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    report["elapsed_s"] = time.perf_counter() - t_start
    args.out.write_text(json.dumps(report, indent=1, default=str) + "\n")
    print(f"load average after: {report['load_average_after']}; "
          f"{report['elapsed_s']:.0f} s in all; written to {args.out}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
