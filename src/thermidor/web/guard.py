"""What every request must be, and what every answer carries (an ASGI middleware).

- ``Host`` must name this server (an allow-list: the bound address, ``localhost``, ``127.0.0.1``,
  ``::1`` and any name given with ``thermidor serve --allow-host``); otherwise 421. A page from
  another site whose name was re-pointed at this machine (DNS rebinding) sends its own name.
- A request that changes state (POST, PUT, PATCH, DELETE) must carry a JSON body
  (``Content-Type: application/json``; otherwise 415), and an ``Origin`` header, if present,
  must name an allowed host; a browser's ``Sec-Fetch-Site`` must be ``same-origin`` or
  ``none`` (otherwise 403). A form or a ``no-cors`` fetch from another page cannot send JSON
  without a preflight, which this server does not answer.
- Every answer carries ``X-Content-Type-Options: nosniff``, ``X-Frame-Options: DENY`` and a
  Content-Security-Policy that allows nothing from another origin.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

LOCAL_NAMES = ("localhost", "127.0.0.1", "::1")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; connect-src 'self'; font-src 'self'; object-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"content-security-policy", CSP.encode()),
    (b"referrer-policy", b"same-origin"),
]


def allowed_hosts(bound: str | None, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names this server answers to."""
    names = {*LOCAL_NAMES, *(h.strip().lower() for h in extra if h.strip())}
    if bound and bound not in ("0.0.0.0", "::"):
        names.add(bound.lower())
    return frozenset(names)


def host_name(value: str) -> str:
    """``example.org:8000`` -> ``example.org``; ``[::1]:8000`` -> ``::1``."""
    value = value.strip().lower()
    if value.startswith("["):
        return value[1:].split("]", 1)[0]
    return value.rsplit(":", 1)[0] if value.count(":") == 1 else value


class Guard:
    def __init__(self, app: ASGIApp, hosts: frozenset[str]) -> None:
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        refusal = self._refusal(scope["method"], headers)
        if refusal is not None:
            await _answer(send, *refusal)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *HEADERS]}
            await send(message)

        await self.app(scope, receive, with_headers)

    def _refusal(self, method: str, headers: dict[str, str]) -> tuple[int, str] | None:
        host = host_name(headers.get("host", ""))
        if host not in self.hosts:
            return 421, (
                f"Host: got {headers.get('host', '')!r}; allowed: one of "
                f"{', '.join(sorted(self.hosts))} (thermidor serve --allow-host NAME adds one)"
            )
        if method not in UNSAFE:
            return None
        origin = headers.get("origin")
        if origin is not None and host_name(urlsplit(origin).netloc) not in self.hosts:
            return 403, f"Origin: got {origin!r}; allowed: this server's own pages"
        site = headers.get("sec-fetch-site")
        if site is not None and site not in ("same-origin", "none"):
            return 403, f"Sec-Fetch-Site: got {site!r}; allowed: same-origin"
        kind = headers.get("content-type", "").split(";")[0].strip().lower()
        if kind != "application/json":
            return 415, f"Content-Type: got {kind or '(none)'!r}; allowed: application/json"
        return None


async def _answer(send: Send, status: int, detail: str) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers: list[Any] = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        (b"connection", b"close"),
        *HEADERS,
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
