"""docs/ODD.md §1.3 states which targets are calibrated: it must say what params.py declares."""

from __future__ import annotations

import csv
import re
from pathlib import Path

from thermidor.model.targets import calibrated_by

ROOT = Path(__file__).resolve().parents[2]
ODD = (ROOT / "docs" / "ODD.md").read_text()
TARGETS = list(csv.DictReader((ROOT / "src/thermidor/model/data/targets.csv").open()))


def _table() -> dict[str, tuple[str, list[str]]]:
    rows = {}
    for line in ODD.splitlines():
        m = re.match(r"\| ([TO]\d+) \|.*\| (calibrated|emergent) \|(.*)\|$", line)
        if m:
            names = [n.strip() for n in m.group(3).split(",") if n.strip()]
            rows[m.group(1)] = (m.group(2), names)
    return rows


def test_the_table_lists_every_target_with_the_parameters_that_calibrate_it() -> None:
    table = _table()
    assert sorted(table) == sorted(r["id"] for r in TARGETS)
    for tid, (role, names) in table.items():
        declared = calibrated_by(tid)
        assert role == ("calibrated" if declared else "emergent"), tid
        assert sorted(names) == sorted(declared), tid


def test_the_counts_under_the_table_add_up() -> None:
    n_cal = sum(1 for r in TARGETS if calibrated_by(r["id"]))
    m = re.search(r"(\d+) calibrated, (\d+) emergent", ODD)
    assert m is not None
    assert (int(m.group(1)), int(m.group(2))) == (n_cal, len(TARGETS) - n_cal)


def test_the_list_of_emergent_targets_is_the_tables() -> None:
    m = re.search(r"The emergent ones are\s+(.*?)\.\s", ODD, re.S)
    assert m is not None
    listed = re.findall(r"[TO]\d+", m.group(1))
    assert listed == [r["id"] for r in TARGETS if not calibrated_by(r["id"])]
