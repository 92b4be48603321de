"""A history-matching fit's evaluations kept beside the project (``calibrate --evaluations FILE``).

The run store does not travel: a fit whose waves and walk take longer than one session would be
lost with it. The journal is a small JSON-lines table that can be committed: a header naming the
fit's design (its configuration less the code's hash) and the code it was made under, then one
line per evaluation, ``{"w": wave, "i": run, "x": [the point's values], "s": seed, "y": [each
fitted target's statistic]}`` (the walk's step ``s`` is wave ``WALK_BASE + s``). An evaluation is
reused only where the same wave asks for the same point and seed again, so a resumed walk, whose
proposals depend on what it accepted, makes the same steps. A journal made by other code is
reused only after its first :data:`VERIFY` evaluations, run again, give the same statistics bit
for bit; one of another design is refused (``force`` starts it again). A line cut short by a kill
is ignored and its run made again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from thermidor.lab.errors import LabError

VERIFY = 2  # evaluations of a journal made by other code that run again before it is reused


class FitJournal:
    """The evaluations of one fit, read on opening and appended as they arrive."""

    def __init__(self, path: Path, header: dict[str, Any], force: bool = False) -> None:
        self.path = path
        self.header = header
        self.done: dict[tuple[int, int], tuple[tuple[float, ...], int, tuple[float, ...]]] = {}
        first = _first_line(path)
        if path.is_file() and path.stat().st_size and first is None and not force:
            raise LabError("evaluations", str(path), "a journal written by thermidor calibrate "
                           "(its first line names the fit's design); --force replaces it")  # fmt: skip
        if first is not None and first.get("design") != header["design"] and not force:
            differs = [k for k in header if k not in ("source_hash", "design")
                       and first.get(k) != header[k]]  # fmt: skip
            raise LabError(
                "evaluations", str(path),
                f"a journal of this fit's design ({header['design']}); it holds "
                f"{first.get('design')} (differs in {', '.join(differs) or 'its configuration'}):"
                " name another file, or --force to start it again",
            )  # fmt: skip
        if first is None or first.get("design") != header["design"]:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(path.name + ".tmp")
            tmp.write_text(json.dumps(header) + "\n")
            os.replace(tmp, path)
            self.made_under = header["source_hash"]
            return
        self.made_under = str(first.get("source_hash"))
        n = len(header["targets"])
        text = path.read_text()
        if not text.endswith("\n"):  # a line cut short: the next run's line starts on its own
            with path.open("a") as handle:
                handle.write("\n")
        for line in text.splitlines()[1:]:
            try:
                rec = json.loads(line)
                key = (int(rec["w"]), int(rec["i"]))
                x = tuple(float(v) for v in rec["x"])
                s, y = int(rec["s"]), tuple(float(v) for v in rec["y"])
            except (ValueError, KeyError, TypeError):
                continue  # cut short by a kill: that run is made again
            if len(y) == n and len(x) == len(header["params"]):
                self.done[key] = (x, s, y)

    def verify(
        self, rerun: Callable[[Sequence[tuple[tuple[float, ...], int]]], list]
    ) -> str | None:
        """Made by other code: run its first evaluations again and refuse it if any differs; the
        note to report, or None when the code is the same."""
        if self.made_under == self.header["source_hash"] or not self.done:
            return None
        check = sorted(self.done)[:VERIFY]
        again = rerun([self.done[k][:2] for k in check])
        for key, y in zip(check, again, strict=True):
            a, b = np.array(self.done[key][2]), np.array(y, dtype=float)
            if not np.array_equal(a, b, equal_nan=True):
                raise LabError(
                    "evaluations", str(self.path),
                    f"evaluations of this code: made under source {self.made_under}, its wave "
                    f"{key[0]} run {key[1]} gave {list(a)} and gives {list(b)} now (the model's "
                    "behaviour changed); --force starts the journal again",
                )  # fmt: skip
        return (
            f"{len(self.done)} evaluations made under source {self.made_under} reused after "
            f"{len(check)} of them ran again under {self.header['source_hash']} and gave the "
            "same statistics"
        )

    def reusable(
        self, wave: int, x: np.ndarray, seeds: Sequence[int]
    ) -> dict[int, tuple[float, ...]]:
        """The wave's runs already made at the same point and seed (run index -> statistics)."""
        k = len(seeds)
        out = {}
        for i in range(x.shape[0] * k):
            got = self.done.get((wave, i))
            if (
                got is not None
                and got[1] == seeds[i % k]
                and got[0] == tuple(map(float, x[i // k]))
            ):
                out[i] = got[2]
        return out

    def write(self, wave: int, i: int, x: np.ndarray, seed: int, y: Sequence[float]) -> None:
        xs, ys = [float(v) for v in x], [float(v) for v in y]
        rec = {"w": wave, "i": i, "x": xs, "s": int(seed), "y": ys}
        with self.path.open("a") as handle:  # a line a run, on disk before the next
            handle.write(json.dumps(rec) + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        self.done[(wave, i)] = (tuple(xs), int(seed), tuple(ys))


def _first_line(path: Path) -> dict[str, Any] | None:
    if not path.is_file() or not path.stat().st_size:
        return None
    with path.open() as f:
        line = f.readline()
    try:
        first = json.loads(line)
    except ValueError:
        return None
    return first if isinstance(first, dict) and "design" in first else None


__all__ = ["VERIFY", "FitJournal"]
