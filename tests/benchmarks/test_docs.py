"""docs/benchmarks.md and the benchmarks' docstrings name code that exists: every link to a file,
every ``module.name`` (``engine.accel.memory.retained``, ``model.fast.grain._week``, or a
module's short name, ``kernels.threaded``) and every ``THERMIDOR_`` variable the docs give. A
rename (the engine split moved ``engine.kernels`` to ``engine.accel.kernels``) fails here until
the prose follows."""

from __future__ import annotations

import ast
import importlib
import pkgutil
import re
from pathlib import Path

import pytest

import thermidor
from thermidor.model.params import PARAMS

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "benchmarks.md"
SCRIPTS = sorted((ROOT / "benchmarks").glob("*.py"))
NAME = re.compile(r"`+([A-Za-z_][\w]*(?:\.[A-Za-z_][\w]*)+)(?:\(\))?`+")
SKIP = re.compile(r"^(np|numpy|numba|pd|mesa|scipy|sys|os|json|args|self|r|ctx|ndarray)\.")


def modules() -> dict[str, list[str]]:
    """Every module of the package and of ``benchmarks``, by its full and its short names."""
    found = ["thermidor", "benchmarks"]
    found += [m.name for m in pkgutil.walk_packages(thermidor.__path__, "thermidor.")]
    found += [f"benchmarks.{p.stem}" for p in SCRIPTS if p.stem != "__init__"]
    by: dict[str, list[str]] = {}
    for full in found:
        parts = full.split(".")
        for i in range(len(parts)):
            by.setdefault(".".join(parts[i:]), []).append(full)
    return by


MODULES = modules()
PARAM_NAMES = {p.name for p in PARAMS}


def resolves(name: str) -> bool:
    """Whether a dotted name is a module, or a module and attributes, of the code."""
    parts = name.split(".")
    for i in range(len(parts), 0, -1):
        for full in MODULES.get(".".join(parts[:i]), []):
            obj = importlib.import_module(full)
            for attr in parts[i:]:
                obj = getattr(obj, attr, None)
                if obj is None:
                    break
            else:
                return True
    return False


def names_in(text: str) -> set[str]:
    out = set()
    for m in NAME.finditer(text):
        name = m.group(1)
        first = name.split(".")[0]
        if SKIP.match(name) or name in PARAM_NAMES or re.search(r"\.(py|md|json|csv|toml)$", name):
            continue
        if first in MODULES or first[:1].isupper():  # a module, or a class of one (Population)
            out.add(name)
    return out


def docstrings(path: Path) -> str:
    tree = ast.parse(path.read_text())
    nodes = [tree, *(n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef | ast.ClassDef))]
    return "\n".join(ast.get_docstring(n) or "" for n in nodes)


def class_name(name: str) -> bool:
    """``Population.thin``: a class of the engine or the model and its attribute."""
    cls, _, attr = name.partition(".")
    for mod in ("thermidor.engine", "thermidor.model.state", "thermidor.model.world"):
        obj = getattr(importlib.import_module(mod), cls, None)
        if obj is not None and (not attr or hasattr(obj, attr.split(".")[0])):
            return True
    return False


@pytest.mark.parametrize("source", [DOC, *SCRIPTS], ids=lambda p: p.name)
def test_every_name_of_the_code_exists(source: Path) -> None:
    text = source.read_text() if source.suffix == ".md" else docstrings(source)
    missing = sorted(
        n for n in names_in(text) if not (class_name(n) if n[:1].isupper() else resolves(n))
    )
    assert not missing, f"{source.name} names code that does not exist: {missing}"


def test_every_link_and_variable_in_the_benchmarks_doc_exists() -> None:
    text = DOC.read_text()
    links = [t for t in re.findall(r"\]\(([^)#\s]+)", text) if not t.startswith("http")]
    assert links and not [t for t in links if not (DOC.parent / t).exists()]
    code = "\n".join(p.read_text() for p in (ROOT / "src" / "thermidor").rglob("*.py"))
    variables = set(re.findall(r"\bTHERMIDOR_[A-Z_]+", text))
    assert not [v for v in variables if v not in code]


def test_the_check_catches_the_names_from_before_the_engine_split() -> None:
    stale = "`engine.kernels.sum_blocks`, `peasants._sow_pass`, `engine.memory.retained()`"
    assert {n for n in names_in(stale) if not resolves(n)} == {
        "engine.kernels.sum_blocks",
        "peasants._sow_pass",
        "engine.memory.retained",
    }
    assert resolves("model.fast.grain._week") and resolves("kernels.threaded")
