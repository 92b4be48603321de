"""Two journals of one Sobol' design made at two scales, compared point by point.

    python -m benchmarks.sobol_scales docs/results/sobol-evaluations.jsonl \
        docs/results/sobol-evaluations-ensemble.jsonl [--json FILE]

``thermidor sensitivity --evaluations`` journals one line per point (its index and outcomes).
Two analyses that differ only in ``--scale`` evaluate the same points (the same parameter
values and seeds), so their journals can be read against each other on the points both made:
how often the consolidation by 1929 agrees, how far its date moves where both consolidate, and
how far workers' democracy in 1927 moves. The seed is the same at both scales, not the draws
(a coarser population draws fewer, larger agents), so agreement is in distribution, not bits.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np

from thermidor.lab.sensitivity import read_checkpoint


def compare(a_path: Path, b_path: Path) -> dict[str, Any]:
    heads = [json.loads(p.read_text().splitlines()[0]) for p in (a_path, b_path)]
    same = ("points", "outcomes", "budget", "robust_budget", "trajectories", "root", "end")
    differs = [k for k in same if heads[0].get(k) != heads[1].get(k)]
    if differs:
        raise SystemExit(f"the journals are of different designs: {differs}")
    n = len(heads[0]["outcomes"])
    a, b = read_checkpoint(a_path, n), read_checkpoint(b_path, n)
    both = sorted(set(a) & set(b))
    ya = np.array([a[i] for i in both]).reshape(-1, n)
    yb = np.array([b[i] for i in both]).reshape(-1, n)
    out = heads[0]["outcomes"]
    c = out.index("consolidated")
    y = out.index("consolidation_year_censored")
    d = out.index("workers_democracy_1927")
    cons = (ya[:, c] == 1) & (yb[:, c] == 1)
    gap = np.abs(ya[:, y] - yb[:, y])[cons]
    return {
        "scales": [heads[0]["scales"], heads[1]["scales"]],
        "points_compared": len(both),
        "consolidated_share": [float(ya[:, c].mean()), float(yb[:, c].mean())],
        "consolidated_agree": float((ya[:, c] == yb[:, c]).mean()),
        "both_consolidated": int(cons.sum()),
        "year_gap_median_months": float(np.median(gap) * 12) if gap.size else None,
        "year_gap_p90_months": float(np.quantile(gap, 0.9) * 12) if gap.size else None,
        "workers_democracy_mean": [float(ya[:, d].mean()), float(yb[:, d].mean())],
        "workers_democracy_mean_abs_gap": float(np.abs(ya[:, d] - yb[:, d]).mean()),
        "workers_democracy_correlation": float(np.corrcoef(ya[:, d], yb[:, d])[0, 1]),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("a", type=Path)
    ap.add_argument("b", type=Path)
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args()
    res = compare(args.a, args.b)
    print(json.dumps(res, indent=2))
    if args.json:
        args.json.write_text(json.dumps(res, indent=2) + "\n")


if __name__ == "__main__":
    main()
