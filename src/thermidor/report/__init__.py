"""The report: one self-contained HTML file for a run, an ensemble or a comparison.

>>> import thermidor
>>> from thermidor.report import Group, build, write
>>> write("report.html", build([Group("baseline", [thermidor.run()])], "run"))
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from thermidor.model.errors import OutputError
from thermidor.model.result import writable_place
from thermidor.report.groups import Group
from thermidor.report.page import Mode, Sensitivity, build
from thermidor.report.sources import run_dir_group, scenario_group

__all__ = [
    "Group",
    "Mode",
    "Sensitivity",
    "build",
    "check_output",
    "run_dir_group",
    "scenario_group",
    "write",
]


def check_output(path: str | Path, option: str = "out") -> Path:
    """Where a report may be written: a new file or a file (replaced whole), in a place this
    user can write; a directory is refused (``OutputError``)."""
    try:
        return _check_output(Path(path), option)
    except OSError as e:  # a name too long, a loop of links
        raise OutputError(option, str(path), f"a usable file name ({e.strerror or e})") from None


def _check_output(target: Path, option: str) -> Path:
    if target.is_dir():
        raise OutputError(option, str(target), "a file name for the report (this is a directory)")
    return writable_place(target, option)


def write(path: str | Path, html: str) -> Path:
    """Write the page atomically (a temporary sibling, then a rename)."""
    target = check_output(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    except OSError as e:
        raise OutputError(
            "out", str(target), f"a place this user can write ({e.strerror or e})"
        ) from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(html)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
