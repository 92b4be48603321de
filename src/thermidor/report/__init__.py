"""The report: one self-contained HTML file for a run, an ensemble or a comparison.

>>> from thermidor.report import Group, build
>>> html = build([Group("baseline", [thermidor.run()])], "run")
"""

from thermidor.report.groups import Group
from thermidor.report.page import Mode, Sensitivity, build
from thermidor.report.sources import run_dir_group, scenario_group

__all__ = ["Group", "Mode", "Sensitivity", "build", "run_dir_group", "scenario_group", "write"]


def write(path: str, html: str) -> None:
    """Write the page atomically (a temporary sibling, then a rename)."""
    import os
    import tempfile
    from pathlib import Path

    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
