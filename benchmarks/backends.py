"""The kernel backends against each other on the whole model: numpy (the reference) and numba.

    python -m benchmarks.backends [--seeds 2] [--scale default|full] [--weeks N]

Each (backend, seed) runs the baseline in a fresh process, alternating backends, after one
untimed run per backend that fills numba's on-disk cache (compilation is not counted; it happens
once per installation). Reports wall and CPU seconds per run and the ratio numpy / numba, and
checks that both backends wrote the same indicators and events (byte-identical). ``--scale full``
runs scale 1 for every population for ``--weeks`` weeks (a whole full-scale run takes tens of
minutes).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import datetime as dt, hashlib, json, sys, time
import thermidor
from thermidor.engine import kernels
seed, scale, weeks = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
until = None
if weeks:
    until = dt.date(1917, 3, 1) + dt.timedelta(weeks=weeks)
t, c = time.perf_counter(), time.process_time()
r = thermidor.run("baseline", seed=seed, scale=None if scale == "default" else 1, until=until)
wall, cpu = time.perf_counter() - t, time.process_time() - c
h = hashlib.sha256()
for k in sorted(r.columns):
    h.update(k.encode()); h.update(r.columns[k].tobytes())
for e in r.events:
    h.update(f"{e.step}{e.kind}{e.data_json()}".encode())
print(json.dumps({"backend": kernels.backend, "wall": wall, "cpu": cpu, "hash": h.hexdigest(),
                  "steps": int(r.dates.size)}))
"""


def child(backend: str, seed: int, scale: str, weeks: int) -> dict[str, object]:
    env = {**os.environ, "THERMIDOR_KERNELS": backend}
    out = subprocess.run(
        [sys.executable, "-c", CHILD, str(seed), scale, str(weeks)],
        env=env, capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--scale", choices=["default", "full"], default="default")
    ap.add_argument("--weeks", type=int, default=0, help="stop after N weeks (0: the whole run)")
    a = ap.parse_args()
    weeks = a.weeks or (8 if a.scale == "full" else 0)
    for b in ("numpy", "numba"):  # warm-up: imports, numba's cache
        child(b, 0, "default", 4)
    rows: dict[str, list[dict[str, object]]] = {"numpy": [], "numba": []}
    for seed in range(a.seeds):
        for b in ("numpy", "numba"):
            rows[b].append(child(b, seed, a.scale, weeks))
            r = rows[b][-1]
            print(f"seed {seed} {b:6s} wall {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s  "
                  f"steps {r['steps']}", flush=True)  # fmt: skip
    same = all(x["hash"] == y["hash"] for x, y in zip(rows["numpy"], rows["numba"], strict=True))
    med = {b: statistics.median(float(r["cpu"]) for r in rows[b]) for b in rows}  # type: ignore[arg-type]
    medw = {b: statistics.median(float(r["wall"]) for r in rows[b]) for b in rows}  # type: ignore[arg-type]
    print(f"\nscale {a.scale}, {'whole run' if not weeks else f'{weeks} weeks'}, "
          f"{a.seeds} seeds: median CPU numpy {med['numpy']:.2f} s, numba {med['numba']:.2f} s "
          f"-> {med['numpy'] / med['numba']:.2f}x; median wall numpy {medw['numpy']:.2f} s, "
          f"numba {medw['numba']:.2f} s; byte-identical: {same}")  # fmt: skip
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
