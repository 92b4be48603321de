"""Compile the kernels a run calls into numba's cache at install, on every core:
``python -m thermidor.model.fast.warm`` (``make install`` runs it).

The list (``kernels.txt`` beside this file) holds the signatures the default run compiles: the
accelerator's kernels (``engine/accel``) and the model's compiled twins (this package). Without
it a first run compiles them itself, one after the other (about 30 s of CPU on our development
VM); with it the install pays that once, shared between processes. A signature missing from the
list costs its compile at the first run, no more: the list is an economy, never a condition.

``--record`` runs the default scenario in a fresh process with an empty cache and rewrites the
list (after a kernel or a dtype changes; tests/model/test_warm.py says when the list is stale).
"""

from __future__ import annotations

import argparse
import importlib
import os
import pkgutil
import subprocess
import sys
import tempfile
import types
from pathlib import Path

import thermidor.engine.accel
import thermidor.model.fast
from thermidor.engine.accel import warm

LIST = Path(__file__).with_name("kernels.txt")
HEADER = """\
The numba signatures the default run compiles, for python -m thermidor.model.fast.warm
(engine/accel/warm.py describes the columns). Rewrite with:
  python -m thermidor.model.fast.warm --record"""


def modules() -> list[types.ModuleType]:
    """Every module of the accelerator and of the model's compiled twins."""
    out = []
    for package in (thermidor.engine.accel, thermidor.model.fast):
        for info in pkgutil.iter_modules(package.__path__):
            if info.name not in ("warm", "cupy"):  # cupy: another backend, imports cupy
                out.append(importlib.import_module(f"{package.__name__}.{info.name}"))
    return out


def _command() -> list[str]:
    return [sys.executable, "-m", "thermidor.model.fast.warm"]


def _record_here(path: Path) -> None:
    from thermidor.model.run import run

    with warm.recording(modules()) as entries:
        run("baseline")
    warm.write_list(path, entries, HEADER)
    warm.say(f"warm: {len(entries)} signatures written to {path}")


def unlisted(scale: dict[str, int] | str | None = None, path: Path = LIST) -> set[tuple[str, str]]:
    """The signatures a baseline run at ``scale`` holds that the list lacks (empty: the list
    covers it). Run it in a fresh process, so that only the run's own kernels are held."""
    from thermidor.model.run import run

    run("baseline", scale=scale)
    listed = {(e.kernel, e.signature) for e in warm.read_list(path)}
    return warm.held(modules()) - listed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m thermidor.model.fast.warm", description=__doc__.split("\n\n")[0])  # fmt: skip
    parser.add_argument("--workers", type=int, default=0, help="processes (default: the cores)")
    parser.add_argument("--list", type=Path, default=LIST, help="the list (default: kernels.txt)")
    parser.add_argument("--share", help=argparse.SUPPRESS)  # i/n: one child's share
    parser.add_argument("--record", action="store_true", help="rewrite the list from a run")
    parser.add_argument("--record-here", help=argparse.SUPPRESS)  # the recording child
    args = parser.parse_args(argv)
    if args.record_here:
        _record_here(Path(args.record_here))
        return 0
    if args.record:  # a fresh process with an empty cache, so that every compile is seen
        with tempfile.TemporaryDirectory() as cache:
            env = {**os.environ, "NUMBA_CACHE_DIR": cache}
            return subprocess.call([*_command(), "--record-here", str(args.list)], env=env)
    entries = warm.read_list(args.list)
    if args.share:
        i, n = (int(x) for x in args.share.split("/"))
        return 1 if warm.compile_entries(warm.shares(entries, n)[i], warm.say) else 0
    workers = args.workers or min(warm.workers_here(), 4)
    failed = warm.warm(entries, workers, [*_command(), "--list", str(args.list)], warm.say)
    if failed:
        warm.say(f"warm: {failed} signatures left to the first run")
    return 0  # an install never fails for want of a warm cache


if __name__ == "__main__":
    sys.exit(main())
