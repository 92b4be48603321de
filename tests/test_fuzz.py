"""Fuzz: scenario dicts, command-line flags and web bodies. Every case runs or is refused
cleanly (a ThermidorError; exit 0, 1 or 2 with no traceback; a status other than 500); never
anything else.

In CI each test draws a few dozen cases (under a minute in all). Outside CI raise them with
``THERMIDOR_FUZZ_EXAMPLES`` (``THERMIDOR_FUZZ_EXAMPLES=4000 pytest -n 0 tests/test_fuzz.py``
runs 12,000 cases; ``THERMIDOR_FUZZ_WEB_EXAMPLES`` sets the web test's alone, its cases being
the cheapest); the counts of the last such run are in docs/store.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

import thermidor
from tests.model.test_scenario import scenarios
from thermidor.cli import app
from thermidor.errors import ThermidorError
from thermidor.model.scenario import load
from thermidor.web import create_app

EXAMPLES = int(os.environ.get("THERMIDOR_FUZZ_EXAMPLES", "20"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
    database=None,
)
COARSE = {
    "households": 20000,
    "workers": 5000,
    "soldiers": 10000,
    "members": 500,
    "officials": 5000,
}
TINY = dt.date(1917, 3, 15)


# -- scenario dicts ---------------------------------------------------------------------------
@FUZZ
@given(data=scenarios)
def test_a_scenario_dict_runs_or_is_refused(data: dict[str, Any]) -> None:
    try:
        sc = load(data)
        thermidor.run(sc, seed=0, scale=COARSE, until=min(TINY, sc.end))
    except ThermidorError:
        return


# -- command-line flags -----------------------------------------------------------------------
NUMBERS = st.one_of(
    st.sampled_from(["-1", "0", "1", "2", "3", str(2**64), str(2**128), "1e3", "x", "", "-0",
                     "nan", "999999999999"]),
    st.integers(-5, 5).map(str),
)  # fmt: skip
TEXT = st.one_of(
    st.sampled_from(["baseline", "no_menshevik_ban", "basline", "", "/", "/proc/x", ".",
                     "1917-03-15", "1914-01-01", "1950-12-31", "never", "x" * 300, "a=b",
                     "households=0", "workers=5000", "-1"]),
    st.text(max_size=12),
)  # fmt: skip
COMMANDS: dict[str, dict[str, st.SearchStrategy[str]]] = {
    "run": {"--seed": NUMBERS, "--scale": TEXT, "--until": TEXT, "--scenario": TEXT,
            "--backend": TEXT},
    "targets": {"--seeds": NUMBERS, "--root": NUMBERS, "--workers": NUMBERS, "--scenario": TEXT},
    "ensemble": {"--seeds": NUMBERS, "--root": NUMBERS, "--workers": NUMBERS, "--scale": TEXT,
                 "--until": TEXT, "--executor": TEXT},
    "runs": {"--limit": NUMBERS, "--scenario": TEXT},
    "compare": {"--seeds": NUMBERS, "--root": NUMBERS, "--event": TEXT, "--resamples": NUMBERS,
                "--bootstrap-seed": NUMBERS, "--until": TEXT},
    "store query": {},
    "store verify": {},
    "store rebuild": {},
    "report": {"--seeds": NUMBERS, "--root": NUMBERS, "--until": TEXT, "-o": TEXT},
}  # fmt: skip
POSITIONAL = {"ensemble": 1, "compare": 2, "store query": 1, "report": 1}
# what keeps a valid case short: at most 3 members, two weeks, a coarse scale
SHORT = {"--seeds": "2", "--until": "1917-03-15", "--scale": "20000"}


@st.composite
def command_lines(draw: st.DrawFn, store: str) -> list[str]:
    name = draw(st.sampled_from(sorted(COMMANDS)))
    options = COMMANDS[name]
    args = name.split()
    args += [draw(TEXT) for _ in range(POSITIONAL.get(name, 0))]
    chosen = (
        draw(st.lists(st.sampled_from(sorted(options)), unique=True, max_size=3)) if options else []
    )
    for opt in chosen:
        args += [opt, draw(options[opt])]
    for opt, value in SHORT.items():  # keep valid cases short: override seeds, until, scale
        if opt in options and (opt not in chosen or draw(st.booleans())):
            args += [opt, value]
    if name in ("run",):
        args += ["--out", str(Path(store) / "out" / str(draw(st.integers(0, 10**9))))]
    elif name not in ("targets",):
        args += ["--store", store]
    return args


@FUZZ
@given(data=st.data())
def test_a_command_line_runs_or_is_refused_in_one_line(tmp_path: Path, data: st.DataObject) -> None:
    args = data.draw(command_lines(str(tmp_path / "store")))
    if args[0] == "compare" and "--seeds" not in args:
        args += ["--seeds", "2", "--resamples", "100"]
    result = CliRunner().invoke(app, args, env={"COLUMNS": "200"})
    assert "Traceback" not in result.output, (args, result.output)
    assert result.exit_code in (0, 1, 2), (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        args, repr(result.exception))  # fmt: skip
    if result.exit_code in (1, 2):
        errors = [line for line in result.output.splitlines() if line.startswith("error:")]
        usage = "Usage:" in result.output  # typer's own refusal of a malformed option
        assert usage or len(errors) == 1, (args, result.output)


# -- web bodies ------------------------------------------------------------------------------
JSONS = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-(2**130), 2**130), st.floats(),
              st.text(max_size=8), st.sampled_from(["baseline", "war.casualties", "1918-01-01"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=10,
)  # fmt: skip
RUN_BODIES = st.fixed_dictionaries({}, optional={
    "scenario": st.one_of(st.sampled_from(["baseline", "no_menshevik_ban", "x"]), JSONS),
    "params": st.one_of(st.dictionaries(st.sampled_from(["war.casualties", "parties.ban_readiness",
                                                         "nope"]), JSONS, max_size=2), JSONS),
    "seed": st.one_of(st.integers(-1, 2**129), JSONS),
    "scale": st.one_of(st.integers(0, 200_000), JSONS),
    "end": st.one_of(st.sampled_from(["1917-03-15", "1917-03-01", "1960-01-01", "x"]), JSONS),
    "extra": JSONS,
})  # fmt: skip


@pytest.fixture(scope="module")
def web(tmp_path_factory: pytest.TempPathFactory) -> Any:
    client = TestClient(create_app(tmp_path_factory.mktemp("web") / "store", queue_size=2),
                        base_url="http://127.0.0.1:8000")  # fmt: skip
    with client:
        yield client


@settings(FUZZ, max_examples=int(os.environ.get("THERMIDOR_FUZZ_WEB_EXAMPLES", EXAMPLES)))
@given(body=st.one_of(RUN_BODIES, JSONS), path=st.sampled_from(["/api/runs", "/api/compare"]))
def test_a_web_body_is_answered_never_with_a_500(web: TestClient, body: Any, path: str) -> None:
    text = json.dumps(body, allow_nan=True)  # NaN and Infinity as Python's json writes them
    res = web.post(path, content=text.encode(), headers={"content-type": "application/json"})
    assert res.status_code < 500 or res.status_code == 503, (body, res.status_code, res.text)
    assert res.headers["x-content-type-options"] == "nosniff"
    res.json()  # every answer is JSON
