"""The JSON API: runs, downloads, comparisons; bad requests answered with a 4xx naming the field;
limits on request size and on the queue; and a server that keeps serving through all of it."""

from __future__ import annotations

import io
import json

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from web_support import FAST, wait

from thermidor.report.check import external_references


def test_a_run_is_queued_executed_stored_and_found_again(client: TestClient) -> None:
    res = client.post("/api/runs", json={"scenario": "baseline", **FAST})
    assert res.status_code == 202, res.text
    key = res.json()["key"]
    assert res.json()["url"] == f"/runs/{key}"
    run = wait(client, key)
    assert run["status"] == "done", run
    assert run["manifest"]["scenario"]["run"]["end"] == "1918-01-01"
    assert run["start"] == "1917-03-01" and run["end"] <= "1918-01-01"
    assert any(e["kind"] == "insurrection" for e in run["events"])
    assert {t["id"] for t in run["targets"]} >= {"T01", "T28"}
    # the same request is the same run: answered at once from the store
    again = client.post("/api/runs", json={"scenario": "baseline", **FAST})
    assert again.status_code == 200
    assert again.json()["key"] == key and again.json()["status"] == "done"
    got = client.get("/api/runs")
    assert got.status_code == 200, got.text
    listed = got.json()
    assert [r["key"] for r in listed] == [key]
    assert client.get("/runs/" + key).status_code == 200  # the page's URL for it


def test_a_changed_parameter_is_a_different_run_that_records_the_change(
    client: TestClient,
) -> None:
    res = client.post("/api/runs", json={"scenario": "baseline", "params": {"war.casualties": 0.3},
                                         **FAST})  # fmt: skip
    assert res.status_code == 202, res.text
    run = wait(client, res.json()["key"])
    assert run["changed_params"] == {"war.casualties": 0.3}
    assert "war.casualties = 0.3" in run["label"]


def test_series_downloads_and_report(client: TestClient) -> None:
    key = client.post("/api/runs", json={"scenario": "no_menshevik_ban", **FAST}).json()["key"]
    assert wait(client, key)["status"] == "done"
    s = client.get(f"/api/runs/{key}/series", params={"columns": "working_class,party_members"})
    assert s.status_code == 200
    body = s.json()
    assert set(body["columns"]) == {"working_class", "party_members"}
    assert len(body["dates"]) == len(body["columns"]["working_class"])
    csv = client.get(f"/api/runs/{key}/files/indicators.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    assert csv.text.splitlines()[0].startswith("step,date,")
    assert "attachment" in csv.headers["content-disposition"]
    events = client.get(f"/api/runs/{key}/files/events.csv").text
    assert events.splitlines()[0] == "step,date,kind,text,data" and "insurrection" in events
    table = pq.read_table(
        io.BytesIO(client.get(f"/api/runs/{key}/files/indicators.parquet").content)
    )
    assert "working_class" in table.column_names
    manifest = json.loads(client.get(f"/api/runs/{key}/files/manifest.json").content)
    assert manifest["interventions"] == ["force.mensheviks_lose_legality = 'never'"]
    page = client.get(f"/api/runs/{key}/files/report.html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert external_references(page.text) == []
    assert 'id="targets"' in page.text and 'id="fig-classes"' in page.text
    assert client.get(f"/api/runs/{key}/files/secrets.txt").status_code == 404
    bad = client.get(f"/api/runs/{key}/series", params={"columns": "working_class,nonsense"})
    assert bad.status_code == 422 and "nonsense" in bad.text and "columns" in bad.text


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"params": {"war.casualties": 9}}, ["body", "params", "war.casualties"], "[0, 0.5]"),
        ({"params": {"war.casualty": 0.1}}, ["body", "params", "war.casualty"], "war.casualties"),
        ({"params": {"war.casualties": "lots"}}, ["body", "params", "war.casualties"], "number"),
        ({"scenario": "utopia"}, ["body", "scenario"], "baseline"),
        ({"seed": -1}, ["body", "seed"], "greater than or equal to 0"),
        ({"scale": 1}, ["body", "scale"], "greater than or equal to 50"),
        ({"end": "1916-01-01"}, ["body", "end"], "after the scenario's start"),
        ({"end": "1935-01-01"}, ["body", "end"], "up to its end (1929-12-31)"),
        ({"end": "soon"}, ["body", "end"], "date"),
        ({"colour": "red"}, ["body", "colour"], "not permitted"),
    ],
)
def test_a_bad_request_is_a_422_that_names_the_field(
    client: TestClient, body: dict[str, object], field: list[str], words: str
) -> None:
    res = client.post("/api/runs", json={"scenario": "baseline", **body})
    assert res.status_code == 422, res.text
    detail = res.json()["detail"]
    assert any(d["loc"] == field for d in detail), detail
    msg = " ".join(d["msg"] for d in detail)
    assert field[-1] in msg and words in msg
    assert client.get("/api/health").status_code == 200


def test_malformed_json_and_unknown_runs(client: TestClient) -> None:
    res = client.post(
        "/api/runs", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert res.status_code == 422
    assert client.get("/api/runs/0123456789abcdef01234567").status_code == 404
    assert client.get("/api/runs/../../etc/passwd").status_code == 404
    assert client.get("/api/runs/not-a-key/files/indicators.csv").status_code == 404
    assert client.get("/api/compare", params={"runs": "x"}).status_code == 422


def test_an_oversize_request_is_a_413(client: TestClient) -> None:
    big = {"scenario": "baseline", "params": {f"p{i}": 0.5 for i in range(400)}}
    res = client.post("/api/runs", json=big)
    assert res.status_code == 413, res.text
    assert "4096" in res.json()["detail"]

    def chunks():  # no Content-Length: the body is counted as it arrives
        yield b'{"scenario": "baseline", "params": {'
        for i in range(600):
            yield f'"p{i}": 0.5, '.encode()
        yield b'"q": 1}}'

    res = client.post("/api/runs", content=chunks(), headers={"content-type": "application/json"})
    assert res.status_code == 413, res.text
    assert client.get("/api/health").json()["ok"] is True


def test_a_full_queue_refuses_with_503_and_the_server_keeps_serving(client: TestClient) -> None:
    # one worker and two places in the queue: full-length runs keep the worker busy
    keys = []
    for seed in (1, 2, 3):
        res = client.post("/api/runs", json={"scenario": "baseline", "seed": seed})
        assert res.status_code == 202, res.text
        keys.append(res.json()["key"])
    refused = client.post("/api/runs", json={"scenario": "baseline", "seed": 4})
    assert refused.status_code == 503
    assert "queue is full" in refused.json()["detail"]
    assert refused.headers["retry-after"]
    # asking again for a run already queued is not a new job
    assert client.post("/api/runs", json={"scenario": "baseline", "seed": 2}).status_code == 202
    assert client.get("/api/health").status_code == 200
    assert len([r for r in client.get("/api/runs").json() if r["status"] != "done"]) == 3
    for k in keys:
        assert client.post(f"/api/runs/{k}/cancel", json={}).status_code == 200
    assert {wait(client, k)["status"] for k in keys} == {"cancelled"}
    assert client.post(f"/api/runs/{keys[0]}/cancel", json={}).status_code == 409


def test_progress_streams_as_server_sent_events(client: TestClient) -> None:
    key = client.post("/api/runs", json={"scenario": "baseline", "seed": 7, **FAST}).json()["key"]
    seen: list[str] = []
    rows = 0
    with client.stream("GET", f"/api/runs/{key}/progress") as res:
        assert res.headers["content-type"].startswith("text/event-stream")
        event = ""
        for line in res.iter_lines():
            if line.startswith("event: "):
                event = line[7:]
                seen.append(event)
            elif line.startswith("data: ") and event == "progress":
                data = json.loads(line[6:])
                rows += len(data["rows"])
                assert all("working_class" in r and "date" in r for r in data["rows"])
            if event in ("done", "failed", "cancelled") and line.startswith("data: "):
                break
    assert seen[-1] == "done", seen
    assert rows == len(client.get(f"/api/runs/{key}/series").json()["dates"])


def test_compare_scenarios_then_the_comparison_and_its_report(client: TestClient) -> None:
    res = client.post("/api/compare", json={"scenarios": ["baseline", "no_menshevik_ban"], **FAST})
    assert res.status_code == 202, res.text
    keys = res.json()["runs"]
    assert res.json()["url"] == "/compare?runs=" + ",".join(keys)
    for k in keys:
        assert wait(client, k)["status"] == "done"
    cmp = client.get("/api/compare", params={"runs": ",".join(keys)}).json()
    assert [r["status"] for r in cmp["runs"]] == ["done", "done"]
    assert cmp["runs"][1]["interventions"] == ["force.mensheviks_lose_legality = 'never'"]
    page = client.get(cmp["report"])
    assert page.status_code == 200 and external_references(page.text) == []
    assert "Comparison:" in page.text and "How often each event happened" in page.text
    bad = client.post("/api/compare", json={"scenarios": ["baseline", "utopia"]})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "scenarios", "1"]


def test_the_api_is_described_and_the_catalogue_drives_the_form(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/runs", "/api/runs/{key}", "/api/runs/{key}/progress", "/api/compare",
            "/api/params", "/api/scenarios"} <= set(spec["paths"])  # fmt: skip
    params = client.get("/api/params").json()
    assert {p["class"] for p in params} == {"structural", "political", "definition"}
    p = next(p for p in params if p["name"] == "war.casualties")
    assert (p["min"], p["max"], p["unit"]) == (0.0, 0.5, "1/year at full intensity")
    assert p["meaning"] and p["source"]
    names = [s["name"] for s in client.get("/api/scenarios").json()]
    assert "baseline" in names
    figs = client.get("/api/figures").json()
    assert any(m["id"] == "T01" for m in figs["marks"])
    page = client.get("/")
    assert page.status_code == 200 and "/static/app.js" in page.text
    assert client.get("/static/app.js").status_code == 200


def test_serve_refuses_bad_options_before_binding() -> None:
    from typer.testing import CliRunner

    from thermidor.cli import app

    runner = CliRunner()
    res = runner.invoke(app, ["serve", "--port", "70000"])
    assert res.exit_code == 2 and "port" in res.output
    res = runner.invoke(app, ["serve", "--queue", "-1"])
    assert res.exit_code == 2 and "queue" in res.output
