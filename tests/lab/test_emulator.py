"""The emulators of history matching: a Gaussian process per target that learns a smooth
statistic from a few dozen points, says how unsure it is where it has no runs, and screens the
candidates of a wave; a toy fit whose wave 2 runs the candidates they keep."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.lab.conftest import COARSE, SCALE_ARGS, cli, said
from tests.lab.test_history_matching import PARAMS, TARGETS, UNTIL
from thermidor.lab.calibrate import observed
from thermidor.lab.emulator import fit_emulators
from thermidor.lab.history_matching import history_match, hypercube
from thermidor.lab.implausibility import tolerance
from thermidor.lab.store import Store


def _linear_world(x: np.ndarray) -> np.ndarray:
    """Two statistics of two parameters: T01's value grows with the first (observed at 0.5);
    T28's lateness in months is the second's distance from 0.3, times 20 (a parabola)."""
    t01 = observed(TARGETS["T01"]) + 0.4 * (x[:, 0] - 0.5)
    t28 = 20 * (x[:, 1] - 0.3) ** 2
    return np.stack([t01, t28], axis=1)[:, None, :]  # points x one seed x targets


def test_an_emulator_learns_a_smooth_statistic_and_is_unsure_far_from_its_runs() -> None:
    lo, hi = np.zeros(2), np.ones(2)
    x = hypercube([(0.0, 1.0), (0.0, 1.0)], 40, root=0, wave=1)
    em = fit_emulators(x, _linear_world(x), [TARGETS["T01"], TARGETS["T28"]], lo, hi)
    assert em.trained_on == 40
    test = hypercube([(0.0, 1.0), (0.0, 1.0)], 200, root=1, wave=1)
    mean, var = em.predict(test)
    truth = _linear_world(test)[:, 0, :]
    for j in range(2):
        r2 = 1 - np.mean((mean[:, j] - truth[:, j]) ** 2) / np.var(truth[:, j])
        assert r2 > 0.95
    # far outside the runs (the box's corner, three widths away) the emulator is less sure
    _, far = em.predict(np.array([[3.0, 3.0]]))
    assert (far[0] > 10 * np.median(var, axis=0)).all()
    # the screen keeps the candidates whose statistics meet the targets, and rules out the rest
    imp = em.implausibility(test)
    true_imp = np.abs(truth - [observed(TARGETS["T01"]), 0.0]) / [
        tolerance(TARGETS["T01"]),
        tolerance(TARGETS["T28"]),
    ]
    clear = (true_imp.max(axis=1) > 5) | (true_imp.max(axis=1) < 1)  # away from the cut
    agree = (imp.max(axis=1) <= 3) == (true_imp.max(axis=1) <= 3)
    assert agree[clear].mean() > 0.95 and (imp.max(axis=1) <= 3).any()


def test_a_target_whose_runs_never_differ_is_predicted_without_doubt() -> None:
    x = hypercube([(0.0, 1.0), (0.0, 1.0)], 10, root=0, wave=1)
    stats = np.zeros((10, 2, 1))  # never late, whatever the parameters
    em = fit_emulators(x, stats, [TARGETS["T28"]], np.zeros(2), np.ones(2))
    mean, var = em.predict(x[:3])
    assert (mean == 0).all() and (var == 0).all()
    stats[3] = np.nan  # a run stopped on a guard teaches nothing
    assert fit_emulators(x, stats, [TARGETS["T28"]], np.zeros(2), np.ones(2)).trained_on == 9


def test_a_fit_with_emulators_runs_the_candidates_they_keep_and_resumes_them(
    tmp_path: Path,
) -> None:
    kw: dict[str, Any] = dict(waves=2, points=6, seeds=1, measure="max", until=UNTIL,
                              scale=COARSE, check_seeds=1, store=Store(tmp_path / "runs"))  # fmt: skip
    m = history_match(PARAMS, emulate=200, **kw)
    one, two = m.waves
    assert one.screened is None and two.screened is not None
    assert two.screened["candidates"] == 200 and two.screened["trained_on"] == 6
    assert two.x.shape == (6, len(PARAMS)) and m.evaluated == 12
    # wave 2's points are candidates of its hypercube: the first the emulators keep
    cand = hypercube(two.box, 200, 0, 2)
    rows = [int(np.flatnonzero((cand == p).all(axis=1))[0]) for p in two.x]
    assert rows == sorted(rows)
    d = m.diagnostics()
    assert d["waves"][1]["kind"] == "emulated hypercube" and "--emulate 200" in d["command"]
    (chosen,) = (tmp_path / "runs" / "checkpoints").glob("hm-*-w2-points.json")
    again = history_match(PARAMS, emulate=200, **kw)  # the points read back: nothing runs
    assert again.evaluated == 0 and again.analysis == m.analysis
    assert np.array_equal(again.waves[1].x, two.x) and chosen.exists()
    assert history_match(PARAMS, **kw).analysis != m.analysis  # without emulators: another fit


@pytest.mark.parametrize("value", ["3", "-1"])
def test_fewer_candidates_than_points_is_refused(value: str, tmp_path: Path) -> None:
    r = cli("calibrate", "--method", "history-matching", "--points", "8", "--emulate", value,
            "--until", UNTIL, *SCALE_ARGS, "--store", str(tmp_path / "runs"))  # fmt: skip
    assert r.exit_code == 2 and said(r.output, "emulate"), r.output
    assert not (tmp_path / "runs" / "analyses").exists()
