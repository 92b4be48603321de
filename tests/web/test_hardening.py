"""The server holds its ground: NaN and Infinity are 422s naming the field, a corrupt store is a
503, state changes need JSON from this server's own pages, the Host header is checked (a
DNS-rebinding page is refused), every answer carries nosniff, DENY and a CSP without remote
sources, slow clients are cut off and connections are capped."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn
from fastapi.testclient import TestClient
from web_support import FAST, free_port, wait

from thermidor.web import create_app
from thermidor.web.guard import CSP
from thermidor.web.limits import server_config

JSON = {"content-type": "application/json"}


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_422_naming_the_field(client: TestClient, bad: str) -> None:
    body = '{"scenario": "baseline", "params": {"war.casualties": ' + bad + "}}"
    res = client.post("/api/runs", content=body.encode(), headers=JSON)
    assert res.status_code == 422, res.text
    detail = res.json()["detail"]
    assert any(d["loc"][-1] == "war.casualties" for d in detail), detail
    assert "war.casualties" in " ".join(d["msg"] for d in detail)
    assert client.get("/api/health").status_code == 200


@pytest.mark.parametrize("seed", [True, "1", 1.5, -1, 2**128])
def test_a_seed_must_be_a_whole_json_number_in_range(client: TestClient, seed: object) -> None:
    res = client.post("/api/runs", json={"scenario": "baseline", "seed": seed})
    assert res.status_code == 422, res.text
    assert any(d["loc"] == ["body", "seed"] for d in res.json()["detail"])


def test_a_corrupt_run_is_a_503_then_gone_then_computed_again(client: TestClient) -> None:
    key = client.post("/api/runs", json={"scenario": "baseline", **FAST}).json()["key"]
    assert wait(client, key)["status"] == "done"
    store = client.app.state.store  # type: ignore[attr-defined]
    (store.path_of(key) / "indicators.parquet").write_bytes(b"")
    res = client.get(f"/api/runs/{key}/series")
    assert res.status_code == 503, res.text
    assert "corrupt" in res.json()["detail"]
    assert not store.path_of(key).exists()  # quarantined
    assert [q.name.split(".")[0] for q in store.quarantined()] == [key]
    again = client.post("/api/runs", json={"scenario": "baseline", **FAST})
    assert again.status_code == 202 and wait(client, key)["status"] == "done"


def test_a_corrupt_index_is_a_503(client: TestClient) -> None:
    store = client.app.state.store  # type: ignore[attr-defined]
    store.root.mkdir(parents=True, exist_ok=True)
    store.db.write_bytes(b"not a database at all" * 100)
    res = client.get("/api/runs")
    assert res.status_code == 503, res.text
    assert "store" in res.json()["detail"]


def test_state_changes_need_a_json_body(client: TestClient) -> None:
    form = client.post("/api/runs", data={"scenario": "baseline"})
    assert form.status_code == 415
    plain = client.post("/api/runs", content=b'{"scenario": "baseline"}',
                        headers={"content-type": "text/plain"})  # fmt: skip
    assert plain.status_code == 415
    no_body = client.post("/api/runs/0123456789abcdef01234567/cancel")
    assert no_body.status_code == 415
    assert client.post("/api/runs/0123456789abcdef01234567/cancel", json={}).status_code == 409


def test_another_origin_may_not_change_state(client: TestClient) -> None:
    res = client.post("/api/runs", json={"scenario": "baseline"},
                      headers={"Origin": "http://evil.example"})  # fmt: skip
    assert res.status_code == 403 and "Origin" in res.json()["detail"]
    site = client.post("/api/runs", json={"scenario": "baseline"},
                       headers={"Sec-Fetch-Site": "cross-site"})  # fmt: skip
    assert site.status_code == 403
    ours = client.post("/api/runs", json={"scenario": "baseline", **FAST},
                       headers={"Origin": "http://127.0.0.1:8000"})  # fmt: skip
    assert ours.status_code in (200, 202)


def test_a_dns_rebinding_request_is_refused(client: TestClient) -> None:
    # evil.example re-pointed at 127.0.0.1: the browser sends the page's own name, same-origin
    headers = {"Host": "evil.example:8000", "Origin": "http://evil.example:8000",
               "Sec-Fetch-Site": "same-origin"}  # fmt: skip
    assert client.get("/api/runs", headers=headers).status_code == 421
    res = client.post("/api/runs", json={"scenario": "baseline"}, headers=headers)
    assert res.status_code == 421 and "allow-host" in res.json()["detail"]
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200


def test_a_host_given_with_allow_host_is_served(tmp_path: Path) -> None:
    app = create_app(tmp_path / "s", allow_hosts=["thermidor.lan"])
    with TestClient(app, base_url="http://thermidor.lan:8000") as c:
        assert c.get("/api/health").status_code == 200
    with TestClient(app, base_url="http://other.lan:8000") as c:
        assert c.get("/api/health").status_code == 421


@pytest.mark.parametrize("path", ["/", "/api/health", "/static/app.js", "/api/runs/x"])
def test_every_answer_carries_the_security_headers(client: TestClient, path: str) -> None:
    res = client.get(path)
    assert res.headers["x-content-type-options"] == "nosniff"
    assert res.headers["x-frame-options"] == "DENY"
    csp = res.headers["content-security-policy"]
    assert csp == CSP and "http" not in csp and "*" not in csp
    assert "frame-ancestors 'none'" in csp


def test_a_refusal_carries_them_too(client: TestClient) -> None:
    res = client.get("/", headers={"Host": "evil.example"})
    assert res.status_code == 421 and res.headers["x-frame-options"] == "DENY"


class Server:
    def __init__(self, store: Path, **limits: float) -> None:
        self.port = free_port()
        app = create_app(store, read_timeout=limits.pop("read_timeout", 10.0))
        self.server = uvicorn.Server(server_config(app, "127.0.0.1", self.port, **limits))  # type: ignore[arg-type]
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> Server:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(30)

    def connect(self) -> socket.socket:
        s = socket.create_connection(("127.0.0.1", self.port))
        s.settimeout(10)
        return s

    def get(self, path: str = "/api/health") -> bytes:
        with self.connect() as s:
            s.sendall(
                f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
            )
            return s.recv(4096)


def closed_within(s: socket.socket, seconds: float) -> bool:
    s.settimeout(seconds)
    try:
        return s.recv(100) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False


def test_a_slow_client_is_disconnected(tmp_path: Path) -> None:
    with Server(tmp_path / "s", header_timeout=1.0) as srv:
        silent = srv.connect()
        partial = srv.connect()
        partial.sendall(b"GET /api/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        assert closed_within(silent, 5) and closed_within(partial, 5)
        assert srv.get().startswith(b"HTTP/1.1 200")


def test_a_body_that_stops_arriving_is_a_408(tmp_path: Path) -> None:
    with Server(tmp_path / "s", read_timeout=1.0) as srv, srv.connect() as s:
        s.sendall(b"POST /api/runs HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                  b"Content-Type: application/json\r\nContent-Length: 100\r\n\r\n{")  # fmt: skip
        answer = s.recv(4096)
        assert answer.startswith(b"HTTP/1.1 408"), answer


def test_connections_beyond_the_cap_are_refused(tmp_path: Path) -> None:
    with Server(tmp_path / "s", max_connections=3, header_timeout=30.0) as srv:
        held = [srv.connect() for _ in range(3)]
        time.sleep(0.3)
        assert srv.get().startswith(b"HTTP/1.1 503")
        for s in held:
            s.close()
        time.sleep(0.3)
        assert srv.get().startswith(b"HTTP/1.1 200")
