"""Runs and pages built once per session for the report's tests."""

from __future__ import annotations

import pytest
from report_support import FORCED, SHORT, short_run

from thermidor.model.result import Result
from thermidor.report import Group, build


@pytest.fixture(scope="session")
def run0() -> Result:
    return short_run()


@pytest.fixture(scope="session")
def run_page(run0: Result) -> str:
    return build([Group("baseline", [run0])], "run")


@pytest.fixture(scope="session")
def ensemble2() -> list[Result]:
    return [short_run(seed=s, until=SHORT) for s in (11, 12)]


@pytest.fixture(scope="session")
def forced2() -> list[Result]:
    return [short_run(FORCED, seed=s, until=SHORT) for s in (11, 12)]
