"""The dashboard's new levers through the API: forced decisions, play/pause/step of a running
run, and comparisons over N member seeds with the probability and its interval."""

from __future__ import annotations

import time
from typing import Any

from fastapi.testclient import TestClient
from web_support import FAST, wait

from thermidor.model.decisions import DECISIONS
from thermidor.web.playback import Playback


def test_decisions_are_listed_with_their_meaning(client: TestClient) -> None:
    got = client.get("/api/decisions").json()
    assert [d["name"] for d in got] == list(DECISIONS)
    nep = next(d for d in got if d["name"] == "new_economic_policy")
    assert nep["title"] == "NEP" and "tax in kind" in nep["meaning"]


def test_a_forced_decision_is_taken_on_its_date_and_named(client: TestClient) -> None:
    body = {**FAST, "end": "1918-06-01", "force": {"new_economic_policy": "1918-03-01"}}
    r = client.post("/api/runs", json=body)
    assert r.status_code == 202, r.text
    done = wait(client, r.json()["key"])
    assert done["status"] == "done"
    assert done["manifest"]["interventions"] == ["force.new_economic_policy = '1918-03-01'"]
    nep = [e for e in done["events"] if e["kind"] == "new_economic_policy"]
    assert nep and nep[0]["forced"] and nep[0]["date"].startswith("1918-02")
    assert "forced: new_economic_policy = 1918-03-01" in done["label"]
    plain = client.post("/api/runs", json={**FAST, "end": "1918-06-01"}).json()
    assert plain["key"] != r.json()["key"]


def test_a_bad_forced_decision_is_refused_by_name(client: TestClient) -> None:
    r = client.post("/api/runs", json={**FAST, "force": {"new_economic_polcy": "1918-03-01"}})
    assert r.status_code == 422
    d = r.json()["detail"][0]
    assert d["loc"] == ["body", "force", "new_economic_polcy"] and "did you mean" in d["msg"]
    r = client.post("/api/runs", json={**FAST, "force": {"faction_ban": "1940-01-01"}})
    assert r.status_code == 422 and "within the run" in r.json()["detail"][0]["msg"]


def _status(client: TestClient, key: str) -> dict[str, Any]:
    return client.get(f"/api/runs/{key}").json()  # type: ignore[no-any-return]


def _until(client: TestClient, key: str, ok: Any, timeout: float = 60.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        s = _status(client, key)
        if ok(s):
            return s
        time.sleep(0.05)
    raise AssertionError(f"run {key}: {s}")


def test_a_run_started_paused_steps_week_by_week_then_plays_to_the_end(
    client: TestClient,
) -> None:
    r = client.post("/api/runs", json={**FAST, "seed": 7, "paused": True})
    key = r.json()["key"]
    s = _until(client, key, lambda s: s["status"] == "running" and s["step"] == 1)
    time.sleep(0.5)
    assert _status(client, key)["step"] == 1  # held after its first week
    got = client.post(f"/api/runs/{key}/playback", json={}, params={"action": "step"}).json()
    assert got["state"] == "paused"
    _until(client, key, lambda s: s["step"] == 2)
    client.post(f"/api/runs/{key}/playback", json={}, params={"action": "step", "weeks": 3})
    _until(client, key, lambda s: s["step"] == 5)
    time.sleep(0.5)
    assert _status(client, key)["step"] == 5
    total = s["total"]
    assert client.post(f"/api/runs/{key}/playback", json={}, params={"action": "play"}).json()[
        "state"] == "playing"  # fmt: skip
    done = wait(client, key)
    assert done["status"] == "done"
    # the same run left alone: the same key (playback changes nothing in the numbers)
    again = client.post("/api/runs", json={**FAST, "seed": 7})
    assert again.status_code == 200 and again.json()["key"] == key
    assert total > 5
    deadline = time.monotonic() + 10  # the job is briefly both stored and finishing
    while (
        r := client.post(f"/api/runs/{key}/playback", json={}, params={"action": "pause"})
    ).status_code != 409:
        assert time.monotonic() < deadline, r.text
        time.sleep(0.1)
    r = client.post(f"/api/runs/{key}/playback", json={}, params={"action": "rewind"})
    assert r.status_code == 422 and "play, pause, step" in r.json()["detail"][0]["msg"]


def test_a_paused_run_can_still_be_cancelled_and_idles_into_play() -> None:
    import threading

    cancel = threading.Event()
    pb = Playback(paused=True, idle_s=0.3)
    t0 = time.monotonic()
    pb.wait(cancel)  # no step granted: plays on after idle_s
    assert 0.25 < time.monotonic() - t0 < 2 and pb.state == "playing"
    pb.pause()
    cancel.set()
    t0 = time.monotonic()
    pb.wait(cancel)
    assert time.monotonic() - t0 < 0.5


def test_a_comparison_over_members_gives_probabilities_and_intervals(
    client: TestClient,
) -> None:
    body = {"scenarios": ["baseline", "german_revolution_1923"], "members": 3,
            "scale": 20000, "end": "1917-12-31", "event": "insurrection"}  # fmt: skip
    r = client.post("/api/comparisons", json=body)
    assert r.status_code == 202, r.text
    ident = r.json()["id"]
    deadline = time.monotonic() + 120
    while (got := client.get(f"/api/comparisons/{ident}").json())["status"] != "done":
        assert got["status"] in ("queued", "running"), got
        assert time.monotonic() < deadline
        time.sleep(0.2)
    res = got["result"]
    assert got["total"] == 6 and res["seeds"] == 3 and res["event"] == "insurrection"
    base, alt = res["scenarios"]
    assert base["runs"] == 3 and 0 <= base["probability_interval"][0] <= base["probability"]
    assert base["probability"] <= base["probability_interval"][1] <= 1
    assert "probability" in alt["differences"]
    # the same question again is the same comparison
    assert client.post("/api/comparisons", json=body).json()["id"] == ident
    bad = client.post("/api/comparisons", json={**body, "event": "nonsense"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "event"]
    assert client.get("/api/comparisons/0123").status_code == 404


def test_a_comparison_over_prior_uncertainty_names_its_source(client: TestClient) -> None:
    body = {"scenarios": ["baseline", "german_revolution_1923"], "members": 2,
            "scale": 20000, "end": "1917-06-30", "uncertainty": "prior"}  # fmt: skip
    r = client.post("/api/comparisons", json=body)
    assert r.status_code == 202, r.text
    ident = r.json()["id"]
    deadline = time.monotonic() + 120
    while (got := client.get(f"/api/comparisons/{ident}").json())["status"] != "done":
        assert got["status"] in ("queued", "running"), got
        assert time.monotonic() < deadline
        time.sleep(0.2)
    u = got["result"]["uncertainty"]
    assert u["source"] == "prior" and u["label"].startswith("uncertainty: prior (2 draws")
    bad = client.post("/api/comparisons", json={**body, "uncertainty": "posterior"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "uncertainty"]
    assert "no posterior is shipped" in bad.text


def test_a_cancelled_comparison_stops_before_its_next_run_and_resumes_from_the_stored_ones(
    client: TestClient,
) -> None:
    body = {"scenarios": ["baseline", "german_revolution_1923"], "members": 20,
            "scale": 20000, "end": "1917-12-31", "event": "insurrection"}  # fmt: skip
    ident = client.post("/api/comparisons", json=body).json()["id"]
    deadline = time.monotonic() + 120
    while client.get(f"/api/comparisons/{ident}").json()["done"] < 1:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    r = client.post(f"/api/comparisons/{ident}/cancel", json={})
    assert r.status_code == 200, r.text
    while (got := client.get(f"/api/comparisons/{ident}").json())["status"] == "running":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert got["status"] == "cancelled" and 1 <= got["done"] < got["total"] == 40, got
    assert got["result"] is None
    assert client.post(f"/api/comparisons/{ident}/cancel", json={}).status_code == 409
    assert client.post("/api/comparisons/0123/cancel", json={}).status_code == 404
    # asked again, it goes on from the runs stored before the cancel
    again = client.post("/api/comparisons", json=body).json()
    assert again["id"] == ident and again["status"] in ("queued", "running")
    while (got2 := client.get(f"/api/comparisons/{ident}").json())["total"] == 0:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    assert got2["already_stored"] >= got["done"]
    client.post(f"/api/comparisons/{ident}/cancel", json={})  # no need to finish it
