"""Emulators for history matching (Andrianakis et al. 2015, section 3): one Gaussian process per
target, fitted to the runs a fit has made, that predicts the mean statistic of a point it has
not run, with the predictive variance of what it does not know.

A wave with ``emulate`` > 0 candidates (``history_matching.history_match``) draws that many
Latin hypercube candidates in its box instead of ``points``, and runs only ``points`` of them:
the candidates the emulators find non-implausible, in the hypercube's order, and the least
emulator-implausible after them when fewer are. The emulators are fitted on every earlier wave's
points (inside the wave's box or not: the process is one over the documented ranges), one point's
mean over its seeds per target; a point whose runs stopped on a guard gives no target a value and is left out. The
emulator's implausibility of a candidate for a target is

    I = |prediction - observed| / sqrt(emulator variance + model variance + tolerance² ×
        (1 + discrepancy²))

with the model variance the training points' mean seed variance times (1 + 1/seeds), the same
rules for one-sided targets and orders as ``lab/implausibility.py``, and the same measure and
threshold as the runs'. A candidate the emulators keep is only a candidate: the runs decide, so
the posterior is drawn from points the model itself found non-implausible, never from a
prediction.

Inputs are scaled to [0, 1] over each parameter's documented range; the kernel is a constant
times an RBF with one length scale per parameter (automatic relevance) plus white noise, its
hyperparameters fitted by maximum likelihood (scikit-learn's ``GaussianProcessRegressor``,
``normalize_y``, one L-BFGS-B start from length 0.5, at most ``MAXITER`` iterations). A target whose training values are all
equal is predicted to be that value with no variance.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from thermidor.lab.calibrate import observed
from thermidor.lab.implausibility import tolerance
from thermidor.model.targets import Target


@dataclass
class Emulators:
    """One fitted Gaussian process per target (``None``: the target's training values are
    constant, ``constant`` holds them), over inputs scaled by ``lo`` and ``hi``."""

    targets: tuple[Target, ...]
    lo: np.ndarray
    hi: np.ndarray
    models: list[object | None]
    constant: np.ndarray  # per target: the value where the model is None
    model_var: np.ndarray  # per target: the runs' variance around a point's mean
    trained_on: int  # points

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Mean and variance of each target's statistic at points ``x`` (points x params)."""
        u = (np.asarray(x, dtype=float) - self.lo) / (self.hi - self.lo)
        mean = np.empty((u.shape[0], len(self.targets)))
        var = np.zeros_like(mean)
        for j, gp in enumerate(self.models):
            if gp is None:
                mean[:, j] = self.constant[j]
                continue
            m, s = gp.predict(u, return_std=True)  # type: ignore[attr-defined]
            mean[:, j], var[:, j] = m, np.asarray(s) ** 2
        return mean, var

    def implausibility(self, x: np.ndarray, discrepancy: float = 0.0) -> np.ndarray:
        """Each point's emulator implausibility per target (points x targets)."""
        mean, var = self.predict(x)
        out = np.empty_like(mean)
        for j, t in enumerate(self.targets):
            obs = 1.0 if t.kind == "order" else observed(t)
            d = mean[:, j] - obs
            if t.compare == "at_least" or t.kind == "order":
                d = np.minimum(d, 0.0)
            elif t.compare == "below":
                d = np.maximum(d, 0.0)
            denom = np.sqrt(
                var[:, j] + self.model_var[j] + tolerance(t) ** 2 * (1 + discrepancy**2)
            )
            with np.errstate(divide="ignore", invalid="ignore"):
                out[:, j] = np.where(denom > 0, np.abs(d) / denom, np.where(d == 0, 0.0, math.inf))
        return out


MAXITER = 200  # L-BFGS-B iterations of the likelihood's optimiser: a bounded time per target


def _bounded(obj: Any, theta: np.ndarray, bounds: np.ndarray) -> tuple[np.ndarray, float]:
    """scikit-learn's own optimiser (L-BFGS-B on the log marginal likelihood), its iterations
    bounded."""
    from scipy.optimize import minimize

    r = minimize(obj, theta, method="L-BFGS-B", jac=True, bounds=bounds,
                 options={"maxiter": MAXITER})  # fmt: skip
    return r.x, float(r.fun)


def fit_emulators(
    x: np.ndarray, stats: np.ndarray, targets: Sequence[Target], lo: np.ndarray, hi: np.ndarray
) -> Emulators:
    """Fit one Gaussian process per target to points ``x`` (points x params) and their runs'
    statistics ``stats`` (points x seeds x targets)."""
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import RBF, ConstantKernel, WhiteKernel

    ok = ~np.isnan(stats).any(axis=(1, 2))  # a run stopped on a guard: no value to learn
    x, stats = np.asarray(x, dtype=float)[ok], stats[ok]
    u = (x - lo) / (hi - lo)
    k = stats.shape[1]
    y = stats.mean(axis=1)
    model_var = (
        stats.var(axis=1, ddof=1).mean(axis=0) * (1 + 1 / k) if k > 1 else np.zeros(y.shape[1])
    )
    models: list[object | None] = []
    constant = np.zeros(y.shape[1])
    for j in range(y.shape[1]):
        col = y[:, j]
        if np.ptp(col) == 0:
            models.append(None)
            constant[j] = col[0]
            continue
        kernel = ConstantKernel(1.0) * RBF(
            np.full(u.shape[1], 0.5), length_scale_bounds=(0.05, 100.0)
        ) + WhiteKernel(1e-2, noise_level_bounds=(1e-8, 1.0))
        gp = GaussianProcessRegressor(kernel, optimizer=_bounded, normalize_y=True, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)  # a length at its bound: flat
            gp.fit(u, col)
        models.append(gp)
    return Emulators(tuple(targets), lo, hi, models, constant, model_var, int(ok.sum()))


__all__ = ["Emulators", "fit_emulators"]
