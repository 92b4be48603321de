"""The report: one self-contained HTML file for a run, an ensemble or a comparison.

>>> import thermidor
>>> from thermidor.report import Group, build, write
>>> write("report.html", build([Group("baseline", [thermidor.run()])], "run"))
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from thermidor.report.groups import Group
from thermidor.report.page import Mode, Sensitivity, build
from thermidor.report.sources import run_dir_group, scenario_group

__all__ = ["Group", "Mode", "Sensitivity", "build", "run_dir_group", "scenario_group", "write"]


def write(path: str | Path, html: str) -> Path:
    """Write the page atomically (a temporary sibling, then a rename)."""
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
    return target
