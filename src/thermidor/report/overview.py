"""The README's overview figure of one run: the class, democracy, the party and the bureaucracy.

``python -m thermidor.report.overview [RUN_DIR] [PNG]`` (``make figure``) draws it from a run
directory (default ``runs/baseline/seed-0``) into ``docs/img/baseline-overview.png``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from thermidor.model.result import Result, read

MARKED = ("insurrection", "new_economic_policy", "bureaucracy_consolidated")


def overview(r: Result, out: Path) -> Path:
    """Draw the four panels of ``r`` into ``out`` (PNG); the essay's 1920 figures as dots."""
    df = r.to_pandas()
    fig, ax = plt.subplots(2, 2, figsize=(11, 7), sharex=True)
    ax[0, 0].plot(df.index, df["working_class_vs_1917"], label="working class (1917 = 1)")
    ax[0, 0].plot(df.index, df["industrial_output_vs_prewar"], label="industrial output (1913 = 1)")
    ax[0, 0].scatter(
        [df.index[df.index.year == 1920][26]] * 2,
        [0.43, 0.18],
        color="k",
        zorder=3,
        label="essay, 1920 (§2)",
    )
    ax[0, 0].set_title("The class that made the revolution (§2, §5)")
    ax[0, 0].set_ylabel("ratio")
    ax[0, 0].legend(fontsize=8)
    ax[0, 1].plot(df.index, df["class_capacity"], label="class capacity K")
    ax[0, 1].plot(df.index, df["workers_democracy"], label="workers' democracy W")
    ax[0, 1].plot(df.index, df["party_democracy"], label="party democracy D")
    ax[0, 1].set_title("Democracy of the class and of the party (§3, §5)")
    ax[0, 1].set_ylabel("index")
    ax[0, 1].legend(fontsize=8)
    ax[1, 0].plot(df.index, df["party_members"] / 1e3, label="party members (thousands)")
    ax[1, 0].plot(df.index, df["old_bolshevik_share"] * 1e3, label="old Bolsheviks (per mille)")
    ax[1, 0].set_title("Dilution of the party (§5)")
    ax[1, 0].legend(fontsize=8)
    ax[1, 1].plot(df.index, df["bureaucratic_control"], label="control (class in itself)")
    ax[1, 1].plot(df.index, df["bureaucratic_cohesion"], label="cohesion (class for itself)")
    ax[1, 1].plot(df.index, df["faction_share:left_opposition"], label="Left Opposition's share")
    ax[1, 1].axhline(0.8, color="grey", ls=":", lw=1, label="declared thresholds")
    ax[1, 1].set_title("The bureaucracy becomes a class (§8, §9)")
    ax[1, 1].set_ylabel("index / share")
    ax[1, 1].legend(fontsize=8)
    for e in r.events:
        if e.kind in MARKED:
            for a in ax.flat:
                a.axvline(r.dates[e.step], color="red", lw=0.6, alpha=0.5)
    fig.suptitle(
        f"thermidor baseline, seed {r.manifest['seed']}: red lines = insurrection, NEP, "
        "consolidation (all decided by rules of the state)",
        fontsize=10,
    )
    fig.tight_layout()
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=90)
    plt.close(fig)
    return out


def main(argv: list[str]) -> None:
    run_dir = Path(argv[0]) if argv else Path("runs/baseline/seed-0")
    png = Path(argv[1]) if len(argv) > 1 else Path("docs/img/baseline-overview.png")
    print(f"wrote {overview(read(run_dir), png)}")


if __name__ == "__main__":
    main(sys.argv[1:])
