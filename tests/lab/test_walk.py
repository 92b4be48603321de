"""The walk of history matching: its proposals stay in the ranges and are symmetric, its
diagnostics read known chains right, and a toy fit walks from its profiles, draws its posterior
from the chains' states, and resumes a killed walk without running a step twice."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from tests.lab.conftest import COARSE, SCALE_ARGS, cli, said
from tests.lab.test_history_matching import PARAMS, UNTIL, _Counts, _Killed
from thermidor.cli.calibrate import history_matching_sheets
from thermidor.lab.errors import LabError
from thermidor.lab.fit_docs import section
from thermidor.lab.fit_journal import VERIFY
from thermidor.lab.history_matching import WALK_BASE, history_match
from thermidor.lab.store import Store
from thermidor.lab.walk import (
    JITTER,
    effective_size,
    propose,
    propose_differential,
    reflect,
    rhat,
    starts,
    summary,
)


def test_proposals_fold_back_into_the_ranges_and_move_both_ways_alike() -> None:
    assert np.allclose(reflect(np.array([-0.25, 0.5, 1.25, 2.5, -1.75])),
                       [0.25, 0.5, 0.75, 0.5, 0.25])  # fmt: skip
    state = np.full((4000, 3), 0.5)
    moves = propose(state, np.array([0.01, 0.05, 0.1]), root=0, step=0) - state
    assert ((moves + state >= 0) & (moves + state <= 1)).all()
    assert np.allclose(moves.std(axis=0), [0.01, 0.05, 0.1], rtol=0.05)
    assert np.abs(moves.mean(axis=0)).max() < 0.005  # symmetric
    again = propose(state, np.array([0.01, 0.05, 0.1]), root=0, step=0) - state
    assert np.array_equal(moves, again)  # the step's own stream
    other = propose(state, np.array([0.01, 0.05, 0.1]), root=0, step=1) - state
    assert not np.array_equal(moves, other)


def test_the_diagnostics_tell_mixed_chains_from_stuck_and_correlated_ones() -> None:
    rng = np.random.default_rng(0)
    mixed = rng.standard_normal((4, 500, 1))
    assert rhat(mixed)[0] == pytest.approx(1.0, abs=0.02)
    assert effective_size(mixed)[0] > 1000  # nearly independent: near 4 x 500
    apart = mixed + np.arange(4)[:, None, None] * 3  # chains in different places
    assert rhat(apart)[0] > 2
    ar = np.zeros((4, 500, 1))  # AR(1) with coefficient 0.9: ESS about n (1 - 0.9) / (1 + 0.9)
    for t in range(1, 500):
        ar[:, t] = 0.9 * ar[:, t - 1] + rng.standard_normal((4, 1))
    assert 50 < effective_size(ar)[0] < 250
    assert starts(np.arange(10)[:, None], 4)[:, 0].tolist() == [0, 2, 5, 7]


def test_the_walk_says_how_far_apart_its_chains_lie_where_r_hat_is_large() -> None:
    """A parameter pinned to a sliver (chains 0.001 apart, each nearly still) has a large R-hat
    but chains a thousandth of its range apart; one whose chains sit in two places, 0.3 apart."""
    rng = np.random.default_rng(1)
    steps, chains = 200, 4
    pinned = (
        0.4 + 0.001 * np.arange(chains)[None, :] + 1e-5 * rng.standard_normal((steps + 1, chains))
    )
    split = np.where(np.arange(chains) < 2, 0.2, 0.5)[None, :] + 0.01 * rng.standard_normal(
        (steps + 1, chains)
    )
    free = rng.uniform(size=(steps + 1, chains))
    states = np.stack([pinned, split, free], axis=2)
    info = summary(states, np.ones((steps, chains), dtype=bool), 10, ["pinned", "split", "free"])
    per = {p["param"]: p for p in info["per_param"]}
    assert per["pinned"]["rhat"] > 5 and per["pinned"]["apart"] == pytest.approx(0.003, abs=1e-4)
    assert per["split"]["apart"] == pytest.approx(0.3, abs=0.01)
    assert per["free"]["rhat"] < 1.1 and per["free"]["apart"] < 0.15


def test_a_fit_walks_from_its_profiles_and_resumes_a_killed_walk(tmp_path: Path) -> None:
    kw: dict[str, Any] = dict(waves=0, profile=3, seeds=1, measure="max", walk=6, chains=3,
                              adapt=2, until=UNTIL, scale=COARSE, check_seeds=1)  # fmt: skip
    profiles = 1 + 3 * len(PARAMS)
    with pytest.raises(_Killed):
        history_match(PARAMS, store=Store(tmp_path / "a"), executor=_Counts(profiles + 7), **kw)
    resumed = _Counts()
    m = history_match(PARAMS, store=Store(tmp_path / "a"), executor=resumed, **kw)
    assert resumed.ran == m.evaluated == 6 * 3 - 7 and m.reused == profiles + 7
    straight = history_match(PARAMS, store=Store(tmp_path / "b"), **kw)
    assert straight.analysis == m.analysis
    assert straight.posterior.equals(m.posterior) and straight.walk == m.walk
    w = m.diagnostics()["walk"]
    assert (w["chains"], w["steps"], w["adapt"], w["states_kept"], w["runs"]) == (3, 6, 2, 12, 18)
    assert 0 <= w["acceptance"] <= 1 and len(w["per_param"]) == len(PARAMS)
    # the posterior's draws are the chains' states after adaptation: each one a point the runs
    # kept (a start, or an accepted proposal)
    frame = Store(tmp_path / "a").analysis("hm_points", m.analysis)
    walked = frame[frame["wave"] >= WALK_BASE]
    assert sorted(walked["wave"].unique()) == [WALK_BASE + s for s in range(6)]
    kept = frame[frame["kept"]].pivot_table(index=["wave", "point"], columns="param",
                                            values="value")[PARAMS].to_numpy()  # fmt: skip
    for row in np.unique(m.posterior[PARAMS].to_numpy(), axis=0):
        assert np.isclose(kept, row, rtol=0, atol=1e-12).all(axis=1).any()
    assert "--walk 6 --chains 3 --step 0.05 --adapt 2" in m.diagnostics()["command"]
    # the walk's diagnostics are shown and written, not only saved
    md = section(m.diagnostics())
    assert (
        "Walk: 3 chains × 6 steps (gaussian moves" in md and "| R-hat | ESS | chains apart |" in md
    )
    assert "distinct states of the walk's chains" in md
    sheets = history_matching_sheets(m.diagnostics())
    assert [sh.name for sh in sheets] == ["waves", "params", "walk", "targets"]
    assert len(sheets[2].rows) == len(PARAMS)
    assert [c.title for c in sheets[2].cols][-1] == "chains apart"
    more = history_match(PARAMS, store=Store(tmp_path / "a"), **{**kw, "walk": 7})
    assert more.analysis == m.analysis and more.evaluated == 3  # one more step, the rest read


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--walk", "5", "--adapt", "5"], "more steps than --adapt (5)"),
        (["--walk", "30", "--step", "0"], "a number in (0, 1]"),
        (["--walk", "30", "--chains", "1"], "chains: got 1"),
        (["--waves", "0"], "waves: got 0"),  # only with profiles to start from
        (["--walk", "30", "--proposal", "levy"], "one of gaussian, differential"),
    ],
)
def test_the_walk_refuses_bad_input(args: list[str], says: str, tmp_path: Path) -> None:
    r = cli("calibrate", "--method", "history-matching", *args, "--until", UNTIL, *SCALE_ARGS,
            "--store", str(tmp_path / "runs"))  # fmt: skip
    assert r.exit_code == 2 and said(r.output, says), r.output
    assert not (tmp_path / "runs" / "analyses").exists()


def test_differential_moves_follow_the_archive_stay_in_the_ranges_and_go_both_ways() -> None:
    # an archive on a line through the cube: every move, less its small jitter, is along it
    t = np.linspace(0.2, 0.8, 50)[:, None]
    archive = np.hstack([t, 1.0 - t, np.full_like(t, 0.5)])
    state = np.full((4000, 3), 0.5)
    moves = propose_differential(state, archive, 1.0, root=0, step=0) - state
    assert ((moves + state >= 0) & (moves + state <= 1)).all()
    assert np.abs(moves[:, 0] + moves[:, 1]).max() < 10 * JITTER  # along (1, -1, 0)
    assert np.abs(moves[:, 2]).max() < 10 * JITTER  # the archive does not move the third
    assert np.abs(moves.mean(axis=0)).max() < 0.01  # symmetric
    assert moves[:, 0].std() > 0.05  # and not only jitter
    again = propose_differential(state, archive, 1.0, root=0, step=0) - state
    assert np.array_equal(moves, again)
    assert not np.array_equal(
        moves, propose_differential(state, archive, 1.0, root=0, step=1) - state
    )


def test_a_walk_resumes_from_its_committed_journal_in_a_fresh_store(tmp_path: Path) -> None:
    kw: dict[str, Any] = dict(waves=0, profile=3, seeds=1, measure="max", walk=6, chains=3,
                              adapt=2, until=UNTIL, scale=COARSE, check_seeds=1,
                              proposal="differential")  # fmt: skip
    journal = tmp_path / "fit-evaluations.jsonl"
    profiles = 1 + 3 * len(PARAMS)
    with pytest.raises(_Killed):
        history_match(PARAMS, store=Store(tmp_path / "a"), executor=_Counts(profiles + 7),
                      evaluations=journal, **kw)  # fmt: skip
    assert (
        len(journal.read_text().splitlines()) == 1 + profiles + 7
    )  # the header, then a run a line
    with journal.open("a") as f:
        f.write('{"w": 1003, "i": 0, "x": [0.1')  # a line cut short by the kill
    resumed = _Counts()  # another session: the store is gone, the journal was committed
    m = history_match(PARAMS, store=Store(tmp_path / "b"), executor=resumed, evaluations=journal,
                      **kw)  # fmt: skip
    assert resumed.ran == m.evaluated == 6 * 3 - 7 and m.reused == profiles + 7
    straight = history_match(PARAMS, store=Store(tmp_path / "c"), **kw)
    assert straight.posterior.equals(m.posterior) and straight.walk == m.walk
    assert m.walk is not None and m.walk["proposal"] == "differential"
    assert m.walk["scale_at_end"] > 0 and "scale_after_adapt" not in m.walk  # it never freezes
    assert "--proposal differential" in m.diagnostics()["command"]
    gauss = history_match(PARAMS, store=Store(tmp_path / "c"), **{**kw, "proposal": "gaussian"})
    assert gauss.analysis != m.analysis  # the proposal is part of the fit

    # made by other code: reused once two of its runs give the same statistics again
    lines = journal.read_text().splitlines()
    header = json.loads(lines[0])
    journal.write_text("\n".join([json.dumps({**header, "source_hash": "0" * 16}), *lines[1:]]))
    again = _Counts()
    m2 = history_match(PARAMS, store=Store(tmp_path / "d"), executor=again, evaluations=journal,
                       **kw)  # fmt: skip
    assert again.ran == VERIFY and any("reused after 2 of them ran again" in n for n in m2.notes)
    first = json.loads(lines[1])
    bad = {**first, "y": [v + 1 for v in first["y"]]}
    journal.write_text("\n".join([json.dumps({**header, "source_hash": "0" * 16}),
                                  json.dumps(bad), *lines[2:]]))  # fmt: skip
    with pytest.raises(LabError, match="the model's behaviour changed"):
        history_match(PARAMS, store=Store(tmp_path / "e"), evaluations=journal, **kw)
    # another design: refused, named, and kept
    with pytest.raises(LabError, match="a journal of this fit's design"):
        history_match(PARAMS, store=Store(tmp_path / "f"), evaluations=journal,
                      **{**kw, "chains": 4})  # fmt: skip
    assert journal.read_text().splitlines()[1] == json.dumps(bad)
