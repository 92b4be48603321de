"""What an ensemble varies between its members: the seed only, or also what we do not know.

``--uncertainty`` names the source:

- ``seed``: only the seed varies; every parameter keeps its declared (or the scenario's) value.
- ``prior``: member ``k`` also draws every *calibrated* parameter (``model/params.py``:
  ``calibrated_for`` names targets; ``params.CALIBRATED``, never a ``definition`` parameter)
  uniformly over its documented range (no parameter declares a prior of its own).
- ``posterior``: member ``k`` takes one row of a weighted posterior table (columns: parameter
  paths and ``weight``; or ``thermidor calibrate``'s long table: ``particle, weight, param,
  value``), drawn with probability proportional to its weight. The model ships one as
  ``model/data/posterior.parquet`` once the fit is made; until then ``posterior`` needs
  ``--posterior FILE`` and the default is ``seed``.

Member ``k``'s draw comes from its own stream, ``SeedSequence(root, spawn_key=(DRAWS, k))``:
it depends on the root and the index only, not on the member's seed, the scenario or the size of
the ensemble. So member ``k`` gets the same draw (and the same seed) in every scenario compared,
and a parameter the scenario sets itself keeps the scenario's value (the draw is overridden).
The drawn values enter the member's scenario, and so its content key; its manifest records the
draw under ``uncertainty``.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from thermidor.lab.errors import LabError
from thermidor.model.errors import ScenarioError
from thermidor.model.params import BY_NAME, CALIBRATED, suggest, validate_value
from thermidor.model.scenario import Scenario

SOURCES = ("seed", "prior", "posterior")
DRAWS = 0x64726177  # "draw": the first word of every member's draw stream's spawn key
SHIPPED = "posterior.parquet"  # in thermidor.model.data, once the fit (issue 18 item 1) is made
LONG_COLUMNS = ("particle", "weight", "param", "value")  # what ``thermidor calibrate`` saves
IGNORED = ("particle", "analysis")  # columns that name rows, not parameters
HOW_TO_MAKE = (
    "make one with `thermidor calibrate --params NAME,... --posterior-out FILE` and pass "
    "--posterior FILE"
)


def shipped_posterior() -> Path | None:
    """The posterior shipped with the model, if there is one."""
    f = resources.files("thermidor.model.data").joinpath(SHIPPED)
    return Path(str(f)) if f.is_file() else None


def default_source() -> str:
    """``posterior`` once one ships with the model, ``seed`` until then."""
    return "posterior" if shipped_posterior() is not None else "seed"


def draw_stream(root: int, k: int) -> np.random.Generator:
    """Member ``k``'s own stream of draws (independent of its seed and of the scenario)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(root, spawn_key=(DRAWS, k))))


# -- the posterior table ------------------------------------------------------------------------
@dataclass(frozen=True)
class Posterior:
    """A weighted table of parameter values, checked against the declarations."""

    file: str
    digest: str  # SHA-256 of the file's bytes (16 hex digits)
    names: tuple[str, ...]
    values: np.ndarray  # rows x names
    weights: np.ndarray  # rows, normalised to sum to 1

    @property
    def rows(self) -> int:
        return int(self.weights.size)

    @property
    def effective_size(self) -> float:
        """Kish's effective sample size of the weights."""
        return float(1.0 / np.sum(np.square(self.weights)))

    def pick(self, rng: np.random.Generator) -> int:
        """A row drawn with probability proportional to its weight."""
        i = int(np.searchsorted(np.cumsum(self.weights), rng.random(), side="right"))
        return min(i, self.rows - 1)

    def describe(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "digest": self.digest,
            "rows": self.rows,
            "effective_size": round(self.effective_size, 1),
            "parameters": list(self.names),
        }


def read_posterior(path: str | Path) -> Posterior:
    """Read and check a posterior table (Parquet): wide (parameter columns and ``weight``,
    optionally ``particle``) or the long form ``thermidor calibrate`` saves in the store
    (``analysis, particle, weight, param, value``)."""
    import pandas as pd

    p = Path(path)
    where = "posterior"
    if not p.is_file():
        raise LabError(where, str(path), "a Parquet file of weighted draws", HOW_TO_MAKE)
    try:
        frame = pd.read_parquet(p)
    except Exception as e:  # pyarrow raises several types for a file that is not Parquet
        raise LabError(where, str(path), "a Parquet file of weighted draws", str(e)) from None
    if set(LONG_COLUMNS) <= set(frame.columns) <= {*LONG_COLUMNS, *IGNORED}:
        frame = _wide(frame, str(path))
    if "weight" not in frame.columns:
        raise LabError(f"{where}.columns", list(frame.columns), "parameter paths and 'weight'")
    names = [str(c) for c in frame.columns if c not in ("weight", *IGNORED)]
    if not names:
        raise LabError(f"{where}.columns", list(frame.columns), "at least one parameter path")
    for n in names:
        if n not in BY_NAME:
            raise LabError(f"{where}.columns", n, "a declared parameter", suggest(n, list(BY_NAME)))
    if frame.empty:
        raise LabError(where, str(path), "a table with at least one row")
    try:
        w = frame["weight"].to_numpy(dtype=float)
    except (TypeError, ValueError):
        raise LabError(f"{where}.weight", "(not numbers)", "numbers >= 0") from None
    bad = np.nonzero(~np.isfinite(w) | (w < 0))[0]
    if bad.size:
        raise LabError(f"{where}.weight[{bad[0]}]", float(w[bad[0]]), "a finite number >= 0")
    if not w.sum() > 0:
        raise LabError(f"{where}.weight", "all zero", "weights that sum to more than 0")
    values = np.empty((len(frame), len(names)))
    for j, n in enumerate(names):
        col = frame[n].tolist()
        for i, v in enumerate(col):
            try:
                values[i, j] = validate_value(n, v, prefix=f"{where}[{i}]")
            except ScenarioError as e:
                raise LabError(e.path, e.value, e.allowed, e.hint) from None
    digest = hashlib.sha256(p.read_bytes()).hexdigest()[:16]
    return Posterior(str(p), digest, tuple(names), values, w / w.sum())


def _wide(long: Any, path: str) -> Any:
    """Calibrate's long table (one row per particle and parameter) as one row per particle."""
    try:
        wide = long.pivot(index="particle", columns="param", values="value")
    except ValueError:
        raise LabError("posterior", path, "one value per particle and parameter") from None
    weights = long.groupby("particle")["weight"].first()
    wide.columns = [str(c) for c in wide.columns]
    wide.insert(0, "weight", weights.reindex(wide.index).to_numpy())
    return wide.reset_index(drop=True)


def write_posterior(frame: Any, path: str | Path, force: bool = False) -> Path:
    """Write a wide posterior table (what ``--posterior`` and the shipped file hold) atomically;
    an existing file is replaced only with ``force``."""
    import os
    import tempfile

    p = Path(path)
    if p.exists() and not force:
        raise LabError("posterior-out", str(p), "a file that does not exist yet (or --force)")
    if p.is_dir():
        raise LabError("posterior-out", str(p), "a file name, not a directory")
    p.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{p.name}.", dir=p.parent)
    os.close(fd)
    try:
        frame.to_parquet(tmp, index=False)
        os.replace(tmp, p)
    finally:
        Path(tmp).unlink(missing_ok=True)
    return p


# -- the source -------------------------------------------------------------------------------
@dataclass(frozen=True)
class Uncertainty:
    """Where each member's parameters come from (``resolve`` makes one from the options)."""

    source: str = "seed"
    root: int = 0
    posterior: Posterior | None = None

    def parameters(self) -> tuple[str, ...]:
        if self.source == "prior":
            return tuple(p.name for p in CALIBRATED)
        if self.source == "posterior" and self.posterior is not None:
            return self.posterior.names
        return ()

    def draw(self, k: int) -> tuple[dict[str, float], int | None]:
        """Member ``k``'s parameter values (empty under ``seed``) and its posterior row."""
        if self.source == "seed":
            return {}, None
        rng = draw_stream(self.root, k)
        if self.source == "prior":
            return {p.name: float(rng.uniform(p.lo, p.hi)) for p in CALIBRATED}, None
        assert self.posterior is not None
        i = self.posterior.pick(rng)
        row = map(float, self.posterior.values[i])
        return dict(zip(self.posterior.names, row, strict=True)), i

    def member(self, scenario: Scenario, k: int) -> tuple[Scenario, dict[str, Any]]:
        """Member ``k``'s scenario (its draw applied where the scenario sets nothing) and what
        its manifest records of it."""
        drawn, row = self.draw(k)
        overridden = sorted(n for n in drawn if n in scenario.params)
        applied = {n: v for n, v in drawn.items() if n not in scenario.params}
        record: dict[str, Any] = {"source": self.source, "root": int(self.root), "member": k}
        if self.source != "seed":
            record["draw"] = applied
            record["overridden"] = {n: scenario.params[n] for n in overridden}
        if self.posterior is not None:
            record["posterior"] = {"file": self.posterior.file, "digest": self.posterior.digest}
            record["posterior"]["row"] = row
        if not applied:
            return scenario, record
        return dataclasses.replace(scenario, params={**applied, **scenario.params}), record

    def describe(self, n: int) -> dict[str, Any]:
        """What every output says of its uncertainty (JSON-ready)."""
        out: dict[str, Any] = {"source": self.source, "draws": n if self.source != "seed" else 0}
        out["label"] = self.label(n)
        out["parameters"] = list(self.parameters())
        out["stream"] = f"SeedSequence(root, spawn_key=({DRAWS:#x}, k))"
        if self.posterior is not None:
            out["posterior"] = self.posterior.describe()
        return out

    def label(self, n: int) -> str:
        """``uncertainty: prior (4 draws)``: the line every table and report shows."""
        if self.source == "seed":
            seeds = "1 seed" if n == 1 else f"{n} seeds"
            return f"uncertainty: seed only ({seeds}; parameters at their values)"
        draws = "1 draw" if n == 1 else f"{n} draws"
        if self.source == "prior":
            return f"uncertainty: prior ({draws} of {len(CALIBRATED)} calibrated parameters)"
        assert self.posterior is not None
        return (
            f"uncertainty: posterior ({draws} from {Path(self.posterior.file).name}, "
            f"{self.posterior.rows} rows)"
        )


def resolve(
    source: str | Uncertainty | None = None,
    posterior: str | Path | None = None,
    root: int = 0,
) -> Uncertainty:
    """The uncertainty asked for. ``source`` None: ``posterior`` with a ``posterior`` file or
    once one ships with the model, else ``seed``."""
    if isinstance(source, Uncertainty):
        return dataclasses.replace(source, root=root) if source.root != root else source
    if source is None:
        source = "posterior" if posterior is not None else default_source()
    if source not in SOURCES:
        raise LabError("uncertainty", source, f"one of {', '.join(SOURCES)}")
    if posterior is not None and source != "posterior":
        raise LabError("posterior", str(posterior), "a posterior only with --uncertainty posterior")
    if source != "posterior":
        return Uncertainty(source, root)
    file = posterior if posterior is not None else shipped_posterior()
    if file is None:
        raise LabError(
            "uncertainty",
            "posterior",
            "seed or prior: no posterior is shipped with the model yet (the fit of issue 18 "
            "comes after the model rewrite)",
            HOW_TO_MAKE,
        )
    return Uncertainty("posterior", root, read_posterior(file))


__all__ = [
    "SOURCES",
    "Posterior",
    "Uncertainty",
    "default_source",
    "read_posterior",
    "resolve",
    "shipped_posterior",
    "write_posterior",
]
