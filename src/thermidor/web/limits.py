"""Limits that keep the server standing.

- ``BodyLimit``: a body larger than ``max_body`` bytes is refused with 413 before it is read in
  full (declared by Content-Length, or counted as it streams in); a body whose next part takes
  more than ``read_timeout`` seconds to arrive is refused with 408.
- ``server_config``: the server's connections: at most ``max_connections`` at once (503 beyond),
  a client that has not sent a whole request head within ``header_timeout`` seconds of
  connecting (or of its last answer) is disconnected, an idle keep-alive connection is closed
  after 5 seconds, a request head is at most 16 KiB.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import uvicorn
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 10.0
MAX_CONNECTIONS = 64
KEEP_ALIVE_S = 5
MAX_HEAD_BYTES = 16 * 1024


class BodyLimit:
    def __init__(self, app: ASGIApp, max_body: int, read_timeout: float = READ_TIMEOUT_S) -> None:
        self.app = app
        self.max_body = max_body
        self.read_timeout = read_timeout

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await self._refuse(send, 400, "Content-Length is not a number")
                return
            if size > self.max_body:
                await self._refuse(send, 413, self._message(size))
                return
        seen = 0

        async def counted() -> Message:
            # A body without Content-Length (chunked) is counted as it arrives; the route that
            # reads it turns the exception into a 413 answer.
            nonlocal seen
            try:
                message = await asyncio.wait_for(receive(), self.read_timeout)
            except TimeoutError:
                raise HTTPException(
                    408, f"request body: nothing arrived for {self.read_timeout:g} s"
                ) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_body:
                    raise HTTPException(413, self._message(seen))
            return message

        await self.app(scope, counted, send)

    def _message(self, size: int) -> str:
        return f"request body too large: {size} bytes; the limit is {self.max_body} bytes"

    @staticmethod
    async def _refuse(send: Send, status: int, detail: str) -> None:
        body = json.dumps({"detail": detail}).encode()
        headers: list[Any] = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})


class SlowClientTimeout(H11Protocol):
    """uvicorn's HTTP/1.1 protocol, which closes a connection whose request head has not
    arrived ``header_timeout`` seconds after it connected or after its last answer (uvicorn
    alone waits for ever: a few slow clients would hold every connection)."""

    header_timeout = HEADER_TIMEOUT_S

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)
        self._timer: asyncio.TimerHandle | None = self.loop.call_later(
            self.header_timeout, self._too_slow
        )

    def _idle(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        if not self._idle():
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        elif self._timer is None:
            self._timer = self.loop.call_later(self.header_timeout, self._too_slow)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        if self._timer is not None:  # the keep-alive timeout takes over
            self._timer.cancel()
            self._timer = None

    def _too_slow(self) -> None:
        self._timer = None
        if self._idle() and not self.transport.is_closing():
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        super().connection_lost(exc)


def server_config(
    app: ASGIApp,
    host: str,
    port: int,
    *,
    header_timeout: float = HEADER_TIMEOUT_S,
    max_connections: int = MAX_CONNECTIONS,
) -> uvicorn.Config:
    """The uvicorn configuration ``thermidor serve`` runs (and the tests start)."""
    protocol = type("Protocol", (SlowClientTimeout,), {"header_timeout": header_timeout})
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        http=protocol,
        limit_concurrency=max_connections,
        timeout_keep_alive=KEEP_ALIVE_S,
        h11_max_incomplete_event_size=MAX_HEAD_BYTES,
        log_level="warning",
        timeout_graceful_shutdown=5,
    )
