"""M15 (§8, §9): each component of control and cohesion responds continuously and monotonically
to its inputs (no jumps, no term fixed at a constant), and the thresholds are definitions."""

from __future__ import annotations

import numpy as np
import pytest

from thermidor.lab.sensitivity import factors
from thermidor.model.mechanisms.bureaucracy import (
    cohesion_of,
    control_of,
    police_step,
    production_hold,
    quiet_of,
)
from thermidor.model.params import BY_NAME

GRID = np.linspace(0.0, 1.0, 201)
STEP = GRID[1] - GRID[0]


def _continuous_monotone(values: np.ndarray, rising: bool) -> None:
    d = np.diff(values)
    assert (d >= -1e-12).all() if rising else (d <= 1e-12).all(), "not monotone"
    # no jump: a step of the input moves the output by at most a bounded multiple of the step
    assert np.abs(d).max() <= 10 * STEP, f"a jump of {np.abs(d).max():.3f}"
    assert values.max() - values.min() > 0.05, "a constant: the input does not reach the term"


@pytest.mark.parametrize("k", [0.0, 0.3, 0.8])
def test_production_hold_falls_with_workers_democracy_and_capacity(k: float) -> None:
    _continuous_monotone(np.array([production_hold(x, k, 0.5, 0.3) for x in GRID]), rising=False)
    _continuous_monotone(np.array([production_hold(0.0, x, 0.0, 0.3) for x in GRID]), rising=False)


def test_production_hold_rises_with_commercial_accounting_and_falls_with_worker_managers() -> None:
    _continuous_monotone(np.array([production_hold(0.1, 0.5, x, 0.2) for x in GRID]), rising=True)
    _continuous_monotone(np.array([production_hold(0.1, 0.5, 1.0, x) for x in GRID]), rising=False)
    # not pinned at 1 under the NEP: the class's capacity still counts through its managers
    assert production_hold(0.0, 0.6, 1.0, 0.3) < production_hold(0.0, 0.2, 1.0, 0.3) < 1.0


def test_police_hold_moves_toward_what_the_soviets_leave_unchecked() -> None:
    _continuous_monotone(np.array([police_step(0.5, x, 1.0, 1.0) for x in GRID]), rising=False)
    _continuous_monotone(np.array([police_step(x, 0.2, 1.0, 1.0) for x in GRID]), rising=True)
    held = 0.0
    for _ in range(52 * 10):
        held = police_step(held, 0.3, 1.0, 1 / 52)
    assert held == pytest.approx(0.7, abs=1e-3)


def test_control_rises_with_each_of_its_holds() -> None:
    for i in range(4):
        args = [0.5, 0.5, 0.5, 0.5]
        vals = []
        for x in GRID:
            args[i] = x
            vals.append(control_of(*args))
        _continuous_monotone(np.array(vals), rising=True)


def test_cohesion_rises_with_alignment_quiet_and_privilege_and_falls_with_tradition() -> None:
    for i, rising in enumerate((True, True, True, False)):
        args = [0.8, 0.8, 0.8, 0.2]
        vals = []
        for x in GRID[20:181]:  # the geometric mean's slope is bounded away from 0 and 1
            args[i] = x
            vals.append(cohesion_of(*args))
        _continuous_monotone(np.array(vals), rising=rising)


def test_the_strength_left_to_an_opposition_lowers_quiet_linearly() -> None:
    vals = np.array([quiet_of(x * 0.3, 0.2) for x in GRID])
    _continuous_monotone(vals, rising=False)
    assert quiet_of(0.0, 0.2) == 1.0 and quiet_of(0.2, 0.2) == 0.0


def test_thresholds_are_definitions_held_fixed_in_sensitivity() -> None:
    names = {f.name for f in factors()}
    for name in (
        "bureaucracy.control_threshold",
        "bureaucracy.cohesion_threshold",
        "bureaucracy.opposition_scale",
    ):
        assert BY_NAME[name].cls == "definition"
        assert not BY_NAME[name].calibrated_for
        assert name not in names
