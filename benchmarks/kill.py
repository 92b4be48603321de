"""SIGKILL an ensemble at random moments, again and again, then check the store.

    python benchmarks/kill.py --kills 20 --seeds 24 --store /tmp/kill-store

Each round starts ``thermidor ensemble`` (two local workers, or two ensembles at once with
``--pairs``) and kills its process group with SIGKILL after a random delay; after the last kill
one ensemble runs to the end. Then it counts: tracebacks in any output, runs lost (a member
without a run directory), duplicated (an index row twice, or a key computed twice: a run's
files rewritten after they were first seen), corrupt (``store verify`` quarantines it), and
leftovers (temporary directories, stale locks). Not part of the test suite: minutes of work.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

from thermidor.lab.ensemble import plan, seeds_for
from thermidor.lab.store import Store

SCALES = ["--scale", "households=20000", "--scale", "workers=5000", "--scale", "soldiers=10000",
          "--scale", "members=500", "--scale", "officials=5000"]  # fmt: skip


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--kills", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=24)
    ap.add_argument("--until", default="1917-09-30")
    ap.add_argument("--store", type=Path, required=True)
    ap.add_argument("--max-delay", type=float, default=6.0)
    ap.add_argument("--pairs", action="store_true", help="two ensembles at once in each round")
    a = ap.parse_args()
    exe = str(Path(sys.executable).with_name("thermidor"))
    args = [exe, "ensemble", "baseline", "--seeds", str(a.seeds), "--until", a.until, *SCALES,
            "--workers", "2", "--store", str(a.store)]  # fmt: skip
    rng = random.Random(20)
    tracebacks = 0
    first_seen: dict[str, int] = {}
    rewritten = 0
    t0 = time.perf_counter()
    for i in range(a.kills):
        procs = [subprocess.Popen(args, start_new_session=True, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE) for _ in range(2 if a.pairs else 1)]  # fmt: skip
        time.sleep(rng.uniform(0.2, a.max_delay))
        for p in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(p.pid, signal.SIGKILL)
        for p in procs:
            out, err = p.communicate()
            if b"Traceback" in out + err:
                tracebacks += 1
                (a.store.parent / f"traceback-{i}-{p.pid}.txt").write_bytes(out + err)
        for d in a.store.glob("[0-9a-f]" * 24):
            f = d / "indicators.parquet"
            if f.is_file():
                ino = f.stat().st_ino
                if d.name in first_seen and first_seen[d.name] != ino:
                    rewritten += 1
                first_seen.setdefault(d.name, ino)
        print(f"kill {i + 1}: {len(first_seen)} runs stored", flush=True)
    final = subprocess.run(args, capture_output=True, text=True)
    tracebacks += "Traceback" in final.stdout + final.stderr
    verify = subprocess.run([exe, "store", "verify", "--store", str(a.store)], capture_output=True,
                            text=True)  # fmt: skip
    tracebacks += "Traceback" in verify.stdout + verify.stderr
    scales = {k.split("=")[0]: int(k.split("=")[1]) for k in SCALES[1::2]}
    expected = plan("baseline", seeds_for(a.seeds, 0), scales, a.until).keys
    got = {"expected": expected, "indexed": list(Store(a.store).runs()["key"])}
    on_disk = {d.name for d in a.store.glob("[0-9a-f]" * 24)}
    lost = len(set(got["expected"]) - on_disk)
    duplicated = len(got["indexed"]) - len(set(got["indexed"])) + rewritten
    corrupt = verify.stdout.count("quarantined") and int(
        verify.stdout.split(" quarantined")[0].rsplit(",", 1)[-1].strip() or 0
    )
    leftovers = len(list(a.store.glob(".*"))) + len(list((a.store / "locks").glob("*.lock")))
    summary = {"kills": a.kills, "members": a.seeds, "stored": len(on_disk), "tracebacks": tracebacks,
               "lost": lost, "duplicated": duplicated, "corrupt": corrupt, "leftovers": leftovers,
               "final_exit": final.returncode, "seconds": round(time.perf_counter() - t0)}  # fmt: skip
    print(json.dumps(summary))
    return 0 if not (tracebacks or lost or duplicated or corrupt or final.returncode) else 1


if __name__ == "__main__":
    sys.exit(main())
