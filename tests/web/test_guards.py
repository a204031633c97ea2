"""The route guards piece by piece: the security headers every answer carries (on every kind
of answer: tests/web/test_security_headers.py), the CSRF check (which methods, where the token
may travel, what a refusal says), the rate limiter's count and message, the access log's
redaction, and the session guards (roles, a planted or stale cookie, a disabled user). Expected
values are written here by hand from the policy each guard stands for, not read from the code
under test."""

from __future__ import annotations

import base64
import json
import logging
import re
import sqlite3
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, closing
from pathlib import Path
from typing import Any

import itsdangerous
import pytest
from fastapi import Depends, FastAPI, Request, WebSocket
from fastapi.responses import JSONResponse, PlainTextResponse
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from starlette.middleware.sessions import SessionMiddleware
from tests.helpers import PASSWORD, add_user, csrf_from, login, make_client, settings_for
from tests.web.security_policy import HEADERS, HSTS, NONCE, csp_for

from steward.auth.users import Role
from steward.errors import TooManyRequests
from steward.web import problems
from steward.web.deps import RoleGuard
from steward.web.ratelimit_backends import MemoryCounters
from steward.web.security import (
    QueryRedactor,
    RateLimiter,
    SecurityHeaders,
    client_id,
    csrf_protect,
    csrf_token,
    redact_access_log,
)

CSRF_REFUSAL = (
    "the form has expired or did not come from this site (CSRF check); "
    "reload the page and try again"
)
JSON = {"accept": "application/json"}  # refusals as problem documents


# --- a small app built from the guards themselves --------------------------------------------


def _small_app(*, hsts: bool) -> FastAPI:
    app = FastAPI()
    problems.install(app)
    forms: list[Any] = []
    app.state.forms = forms

    async def keep_form(request: Request) -> AsyncIterator[None]:
        # Reads the form before the CSRF check does (the request caches it), to see it closed.
        if request.headers.get("content-type", "").startswith("multipart/form-data"):
            forms.append(await request.form())
        yield

    guarded = [Depends(keep_form), Depends(csrf_protect)]

    @app.api_route("/act", methods=["POST", "PUT", "PATCH", "DELETE"], dependencies=guarded)
    def act() -> JSONResponse:
        return JSONResponse({"done": True})

    # Last: any other path is a page showing its nonce and the session's CSRF token.
    @app.get("/{path:path}")
    def page(request: Request, path: str) -> PlainTextResponse:
        return PlainTextResponse(f"{request.state.csp_nonce} {csrf_token(request)}")

    app.add_middleware(SessionMiddleware, secret_key="test-secret-key-not-for-production")
    app.add_middleware(SecurityHeaders, hsts=hsts)
    return app


def _token(client: TestClient) -> str:
    return client.get("/page").text.split()[1]


def test_every_answer_carries_the_security_headers_with_a_fresh_nonce() -> None:
    client = TestClient(_small_app(hsts=True), headers=JSON)
    nonces = []
    for path in ("/page", "/api/x", "/static/a.css"):
        r = client.get(path)
        for name, value in HEADERS.items():
            assert r.headers.get_list(name) == [value], (path, name)
        assert r.headers.get_list("strict-transport-security") == [HSTS]
        nonce = NONCE.search(r.headers["content-security-policy"]).group(1)  # type: ignore[union-attr]
        assert r.headers.get_list("content-security-policy") == [csp_for(nonce)]
        # The nonce in the header is the one the page may embed; 16 random bytes in base64url.
        assert r.text.split()[0] == nonce and len(nonce) == 22
        nonces.append(nonce)
    assert len(set(nonces)) == 3


def test_hsts_only_when_served_over_https(sqlite_engine: Engine, tmp_path: Path) -> None:
    assert "strict-transport-security" not in TestClient(_small_app(hsts=False)).get("/").headers
    client = make_client(sqlite_engine, tmp_path)  # base URL https://testserver
    assert client.get("/privacy").headers["strict-transport-security"] == HSTS
    plain = make_client(sqlite_engine, tmp_path, base_url="http://testserver")
    assert "strict-transport-security" not in plain.get("/privacy").headers


@pytest.mark.parametrize(
    ("path", "stored"),
    [
        ("/console", False),
        ("/api/requests", False),
        ("/privacy/requests", False),
        ("/static/steward.css", True),
        ("/consent/banner.js", True),
        ("/.well-known/gpc.json", True),
        ("/staticky", False),
        ("/consent", False),  # a prefix only counts as a folder
    ],
)
def test_only_static_folders_may_be_cached(path: str, stored: bool) -> None:
    r = TestClient(_small_app(hsts=True)).get(path)
    assert ("cache-control" not in r.headers) is stored, path
    if not stored:
        assert r.headers["cache-control"] == "no-store"


# --- CSRF ------------------------------------------------------------------------------------


def test_the_csrf_token_is_made_once_per_session() -> None:
    client = TestClient(_small_app(hsts=True), headers=JSON)
    first = _token(client)
    assert len(first) == 43  # 32 random bytes in base64url
    assert _token(client) == first
    assert _token(TestClient(client.app)) != first  # another browser, another token


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE"])
def test_every_unsafe_method_needs_the_token(method: str) -> None:
    client = TestClient(_small_app(hsts=True), headers=JSON)
    token = _token(client)
    refused = client.request(method, "/act", json={"x": 1})
    assert refused.status_code == 403 and refused.json()["detail"] == CSRF_REFUSAL
    assert client.request(method, "/act", headers={"x-csrf-token": token}).json() == {"done": True}


def test_the_token_may_come_in_the_header_or_the_form() -> None:
    client = TestClient(_small_app(hsts=True), headers=JSON)
    token = _token(client)
    ok = [
        client.post("/act", headers={"x-csrf-token": token}),
        client.post("/act", data={"csrf_token": token}),
        client.post("/act", data={"csrf_token": token}, files={"f": ("a.txt", b"a")}),
        client.post(
            "/act",
            content=f"csrf_token={token}".encode(),
            headers={"content-type": "application/x-www-form-urlencoded; charset=utf-8"},
        ),
    ]
    assert [r.status_code for r in ok] == [200] * 4
    refused = [
        # A header, when sent, is the token checked: a right form field does not rescue it.
        client.post("/act", headers={"x-csrf-token": "forged"}, data={"csrf_token": token}),
        client.post("/act", data={"csrf_token": "forged"}),
        # An uploaded file named like the field is no token.
        client.post("/act", files={"csrf_token": ("t.txt", token.encode())}),
        # Other bodies are not read as forms.
        client.post(
            "/act", content=f"csrf_token={token}".encode(), headers={"content-type": "text/plain"}
        ),
        client.post("/act", json={"csrf_token": token}),
    ]
    assert [r.status_code for r in refused] == [403] * 5
    assert all(r.json()["detail"] == CSRF_REFUSAL for r in refused)


def test_a_session_without_a_token_refuses_every_token() -> None:
    client = TestClient(_small_app(hsts=True), headers=JSON)
    for sent in ("forged", "None", ""):
        r = client.post("/act", headers={"x-csrf-token": sent})
        assert r.status_code == 403, sent


def test_the_form_read_for_the_check_is_closed_when_the_request_ends() -> None:
    app = _small_app(hsts=True)
    client = TestClient(app, headers=JSON)
    token = _token(client)
    ok = client.post("/act", data={"csrf_token": token}, files={"f": ("a.txt", b"a")})
    refused = client.post("/act", data={"csrf_token": "forged"}, files={"f": ("a.txt", b"a")})
    assert (ok.status_code, refused.status_code) == (200, 403)
    assert [form["f"].file.closed for form in app.state.forms] == [True, True]


# --- rate limiting and the client address ----------------------------------------------------


def test_the_limiter_counts_per_bucket_and_client_and_says_when_to_retry() -> None:
    limiter = RateLimiter(MemoryCounters())
    start = time.monotonic()
    for _ in range(3):
        limiter.hit("login", "192.0.2.1", limit=3)
    with pytest.raises(TooManyRequests) as refused:
        limiter.hit("login", "192.0.2.1", limit=3)
    elapsed = time.monotonic() - start
    # A one-minute window by default; the wait is the window's rest, rounded up to a second.
    said = re.fullmatch(r"too many requests; try again in (\d+) s", refused.value.detail)
    assert said is not None, refused.value.detail
    seconds = int(said.group(1))
    assert int(60 - elapsed) + 1 <= seconds <= 60
    limiter.hit("login", "192.0.2.2", limit=3)  # another client
    limiter.hit("login-account", "192.0.2.1", limit=3)  # another bucket
    limiter.reset("login", "192.0.2.1")
    limiter.hit("login", "192.0.2.1", limit=3)  # counted afresh
    with pytest.raises(TooManyRequests, match=r"try again in [1-5] s"):
        for _ in range(2):
            limiter.hit("short", "192.0.2.1", limit=1, window=5)


def test_limiters_on_one_store_keep_one_count() -> None:
    shared = MemoryCounters()
    RateLimiter(shared).hit("login", "192.0.2.1", limit=1)
    with pytest.raises(TooManyRequests):
        RateLimiter(shared).hit("login", "192.0.2.1", limit=1)
    RateLimiter().hit("login", "192.0.2.1", limit=1)  # no store given: its own


def test_other_connections_pass_the_headers_through() -> None:
    started: list[str] = []

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        started.append("up")
        yield

    app = FastAPI(lifespan=lifespan)

    @app.websocket("/ws")
    async def echo(socket: WebSocket) -> None:
        await socket.accept()
        await socket.send_text(await socket.receive_text())
        await socket.close()

    app.add_middleware(SecurityHeaders, hsts=True)
    with TestClient(app) as client, client.websocket_connect("/ws") as socket:
        socket.send_text("hello")
        assert socket.receive_text() == "hello"
    assert started == ["up"]


def test_the_client_address_is_the_peers_or_unknown() -> None:
    scope = {"type": "http", "method": "GET", "path": "/", "headers": [], "query_string": b""}
    assert client_id(Request({**scope, "client": ("192.0.2.7", 4000)})) == "192.0.2.7"
    assert client_id(Request({**scope, "client": None})) == "unknown"


# --- the access log --------------------------------------------------------------------------


def test_the_redactor_cuts_every_query_and_keeps_the_rest() -> None:
    def line(args: tuple[Any, ...]) -> str:
        record = logging.LogRecord(
            "uvicorn.access", logging.INFO, __file__, 1, " ".join(["%s"] * len(args)), args, None
        )
        assert QueryRedactor().filter(record) is True
        return record.getMessage()

    assert (
        line(("192.0.2.1:5", "GET", "/privacy/preferences?token=abc", "1.1", 200))
        == "192.0.2.1:5 GET /privacy/preferences?[redacted] 1.1 200"
    )
    assert line(("192.0.2.1:5", "GET", "/a?b=c")) == "192.0.2.1:5 GET /a?[redacted]"
    assert line(("192.0.2.1:5", "GET", "/a?")) == "192.0.2.1:5 GET /a?[redacted]"
    # Everything after the first `?` is query, even a second `?` in a value.
    assert line(("192.0.2.1:5", "GET", "/a?next=/b?token=t")) == "192.0.2.1:5 GET /a?[redacted]"
    assert line(("192.0.2.1:5", "GET")) == "192.0.2.1:5 GET"
    assert line(("a", "b", 3, "d?e")) == "a b 3 d?e"


def test_the_redactor_is_installed_once_on_uvicorns_access_log() -> None:
    name = f"steward-test.access.{uuid.uuid4().hex}"  # a logger no earlier call touched
    redact_access_log(name)
    redact_access_log(name)
    assert sum(isinstance(f, QueryRedactor) for f in logging.getLogger(name).filters) == 1
    access = logging.getLogger("uvicorn.access")
    for installed in [f for f in access.filters if isinstance(f, QueryRedactor)]:
        access.removeFilter(installed)  # an app made by an earlier test installed one
    redact_access_log()
    assert sum(isinstance(f, QueryRedactor) for f in access.filters) == 1


# --- sessions and roles ----------------------------------------------------------------------


def _cookie(engine: Engine, tmp_path: Path, data: dict[str, Any]) -> str:
    """A session cookie signed with the app's key, as a browser could hold it."""
    key = settings_for(engine, tmp_path).resolved_secret_key()
    payload = base64.b64encode(json.dumps(data).encode())
    return itsdangerous.TimestampSigner(str(key)).sign(payload).decode()


def _session_set_by(response: Any) -> dict[str, Any]:
    cookies = [
        c for c in response.headers.get_list("set-cookie") if c.startswith("steward_session=")
    ]
    assert len(cookies) == 1, cookies
    raw = cookies[0].split(";")[0].removeprefix("steward_session=")
    data: dict[str, Any] = json.loads(base64.b64decode(raw.split(".")[0]))
    return data


def _cleared(response: Any) -> bool:
    cookies = [
        c for c in response.headers.get_list("set-cookie") if c.startswith("steward_session=")
    ]
    return len(cookies) == 1 and "expires=thu, 01 jan 1970" in cookies[0].lower()


def test_a_role_guard_names_the_role_it_needs(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "viewer")
    page = client.get("/console")
    assert page.status_code == 200 and "viewer@steward.example · viewer" in page.text
    accept = {"accept": "application/json"}
    admin = client.get("/console/users", headers=accept)
    assert admin.status_code == 403 and admin.json()["detail"] == "this needs the admin role"
    officer = client.get("/console/requests/new", headers=accept)
    assert officer.status_code == 403
    assert officer.json()["detail"] == "this needs the officer role"


@pytest.mark.parametrize(("role", "status"), [("viewer", 403), ("officer", 200), ("admin", 200)])
def test_a_new_guard_lets_in_its_role_and_those_above(
    sqlite_engine: Engine, tmp_path: Path, role: str, status: int
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    app: FastAPI = client.app  # type: ignore[assignment]

    def seen(request: Request) -> PlainTextResponse:
        return PlainTextResponse(request.state.user.email)

    app.add_api_route("/console/guard-test", seen, dependencies=[Depends(RoleGuard(Role.officer))])
    login(client, sqlite_engine, role)
    r = client.get("/console/guard-test", headers=JSON)
    assert r.status_code == status
    expected = f"{role}@steward.example" if status == 200 else "this needs the officer role"
    assert (r.text if status == 200 else r.json()["detail"]) == expected


@pytest.mark.parametrize("stale", [{"uid": 1}, {"sid": "no-such-session", "csrf": "x"}])
def test_a_stale_cookie_signs_in_no_one_and_is_emptied(
    sqlite_engine: Engine, tmp_path: Path, stale: dict[str, Any]
) -> None:
    add_user(sqlite_engine, "admin@steward.example", "admin")  # user id 1
    client = make_client(sqlite_engine, tmp_path)
    client.cookies.set("steward_session", _cookie(sqlite_engine, tmp_path, stale))
    r = client.get("/console", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/login")
    assert _cleared(r)


def test_signing_in_drops_a_planted_session(sqlite_engine: Engine, tmp_path: Path) -> None:
    add_user(sqlite_engine, "officer@steward.example", "officer")
    client = make_client(sqlite_engine, tmp_path)
    planted = {"csrf": "planted-token", "sid": "planted-sid", "next": "elsewhere"}
    client.cookies.set("steward_session", _cookie(sqlite_engine, tmp_path, planted))
    r = client.post(
        "/console/login",
        data={
            "email": "officer@steward.example",
            "password": PASSWORD,
            "csrf_token": "planted-token",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    session = _session_set_by(r)
    assert set(session) == {"sid"} and session["sid"] != "planted-sid"


def test_a_disabled_user_is_signed_out_at_the_next_call(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "officer")
    with sqlite_engine.begin() as c:
        c.execute(text("UPDATE users SET disabled = :d"), {"d": True})
    r = client.get("/console", follow_redirects=False)
    assert r.status_code == 303 and _cleared(r)
    with sqlite_engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM console_sessions")).scalar_one() == 0


def test_a_deleted_user_is_signed_out_at_the_next_call(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "officer")
    # The account removed behind the console's back (a plain connection: no foreign keys).
    with closing(sqlite3.connect(str(sqlite_engine.url.database))) as db, db:
        db.execute("DELETE FROM users")
    r = client.get("/console", follow_redirects=False)
    assert r.status_code == 303 and _cleared(r)
    with sqlite_engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM console_sessions")).scalar_one() == 0


def test_signing_out_ends_the_session_and_empties_the_cookie(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "viewer")
    r = client.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and _cleared(r)
    with sqlite_engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM console_sessions")).scalar_one() == 0
    # Signing out again (no session any more) is harmless.
    anonymous = make_client(sqlite_engine, tmp_path)
    token = csrf_from(anonymous.get("/console/login").text)
    r = anonymous.post("/console/logout", data={"csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/login"
