"""Checkpoint and fork: a run saved at a date and continued gives a straight run's bytes; a fork
may change the future, never the past; a damaged or foreign state file is refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

import thermidor
from tests.support import COARSE, extend
from thermidor import ScenarioError

FORK = "1921-06-01"
END = dt.date(1922, 6, 30)


def same_bytes(a: thermidor.Result, b: thermidor.Result) -> None:
    assert list(a.columns) == list(b.columns)
    for k in a.columns:
        assert a.columns[k].tobytes() == b.columns[k].tobytes(), k
    assert [(e.step, e.kind, e.data_json()) for e in a.events] == [
        (e.step, e.kind, e.data_json()) for e in b.events
    ]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("state") / "1921.state"
    thermidor.run(extend(), seed=2, scale=COARSE, until=FORK, save_state=path)
    return path


def test_a_fork_continued_unchanged_gives_the_straight_runs_bytes(saved: Path) -> None:
    straight = thermidor.run(extend(), seed=2, scale=COARSE, until=END)
    forked = thermidor.run(extend(), seed=2, until=END, from_state=saved)
    same_bytes(straight, forked)
    assert forked.manifest["from_state"]["date"] == forked.manifest["from_state"]["date"]
    assert forked.manifest["from_state"]["step"] > 0


def test_a_fork_that_changes_a_parameter_shares_the_history_and_then_differs(saved: Path) -> None:
    base = thermidor.run(extend(), seed=2, until=END, from_state=saved)
    alt = thermidor.run(
        extend(params={"party.careerist_recruitment": 0.0}), seed=2, until=END, from_state=saved
    )
    k = base.manifest["from_state"]["step"]
    members = "party_members"
    assert base.columns[members][:k].tobytes() == alt.columns[members][:k].tobytes()
    assert base.columns[members][k + 20 :].tobytes() != alt.columns[members][k + 20 :].tobytes()


def test_a_fork_may_not_change_the_past(saved: Path) -> None:
    with pytest.raises(ScenarioError, match=r"inputs\.civil_war"):
        thermidor.run(extend(inputs={"civil_war": {"national": {"1919-01-01": 0.0}}}),
                      seed=2, until=END, from_state=saved)  # fmt: skip
    with pytest.raises(ScenarioError, match=r"force\.faction_ban"):
        thermidor.run(extend(force={"faction_ban": "never"}), seed=2, until=END, from_state=saved)
    with pytest.raises(ScenarioError, match="scale"):
        thermidor.run(extend(), seed=2, scale=COARSE | {"workers": 999}, until=END,
                      from_state=saved)  # fmt: skip
    with pytest.raises(ScenarioError, match="until"):
        thermidor.run(extend(), seed=2, until="1921-01-01", from_state=saved)


def test_a_damaged_or_foreign_state_is_refused(saved: Path, tmp_path: Path) -> None:
    data = saved.read_bytes()
    damaged = tmp_path / "damaged.state"
    damaged.write_bytes(data[:-100] + bytes(100))
    with pytest.raises(ScenarioError, match="checksum"):
        thermidor.run(extend(), seed=2, until=END, from_state=damaged)
    foreign = tmp_path / "foreign.state"
    foreign.write_bytes(data.replace(b'"source_hash": "', b'"source_hash": "0', 1))
    with pytest.raises(ScenarioError, match="saved by this code"):
        thermidor.run(extend(), seed=2, until=END, from_state=foreign)
    other = tmp_path / "notes.txt"
    other.write_text("not a state\n")
    with pytest.raises(ScenarioError, match="a state file saved by thermidor"):
        thermidor.run(extend(), seed=2, until=END, from_state=other)


def test_saving_never_replaces_a_file_without_force(saved: Path, tmp_path: Path) -> None:
    mine = tmp_path / "mine.state"
    mine.write_text("precious")
    with pytest.raises(ScenarioError, match="save_state"):
        thermidor.run(extend(), seed=2, scale=COARSE, until="1917-05-01", save_state=mine)
    assert mine.read_text() == "precious"
    thermidor.run(extend(), seed=2, scale=COARSE, until="1917-05-01", save_state=mine, force=True)
    assert mine.read_bytes().startswith(b'{"date"')
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary left


def test_a_scenario_that_names_a_state_continues_it(saved: Path, tmp_path: Path) -> None:
    """``[run] from_state`` in a scenario file: a path relative to the file, checked on load,
    its checksum in the scenario (so in every run's content key)."""
    from thermidor.model.scenario import load

    copy = tmp_path / "1921.state"
    copy.write_bytes(saved.read_bytes())
    toml = tmp_path / "fork.toml"
    toml.write_text(
        f'extends = "baseline"\n[run]\nend = "{END.isoformat()}"\nfrom_state = "1921.state"\n'
    )
    sc = load(toml)
    assert sc.from_state is not None and sc.from_state["file"] == str(copy.resolve())
    assert (
        sc.to_dict()["run"]["from_state"]["sha256"]
        == thermidor.model.checkpoint.read_header(copy)["sha256"]
    )
    same_bytes(thermidor.run(sc, seed=2), thermidor.run(extend(end=END), seed=2, from_state=saved))
    thermidor.run(extend(), seed=3, scale=COARSE, until=FORK, save_state=copy, force=True)
    with pytest.raises(ScenarioError, match=r"run\.from_state"):
        thermidor.run(sc, seed=2)
    toml.write_text('extends = "baseline"\n[run]\nfrom_state = "missing.state"\n')
    with pytest.raises(ScenarioError, match=r"run\.from_state"):
        load(toml)
