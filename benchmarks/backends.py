"""The backends against each other on the whole model: numpy (the reference) and numba.

    python -m benchmarks.backends [--seeds 2] [--scale default|full] [--weeks N]

Each (backend, seed) runs the baseline (``thermidor.run(..., backend=)``) in a fresh process,
alternating backends, after one untimed run per backend that fills numba's on-disk cache
(compilation is not counted; it happens once per installation). Reports wall and CPU seconds
per run and the ratio numpy / numba, and each run's hash of its indicators and events. The
backends draw different random numbers, so their runs differ in bytes and agree in distribution
(tests/model/test_backends.py tests that); the same seed on the same backend gives the same
bytes, which ``--repeat`` checks by running each seed twice. ``--scale full`` runs scale 1 for
every population for ``--weeks`` weeks (a whole full-scale run takes minutes).
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

CHILD = r"""
import datetime as dt, hashlib, json, sys, time
import thermidor
backend, seed, scale, weeks = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
until = None
if weeks:
    until = dt.date(1917, 3, 1) + dt.timedelta(weeks=weeks)
t, c = time.perf_counter(), time.process_time()
r = thermidor.run("baseline", seed=seed, scale=None if scale == "default" else 1, until=until,
                  backend=backend)
wall, cpu = time.perf_counter() - t, time.process_time() - c
h = hashlib.sha256()
for k in sorted(r.columns):
    h.update(k.encode()); h.update(r.columns[k].tobytes())
for e in r.events:
    h.update(f"{e.step}{e.kind}{e.data_json()}".encode())
print(json.dumps({"backend": r.manifest["backend"], "wall": wall, "cpu": cpu,
                  "hash": h.hexdigest(), "steps": int(r.dates.size)}))
"""


def child(backend: str, seed: int, scale: str, weeks: int) -> dict[str, object]:
    out = subprocess.run(
        [sys.executable, "-c", CHILD, backend, str(seed), scale, str(weeks)],
        capture_output=True, text=True, check=True, cwd=ROOT,
    )  # fmt: skip
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=2)
    ap.add_argument("--scale", choices=["default", "full"], default="default")
    ap.add_argument("--weeks", type=int, default=0, help="stop after N weeks (0: the whole run)")
    ap.add_argument("--repeat", action="store_true",
                    help="run each (backend, seed) twice and check the bytes repeat")  # fmt: skip
    a = ap.parse_args()
    weeks = a.weeks or (8 if a.scale == "full" else 0)
    backends = ("numpy", "numba")
    for b in backends:  # warm-up: imports, numba's cache
        child(b, 0, "default", 4)
    rows: dict[str, list[dict[str, object]]] = {b: [] for b in backends}
    repeats_ok = True
    for seed in range(a.seeds):
        for b in backends:
            r = child(b, seed, a.scale, weeks)
            assert r["backend"] == b, r  # the manifest records the backend that ran
            rows[b].append(r)
            again = ""
            if a.repeat:
                same = child(b, seed, a.scale, weeks)["hash"] == r["hash"]
                repeats_ok &= same
                again = f"  repeated: {'same bytes' if same else 'DIFFERENT BYTES'}"
            print(f"seed {seed} {b:6s} wall {r['wall']:7.2f} s  cpu {r['cpu']:7.2f} s  "
                  f"steps {r['steps']}  {str(r['hash'])[:16]}{again}", flush=True)  # fmt: skip
    med = {b: statistics.median(float(r["cpu"]) for r in rows[b]) for b in rows}  # type: ignore[arg-type]
    medw = {b: statistics.median(float(r["wall"]) for r in rows[b]) for b in rows}  # type: ignore[arg-type]
    print(f"\nscale {a.scale}, {'whole run' if not weeks else f'{weeks} weeks'}, "
          f"{a.seeds} seeds: median CPU numpy {med['numpy']:.2f} s, numba {med['numba']:.2f} s "
          f"-> {med['numpy'] / med['numba']:.2f}x; median wall numpy {medw['numpy']:.2f} s, "
          f"numba {medw['numba']:.2f} s"
          + (f"; each run repeated its bytes: {repeats_ok}" if a.repeat else ""))  # fmt: skip
    return 0 if repeats_ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
