"""The security headers on every kind of answer: pages, JSON, redirects, refusals, errors
(a server error too), static files and streamed bodies; a header a route sets itself is kept and
sent once; and the middleware holds to the ASGI exchange as the specification allows it (a
server without per-request state, an app that sends no header list). Expected values come from
tests/web/security_policy.py, written by hand from the site's policy."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.responses import PlainTextResponse, StreamingResponse
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from tests.helpers import settings_for
from tests.web.security_policy import HEADERS, HSTS, NONCE, csp_for

from steward.web.app import create_app
from steward.web.security import SecurityHeaders

HTML, JSON = {"accept": "text/html"}, {"accept": "application/json"}


def _carries_the_headers(r: Response, *, stored: bool = False) -> None:
    for name, value in HEADERS.items():
        assert r.headers.get_list(name) == [value], name
    assert r.headers.get_list("strict-transport-security") == [HSTS]
    nonce = NONCE.search(r.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
    assert r.headers.get_list("content-security-policy") == [csp_for(nonce)]
    assert r.headers.get_list("cache-control") == ([] if stored else ["no-store"])


def test_every_kind_of_answer_carries_them(sqlite_engine: Engine, tmp_path: Path) -> None:
    app = create_app(settings_for(sqlite_engine, tmp_path), engine=sqlite_engine)

    def broken() -> None:
        raise RuntimeError("a bug in a route")

    app.add_api_route("/console/broken", broken)
    client = TestClient(app, base_url="https://testserver", raise_server_exceptions=False)
    answers = [
        (client.get("/privacy", headers=HTML), 200, "text/html"),
        (client.get("/healthz"), 200, "application/json"),
        (client.get("/console", headers=HTML, follow_redirects=False), 303, None),
        (client.get("/no-such-page", headers=HTML), 404, "text/html"),
        (client.get("/api/no-such-thing"), 404, "application/problem+json"),
        (
            client.post("/console/login", headers=HTML, data={"email": "a@example.com"}),
            403,
            "text/html",
        ),
        (client.get("/console/broken", headers=HTML), 500, "text/html"),
        (client.get("/console/broken", headers=JSON), 500, "application/problem+json"),
    ]
    for r, status, kind in answers:
        assert r.status_code == status, r.url
        if kind:
            assert r.headers["content-type"].startswith(kind), r.url
        _carries_the_headers(r)
    # Files under /static and /.well-known may be cached; they carry the rest all the same.
    for path, kind in (
        ("/static/steward.css", "text/css"),
        ("/.well-known/gpc.json", "application/json"),
    ):
        r = client.get(path)
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind), path
        _carries_the_headers(r, stored=True)


def test_a_streamed_body_carries_them() -> None:
    app = FastAPI()

    @app.get("/export.csv")
    def export() -> StreamingResponse:
        def rows() -> Iterator[str]:
            yield "name,email\n"
            yield "Ada Example,ada@example.com\n"

        return StreamingResponse(rows(), media_type="text/csv")

    app.add_middleware(SecurityHeaders, hsts=True)
    r = TestClient(app).get("/export.csv")
    assert r.text == "name,email\nAda Example,ada@example.com\n"
    _carries_the_headers(r)


# A value of each header that differs from the site's own where the header allows one.
OWN = {
    "x-content-type-options": "nosniff",  # its only value
    "x-frame-options": "SAMEORIGIN",
    "referrer-policy": "no-referrer",
    "permissions-policy": "camera=(self)",
    "cross-origin-opener-policy": "same-origin-allow-popups",
    "content-security-policy": "default-src 'none'",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
    "cache-control": "max-age=60",
}


@pytest.mark.parametrize("name", sorted(OWN))
def test_a_header_the_route_sets_is_kept_and_sent_once(name: str) -> None:
    app = FastAPI()

    @app.get("/page")
    def page() -> PlainTextResponse:
        # Written as a route would, capitalized: header names are case-insensitive.
        return PlainTextResponse("x", headers={name.title(): OWN[name]})

    app.add_middleware(SecurityHeaders, hsts=True)
    r = TestClient(app).get("/page")
    assert r.headers.get_list(name) == [OWN[name]]
    others = {**HEADERS, "strict-transport-security": HSTS, "cache-control": "no-store"}
    for other, value in others.items():
        if other != name:
            assert r.headers.get_list(other) == [value], other


def test_the_bare_asgi_exchange_gets_them_too() -> None:
    """ASGI lets a server leave out the per-request `state` (it is there only with lifespan
    state) and an app leave out the `headers` of its response start (an empty list)."""
    sent: list[dict[str, Any]] = []
    seen: list[str] = []

    async def bare_app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        seen.append(scope["state"]["csp_nonce"])
        await send({"type": "http.response.start", "status": 204})
        await send({"type": "http.response.body", "body": b""})

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/privacy", "headers": []}
    asyncio.run(SecurityHeaders(bare_app, hsts=False)(scope, receive, send))
    start = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    assert start == {
        **HEADERS,
        "content-security-policy": csp_for(seen[0]),
        "cache-control": "no-store",
    }
    assert len(seen[0]) == 22 and [m["type"] for m in sent[1:]] == ["http.response.body"]
