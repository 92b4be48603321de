"""The walk of history matching: random-walk Metropolis chains over the non-implausible region
(ABC-MCMC with a uniform kernel, Marjoram et al. 2003, *PNAS* 100: 15324), for a region too
narrow in the joint space for a Latin hypercube to land in.

The prior is uniform over the documented ranges and the likelihood the indicator of
non-implausibility (a point's measure at most the threshold, the waves' own cut), so the
Metropolis rule is: a proposal the runs find non-implausible is accepted, any other rejected, and
the chains' states are draws from the uniform distribution over the non-implausible region they
can reach. Each chain starts at one of the last wave's kept points (evenly spaced over them in
their order, so the starts are spread) and each step proposes, for every chain at once, a
Gaussian move in coordinates scaled to [0, 1] over the documented ranges, its standard
deviation per parameter ``step`` × the last wave's box width (what the waves found each
parameter's slack), reflected at the ranges' ends (a symmetric proposal, so the rule stays
exact). During the first ``adapt`` steps the scale follows the acceptance (Robbins–Monro:
log scale += (acceptance − 0.234) / sqrt(step + 1), the acceptance over the chains at that step,
0.234 the rate Roberts et al. 1997 found best); after them it is frozen and the states count.
Every step's proposals come from their own stream of the root, so a walk resumed after a kill
makes the same proposals.

``proposal="differential"`` proposes instead by differential evolution from an archive of past
states (DE-MCzs, ter Braak and Vrugt 2008, *Statistics and Computing* 18: 435): chain *i* moves to
x + γ (z_a − z_b) + ε, z_a and z_b two distinct rows of the archive (the last wave's kept points,
then every chain's state each :data:`ARCHIVE_EVERY` steps), γ = 2.38 / sqrt(2 d) × the adapted
scale (γ = 1 with probability :data:`JUMP`, a move the size of the region's own spread, which lets
a chain reach a part of the region where another chain is), ε a Gaussian jitter of
:data:`JITTER` of each range. The move is symmetric (z_a − z_b and z_b − z_a are equally likely)
and reflected like the Gaussian one, and it takes the region's own shape and scale per
direction, where a Gaussian step of one width for every parameter is too small for those the
region leaves free and too large for those it pins. Its scale keeps adapting after the first
``adapt`` steps, by the same rule whose steps shrink as 1/sqrt(step) (a diminishing adaptation,
which keeps the chains' limit, Roberts and Rosenthal 2007, *J. Appl. Prob.* 44: 458): the
archive's spread, and so the size of its moves, grows as the chains spread over the region, so a
scale frozen while the archive held only the last wave's points makes moves far too long later
(a first walk of 218 steps, frozen at step 20, fell to 8% acceptance).

Diagnostics (``summary``): the acceptance, the potential scale reduction R-hat per parameter
(Gelman and Rubin 1992, on the states after adaptation) and the effective sample size per
parameter (Geyer's initial positive sequence over the chains' pooled autocorrelation).
"""

from __future__ import annotations

import math

import numpy as np

TARGET_ACCEPTANCE = 0.234
WALK_STREAM = 0x77616C6B  # "walk"
PROPOSALS = ("gaussian", "differential")
ARCHIVE_EVERY = 5  # steps between additions of the chains' states to the archive (DE-MCzs's K)
JUMP = 0.1  # probability that a differential move takes gamma = 1
JITTER = 1e-3  # the differential move's Gaussian jitter, a share of each range


def starts(kept: np.ndarray, chains: int) -> np.ndarray:
    """``chains`` starting points evenly spaced over the kept points (rows, in their order)."""
    idx = np.floor(np.arange(chains) * len(kept) / chains).astype(int)
    return kept[idx]


def reflect(u: np.ndarray) -> np.ndarray:
    """Fold coordinates back into [0, 1] at both ends (a mirror, any number of times)."""
    u = np.mod(u, 2.0)
    return np.where(u > 1.0, 2.0 - u, u)


def propose(state: np.ndarray, scale: np.ndarray, root: int, step: int) -> np.ndarray:
    """Step ``step``'s proposals for every chain (rows of ``state``, unit coordinates)."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([root, WALK_STREAM, step])))
    return reflect(state + rng.standard_normal(state.shape) * scale)


def de_gamma(d: int) -> float:
    """The differential move's gamma for ``d`` parameters (ter Braak 2006's 2.38 / sqrt(2 d))."""
    return 2.38 / math.sqrt(2 * d)


def propose_differential(
    state: np.ndarray, archive: np.ndarray, scale: float, root: int, step: int
) -> np.ndarray:
    """Step ``step``'s differential proposals for every chain (rows of ``state``) from the
    ``archive`` of past states (rows), all in unit coordinates."""
    rng = np.random.Generator(np.random.PCG64(np.random.SeedSequence([root, WALK_STREAM, step])))
    m, d = state.shape
    a = rng.integers(0, len(archive), size=m)
    b = (a + rng.integers(1, len(archive), size=m)) % len(archive)  # another row than a
    gamma = np.where(rng.random(m) < JUMP, 1.0, de_gamma(d) * scale)
    move = gamma[:, None] * (archive[a] - archive[b])
    return reflect(state + move + rng.standard_normal((m, d)) * JITTER)


def adapted(log_scale: float, acceptance: float, step: int) -> float:
    return log_scale + (acceptance - TARGET_ACCEPTANCE) / math.sqrt(step + 1)


def rhat(chains: np.ndarray) -> np.ndarray:
    """Gelman–Rubin potential scale reduction per parameter; ``chains`` is chains x states x
    parameters (NaN where every chain stayed put)."""
    m, n, _ = chains.shape
    if n < 2 or m < 2:
        return np.full(chains.shape[2], math.nan)
    w = chains.var(axis=1, ddof=1).mean(axis=0)
    b = n * chains.mean(axis=1).var(axis=0, ddof=1)
    var = (n - 1) / n * w + b / n
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(w > 0, np.sqrt(var / w), math.nan)


def effective_size(chains: np.ndarray) -> np.ndarray:
    """Effective sample size per parameter (Geyer's initial positive sequence)."""
    m, n, d = chains.shape
    out = np.empty(d)
    for j in range(d):
        x = chains[:, :, j] - chains[:, :, j].mean()
        var = float(np.mean(x**2))
        if var == 0 or n < 4:
            out[j] = float(m)  # every state the same: one draw a chain at best
            continue
        rho = [float(np.mean(x[:, : n - t] * x[:, t:])) / var for t in range(n // 2)]
        total, t = 0.0, 1
        while t + 1 < len(rho) and rho[t] + rho[t + 1] > 0:
            total += rho[t] + rho[t + 1]
            t += 2
        out[j] = min(m * n, m * n / (1 + 2 * total))
    return out


def summary(states: np.ndarray, accepted: np.ndarray, adapt: int, names: list[str]) -> dict:
    """The walk's diagnostics: ``states`` is steps+1 x chains x parameters (the starts first),
    ``accepted`` steps x chains. R-hat is given over every state after adaptation and over the
    second half of them (Gelman and Rubin 1992 discard the first half, where the chains may
    still carry their starts). ``apart`` per parameter is how far apart the chains' means over
    that second half lie, as a share of the range (states are in unit coordinates): R-hat is
    scale-free, so a parameter the region pins to a sliver of its range can show a large R-hat
    while its chains differ by a thousandth of it; ``apart`` says which."""
    after = states[1 + adapt :].transpose(1, 0, 2)  # chains x states x parameters
    r, e = rhat(after), effective_size(after)
    half = after[:, after.shape[1] // 2 :]
    late = rhat(half)  # Gelman and Rubin's own: the second half
    means = half.mean(axis=1) if half.shape[1] else np.full((half.shape[0], len(names)), np.nan)
    apart = means.max(axis=0) - means.min(axis=0) if means.size else np.full(len(names), np.nan)
    steps = accepted.shape[0]
    return {
        "chains": int(accepted.shape[1]),
        "steps": int(steps),
        "adapt": int(adapt),
        "states_kept": int(after.shape[0] * after.shape[1]),
        "acceptance": float(accepted.mean()) if steps else None,
        "acceptance_after_adapt": float(accepted[adapt:].mean()) if steps > adapt else None,
        "acceptance_per_chain": [float(a) for a in accepted.mean(axis=0)] if steps else [],
        "rhat_max": _finite_max(r),
        "rhat_max_second_half": _finite_max(late),
        "ess_min": float(np.min(e)) if e.size else None,
        "per_param": [
            {
                "param": p,
                "rhat": None if math.isnan(r[j]) else float(r[j]),
                "ess": float(e[j]),
                "apart": None if math.isnan(apart[j]) else float(apart[j]),
            }
            for j, p in enumerate(names)
        ],
    }


def _finite_max(v: np.ndarray) -> float | None:
    ok = v[np.isfinite(v)]
    return float(ok.max()) if ok.size else None


__all__ = [
    "ARCHIVE_EVERY",
    "PROPOSALS",
    "adapted",
    "de_gamma",
    "effective_size",
    "propose",
    "propose_differential",
    "reflect",
    "rhat",
    "starts",
    "summary",
]
