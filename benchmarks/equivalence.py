"""Are the numpy core and the Mesa reference the same model? Two one-sided tests per output.

Both implementations run the same scenario over the same seeds. They share the weather (an input
of the scenario, a function of the seed) but draw everything else from their own generators, so
the comparison is statistical: for each key output, the paired differences (numpy - Mesa, one pair
per seed) are tested against an equivalence margin with two one-sided t-tests (TOST, Schuirmann
1987): equivalence is declared when the mean difference is shown to be both above ``-margin`` and
below ``+margin`` at level ``ALPHA``, i.e. when its 90% confidence interval lies inside
``(-margin, +margin)``.

Margins (stated once, here):
- mean consciousness and the employment rate: 2% of the mean of both implementations
  (``RELATIVE``);
- grain marketed over the run (t per household): 3% of the mean. Households' surpluses are
  heavy-tailed (lognormal wealth, a surplus that is zero for the poorest), so at the test's 9,000
  households 30 paired seeds give a 90% interval of about +-1.3% of the mean, and a 2% margin
  would fail about four times in ten even if the implementations agreed exactly. At the
  benchmark's 64,000 households (``--bench``) the interval is about +-0.6% and is read against
  2% (docs/benchmarks.md);
- mean support: 0.02 absolute, 1% of its range [-1, 1] (its mean crosses zero during the run, so a
  relative margin would shrink to nothing);
- each faction's share of the members: 0.02 absolute (two percentage points of the membership;
  shares near zero make a relative margin meaningless).
A faction no rule lets anyone join (the Workers' Opposition, banned in the scenario) must be
exactly 0 in both.

``python benchmarks/equivalence.py [--seeds 30] [--bench]`` prints the table.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

if __package__ in (None, ""):  # run as a script: make ``benchmarks`` importable
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks import core_numpy, mesa_reference
from benchmarks.core_spec import AVAILABLE, BENCH, FACTIONS, TEST, Size
from benchmarks.tost import ALPHA, Tost
from benchmarks.tost import tost as paired_tost

RELATIVE = 0.02
MARGINS: dict[str, tuple[str, float]] = {
    "mean_consciousness": ("relative", RELATIVE),
    "employment_rate": ("relative", RELATIVE),
    "marketed_grain": ("relative", 0.03),
    "mean_support": ("absolute", 0.02),
    **{f"share_{f}": ("absolute", 0.02) for f, ok in zip(FACTIONS, AVAILABLE, strict=True) if ok},
}
ALWAYS_ZERO = tuple(f"share_{f}" for f, ok in zip(FACTIONS, AVAILABLE, strict=True) if not ok)


def key_outputs(table: pd.DataFrame) -> dict[str, float]:
    """A run's key outputs: the last step's state, and the grain marketed over the whole run."""
    last = table.iloc[-1]
    out = {k: float(last[k]) for k in (*MARGINS, *ALWAYS_ZERO) if k != "marketed_grain"}
    out["marketed_grain"] = float(table["marketed_grain"].sum())  # t per household
    return out


def run_both(size: Size, seeds: range) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Key outputs of both implementations, one row per seed."""
    np_rows = [key_outputs(core_numpy.run(size, s)) for s in seeds]
    mesa_rows = [key_outputs(mesa_reference.run(size, s)) for s in seeds]
    return pd.DataFrame(np_rows, index=seeds), pd.DataFrame(mesa_rows, index=seeds)


def compare(size: Size, seeds: range) -> list[Tost]:
    ours, theirs = run_both(size, seeds)
    for k in ALWAYS_ZERO:
        if ours[k].any() or theirs[k].any():
            raise AssertionError(f"{k} should be 0 in both implementations")
    return [tost(k, ours[k].to_numpy(), theirs[k].to_numpy()) for k in MARGINS]


def tost(output: str, a: np.ndarray, b: np.ndarray) -> Tost:
    """Paired TOST of ``mean(a - b)`` against the output's margin in ``MARGINS``."""
    return paired_tost(output, a, b, MARGINS)


def table(results: list[Tost]) -> str:
    head = f"{'output':30s} {'numpy':>9s} {'mesa':>9s} {'diff':>9s} {'90% CI':>21s} {'margin':>8s} {'p':>8s}"
    lines = [head]
    for r in results:
        ci = f"[{r.ci_low:+.4f}, {r.ci_high:+.4f}]"
        ok = "equivalent" if r.equivalent else "NOT shown"
        lines.append(
            f"{r.output:30s} {r.numpy_mean:9.4f} {r.mesa_mean:9.4f} {r.difference:+9.4f} "
            f"{ci:>21s} {r.margin:8.4f} {r.p_value:8.1e}  {ok}"
        )
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=30)
    ap.add_argument("--bench", action="store_true", help="the >=100,000-agent scenario")
    args = ap.parse_args()
    size = BENCH if args.bench else TEST
    t0 = time.perf_counter()
    results = compare(size, range(args.seeds))
    print(f"{size.agents} agents, {size.steps} steps, {args.seeds} seeds, paired TOST at {ALPHA}")
    print(table(results))
    print(f"({time.perf_counter() - t0:.1f} s)")
    return 0 if all(r.equivalent for r in results) else 1


if __name__ == "__main__":
    raise SystemExit(main())
