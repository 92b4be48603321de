"""Every declared parameter is read by the model: a parameter that nothing reads would let a
scenario change nothing while it seems to change something."""

from __future__ import annotations

import pytest

import thermidor
from tests.support import COARSE
from thermidor.model import params


def test_every_declared_parameter_is_read_in_a_baseline_run(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    read: set[str] = set()
    get = params.Params.__getitem__

    def spy(self: params.Params, name: str) -> float:
        read.add(name)
        return get(self, name)

    monkeypatch.setattr(params.Params, "__getitem__", spy)
    thermidor.run("baseline", seed=0, scale=COARSE)
    assert read, "the spy saw no read: the test would pass for any model"
    assert sorted(set(params.BY_NAME) - read) == []
