"""Robustness of the outcome to the congress calendar (issue 17 item 5): a report, not a test.

Congress votes happen at congresses (the calendar is record), so every date that a congress decides
moves with the calendar; the bureaucracy's consolidation, a rule of the state (M15), should not be
pinned to it. This runs the baseline with every congress, conference and party-wide discussion
moved by ``weeks`` and prints, seed by seed, the dates of the consolidation and of the events a
congress can carry, beside the unshifted run's.

    python -m thermidor.lab.calendar_shift --weeks 8 --seeds 3
"""

from __future__ import annotations

import argparse
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from thermidor.lab.ensemble import seeds_for
from thermidor.model import run as run_module

SHIFTED_KINDS = ("congress", "conference", "discussion")
EVENTS = (
    "left_opposition_confrontation",
    "leningrad_opposition_formed",
    "leningrad_confrontation",
    "expulsions",
    "bureaucracy_consolidated",
    "forced_collectivisation",
)


def shift_rows(rows: list[dict[str, str]], weeks: int) -> list[dict[str, str]]:
    """The calendar's rows with the party's meetings moved by ``weeks`` (others unchanged)."""
    out = []
    for row in rows:
        if row["kind"] in SHIFTED_KINDS:
            day = dt.date.fromisoformat(row["date"]) + dt.timedelta(weeks=weeks)
            row = {**row, "date": day.isoformat()}
        out.append(row)
    return out


@contextmanager
def shifted_calendar(weeks: int) -> Iterator[None]:
    """Within the block, runs read the calendar with the party's meetings moved by ``weeks``."""
    original = run_module.load_baseline_series

    def load() -> tuple[Any, list[dict[str, str]]]:
        raw, rows = original()
        return raw, shift_rows(rows, weeks)

    run_module.load_baseline_series = load  # type: ignore[assignment]
    try:
        yield
    finally:
        run_module.load_baseline_series = original  # type: ignore[assignment]


def dates(weeks: int, seed: int) -> dict[str, dt.date | None]:
    """The first date of each event of ``EVENTS`` in one baseline run, calendar shifted."""
    with shifted_calendar(weeks):
        r = run_module.run("baseline", seed)
    out: dict[str, dt.date | None] = {}
    for kind in EVENTS:
        e = r.first(kind)
        out[kind] = None if e is None else dt.date.fromisoformat(str(r.dates[e.step])[:10])
    return out


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--weeks", type=int, default=8)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--root", type=int, default=0)
    a = ap.parse_args(argv)
    for i, seed in enumerate(seeds_for(a.seeds, a.root)):
        base, moved = dates(0, seed), dates(a.weeks, seed)
        for kind in EVENTS:
            b, m = base[kind], moved[kind]
            delta = "" if b is None or m is None else f"{(m - b).days / 7:+.0f} weeks"
            print(f"seed {i}  {kind:32s} {b}  ->  {m}  {delta}")


if __name__ == "__main__":
    main()
