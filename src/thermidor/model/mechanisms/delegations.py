"""Delegations (§5): whom the provinces send to the party's congresses and conferences.

Delegates are chosen province by province: by the members while secretaries are elected, by the
secretary once appointment dominates the province ("the secretarial hierarchy recruits the
membership of conferences and congresses", §5). The votes are counted in mechanisms/
confrontations.py (the Right's, at a Central Committee plenum, in mechanisms/right.py).
"""

from __future__ import annotations

import numpy as np

from thermidor.engine import sum_by
from thermidor.model.tree import DISTRICT, FACTIONS, N_PROVINCES
from thermidor.model.world import World

NF = len(FACTIONS)
MEMBERS_PER_DELEGATE = 1000  # the indicators' delegations: one per thousand members


def delegations(w: World, total: int | None = None) -> np.ndarray:
    """Delegates by province and faction, shape ``(n_provinces, n_factions)``.

    ``total``: the body's voting delegates (record, ``congress.voting_delegates``), shared among
    the provinces by their members and within each province by its members' factions (or all to
    its secretary's faction once appointment dominates), whole delegates by largest remainder.
    Without it, one delegate per thousand members (the indicators' measure of a delegation).
    """
    mem, org = w.members, w.organs
    key = mem["province"].astype(np.int64) * NF + mem["faction"]
    by = sum_by(key, mem["weight"], N_PROVINCES * NF).reshape(N_PROVINCES, NF)
    members = by.sum(axis=1)
    if total is None:
        total = int(max(1, round(float(members.sum()) / MEMBERS_PER_DELEGATE)))
    n_del = total * members / max(float(members.sum()), 1.0)
    below = org["level"] >= DISTRICT
    prov = org["province"][below].astype(np.int64)
    appointed = np.bincount(prov, weights=org["appointed"][below], minlength=N_PROVINCES) / (
        np.maximum(np.bincount(prov, minlength=N_PROVINCES), 1)
    )
    head = org["faction"][1 : 1 + N_PROVINCES]
    expected = np.zeros((N_PROVINCES, NF))
    by_secretary = appointed >= 0.5
    expected[np.arange(N_PROVINCES)[by_secretary], head[by_secretary]] = n_del[by_secretary]
    share = by / np.maximum(members, 1.0)[:, None]
    expected[~by_secretary] = share[~by_secretary] * n_del[~by_secretary, None]
    return largest_remainder(expected, total)


def largest_remainder(expected: np.ndarray, total: int) -> np.ndarray:
    """Whole numbers summing to ``total`` (when ``expected`` sums to it), each the floor of its
    expected value or one more: the largest remainders get the seats left over."""
    whole = np.floor(expected)
    left = round(float(total - whole.sum()))
    if left > 0:
        frac = (expected - whole).ravel()
        top = np.argsort(-frac, kind="stable")[:left]
        flat = whole.ravel()
        flat[top] += 1
        whole = flat.reshape(expected.shape)
    return whole
