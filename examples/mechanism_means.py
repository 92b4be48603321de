"""Which mechanism carried a comparison's differences: the table of docs/findings.md.

For each scenario of a store filled by ``thermidor compare``, the 1927 means over its runs of the
indicators that M15 reads (the apparatus's control and cohesion, its hold on the police and on
production) and of the class against 1917, and in how many runs the chain that carries the
baseline's cohesion over its threshold ran (the Leningrad opposition formed; expulsions).

    python -m examples.mechanism_means STORE [YEAR]
"""

from __future__ import annotations

import sys

import numpy as np

from thermidor.lab.outcomes import mean_over_year
from thermidor.lab.store import Store

INDICATORS = (
    "bureaucratic_control",
    "bureaucratic_cohesion",
    "apparatus_hold:police",
    "apparatus_hold:production",
    "working_class_vs_1917",
)
EVENTS = ("leningrad_opposition_formed", "expulsions")


def table(store: Store, year: int = 1927) -> list[str]:
    """Markdown rows, one per scenario in the order the store holds them."""
    head = ["scenario", "control", "cohesion", "police hold", "production hold",
            "class vs 1917", "Leningrad opposition formed", "expulsions", "runs"]  # fmt: skip
    lines = ["| " + " | ".join(head) + " |", "|---|" + "---:|" * (len(head) - 1)]
    for scenario, runs in store.runs().groupby("scenario", sort=False):
        means, seen = [], dict.fromkeys(EVENTS, 0)
        for key in runs["key"]:
            r = store.load(key)
            means.append([mean_over_year(r, i, year) for i in INDICATORS])
            kinds = {e.kind for e in r.events}
            for e in EVENTS:
                seen[e] += e in kinds
        m = np.nanmean(np.array(means), axis=0)
        cells = [f"`{scenario}`", *(f"{v:.2f}" for v in m), *(str(seen[e]) for e in EVENTS)]
        lines.append("| " + " | ".join(cells) + f" | {len(runs)} |")
    return lines


if __name__ == "__main__":
    print("\n".join(table(Store(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 1927)))
