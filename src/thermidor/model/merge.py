"""Merging agents that have become alike: one agent, the summed weight, nobody created or lost.

Agents are appended every week (recruits, migrants, conscripts, new officials) and only thinned
afterwards, so without merging a population's agent count grows with the run and with any
parameter draw that raises a flow. :func:`merge` folds the agents of a population whose every
attribute but ``weight`` is equal into one, weight summed exactly (int64), with no flow in the
ledger: the persons are the same persons, counted in fewer rows. In a run a merged group is cut
again into agents of the population's scale (persons per agent): mechanisms select and move
whole agents (conscription, rotation, promotion), and one agent of 50,000 persons would make
those flows lumpy. So a population holds about ``persons / scale`` agents plus one remainder
per combination of attributes, however many small agents thinning has left.

Float attributes are rarely equal. A population may name some of them *binned* (``bins``:
column -> width): agents merge when those columns fall in the same bin ``floor(x / width)``
and every other attribute is equal, and the merged agent carries the weighted mean of the
column (so the column's weighted total, e.g. the consciousness of a city's workers, is kept to
float rounding). What that costs is the spread inside a bin: at most ``width`` between two
merged agents, against the per-agent noise the mechanisms draw (docs/ODD.md, "Merging").
Integer and boolean attributes always merge on exact equality, so every total by an integer
attribute (``sum_by``) is unchanged by a merge.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from thermidor.engine import Context, Population, chunks
from thermidor.model.params import Params
from thermidor.model.world import World

WEIGHT = "weight"

MERGED: dict[str, Mapping[str, float]] = {
    # population -> binned float columns and their widths (every other column merges exactly)
    "workers": {"consciousness": 0.01},  # [0, 1]; thresholds are read at 0.01 resolution
    "soldiers": {"consciousness": 0.01},
    "officials": {},  # booleans and a city: exact
}
"""The populations the model merges and their binned columns. Households are not merged: their
count never grows (a household agent keeps its row for the run) and their land, stock and wealth
are the differentiation M8 models. Members are not merged: each recruit is placed in one of
19,200 cells (model/tree.py) with its own conviction, so alike members are rare (measured: 1,127
rows of 158,702 on the default run, for 4 s of sorting); their count follows the party's
membership, which the record bounds."""


def merge(pop: Population, bins: Mapping[str, float] | None = None, cap: int | None = None) -> int:
    """Fold agents of ``pop`` alike in every attribute but weight (``bins``: float columns
    compared by bin, carrying the weighted mean) into one; drop agents of zero weight.

    ``cap``: a group heavier than ``cap`` persons becomes agents of ``cap`` persons and one
    remainder (:func:`thermidor.engine.chunks`), so that mechanisms that move or select whole
    agents keep the grain of the population's scale. The merged agents take the place of the
    group's first agent (order is otherwise kept). Returns how many rows went (negative: how
    many came, when heavy agents were split). No draw is made and no flow recorded."""
    bins = dict(bins or {})
    unknown = set(bins) - set(pop.columns)
    if unknown or WEIGHT in bins:
        raise KeyError(f"{pop.name}: cannot bin {sorted(unknown | (set(bins) & {WEIGHT}))}")
    n = pop.n
    w = pop[WEIGHT]
    if n < 2:
        gone = int((w <= 0).sum())
        pop.compact()
        return gone
    cols = [c for c in pop.columns if c != WEIGHT]
    keys = [np.floor(pop[c] / bins[c]).astype(np.int64) if c in bins else pop[c] for c in cols]
    order = np.lexsort(keys[::-1])  # stable: alike agents stay in their original order
    differs = np.zeros(n - 1, dtype=bool)
    for k in keys:
        ks = k[order]
        differs |= ks[1:] != ks[:-1]
    starts = np.flatnonzero(np.concatenate(([True], differs)))
    alive = w > 0
    weight = np.add.reduceat(w[order], starts)
    if starts.size == n and alive.all():
        return 0  # no two alike (an agent heavier than cap is split only when merged)
    first = order[starts]  # each group's first agent, in original order below
    keep = np.argsort(first, kind="stable")
    keep = keep[weight[keep] > 0]
    split, of = (weight[keep], np.arange(keep.size)) if cap is None else chunks(weight[keep], cap)
    rows = keep[of]
    out: dict[str, np.ndarray] = {WEIGHT: split}
    for c in cols:
        if c in bins:
            x = pop[c][order].astype(np.float64)
            total = np.add.reduceat(x * w[order], starts)
            mean = np.divide(total, weight, out=x[starts].copy(), where=weight > 0)
            out[c] = mean[rows].astype(pop.dtypes[c])
        else:
            out[c] = pop[c][first[rows]]
    gone = n - split.size
    pop.remove(np.ones(n, dtype=bool))
    pop.append(**out)
    return gone


SLACK = 1.25
"""A population is merged when it holds more than ``SLACK`` times the agents its persons fill at
its scale (plus :data:`ROOM`): merging is bookkeeping, so it is done when the rows have grown,
not on a date. In the baseline the populations stay within a few per cent of that count between
merges (measured: workers 1.04-1.07 with a merge every month), so a monthly merge folded a few
dozen rows for a tenth of the run's time; a parameter draw that multiplies a flow still cannot
make the rows grow beyond ``SLACK`` times the persons' count."""
ROOM = 64
"""Rows allowed above ``SLACK x persons / scale``: one remainder per combination of attributes."""


def crowded(pop: Population, scale: int) -> bool:
    """Whether ``pop`` holds more rows than its persons need (see :data:`SLACK`)."""
    return pop.n > SLACK * float(pop[WEIGHT].sum()) / scale + ROOM


def agents(w: World, p: Params, ctx: Context) -> None:
    """Weekly: merge those populations named in :data:`MERGED` that are crowded (no person
    created or lost). Checked every week, not monthly: the check is one sum per population, and
    a draw that raises a flow (conscription in 1919-20) can more than double a population's rows
    within a month."""
    for name, bins in MERGED.items():
        pop, scale = w.population(name), w.scales[name]
        if crowded(pop, scale):
            merge(pop, bins, cap=scale)
