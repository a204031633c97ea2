"""Security hardening of the web layer found in review: no query strings (personal data, link
tokens) in the access log, no caching of pages, an encoded sign-in redirect, and sign-in
limited per account as well as per address."""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import httpx
import uvicorn
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.conftest import free_port
from tests.helpers import PASSWORD, add_user, csrf_from, login, make_client, settings_for

from steward.web.app import create_app
from steward.web.security import QueryRedactor


class _Lines(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())


def test_access_log_of_a_real_server_keeps_no_query(sqlite_engine: Engine, tmp_path: Path) -> None:
    app = create_app(settings_for(sqlite_engine, tmp_path), engine=sqlite_engine)
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="info",
                                           lifespan="off"))
    collected = _Lines()
    access = logging.getLogger("uvicorn.access")
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        for _ in range(200):
            if server.started:
                break
            time.sleep(0.02)
        access.addHandler(collected)  # after uvicorn configured its logging
        base = f"http://127.0.0.1:{port}"
        r = httpx.get(f"{base}/api/consent/check",
                      params={"subject": "jane.roe@example.com", "purpose": "newsletter"})
        assert r.status_code == 401
        httpx.get(f"{base}/privacy/preferences", params={"token": "secret-link-token"})
    finally:
        access.removeHandler(collected)
        server.should_exit = True
        thread.join(10)
    text = "\n".join(collected.lines)
    assert "/api/consent/check?[redacted]" in text and "/privacy/preferences?[redacted]" in text
    assert "jane.roe" not in text and "example.com" not in text
    assert "secret-link-token" not in text


def test_query_redactor_leaves_other_records_alone() -> None:
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1,
                               '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5", "GET", "/privacy", "1.1", 200), None)
    assert QueryRedactor().filter(record)
    assert record.getMessage() == '127.0.0.1:5 - "GET /privacy HTTP/1.1" 200'
    plain = logging.LogRecord("steward", logging.INFO, __file__, 1, "no args", None, None)
    assert QueryRedactor().filter(plain) and plain.getMessage() == "no args"


def test_pages_are_not_cached_but_static_files_may_be(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "viewer")
    assert client.get("/console").headers["cache-control"] == "no-store"
    assert client.get("/privacy/requests").headers["cache-control"] == "no-store"
    assert client.get("/api/policy").headers["cache-control"] == "no-store"
    assert "cache-control" not in client.get("/static/steward.css").headers
    banner = client.get("/consent/ui.js").headers["cache-control"]
    assert banner == "public, max-age=86400"  # the route's own choice is kept


def test_sign_in_redirect_carries_an_encoded_target(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    r = client.get("/console/audit?action=dsr.received", follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"] == "/console/login?next=%2Fconsole%2Faudit%3Faction%3Ddsr.received"
    # A decoded path with a line break and a second `next` stays one encoded value.
    r = client.get("/console/consent/notices/x%0d%0aSet-Cookie:%20a=b%26next=evil.example",
                   follow_redirects=False)
    assert r.status_code == 303
    location = r.headers["location"]
    assert "\r" not in location and "\n" not in location and "&" not in location
    # The injected "Set-Cookie: a=b" must not become a header: no cookie named `a` is set.
    cookies = r.headers.get_list("set-cookie")
    assert not [c for c in cookies if c.strip().lower().startswith("a=")], cookies
    assert "a" not in r.cookies
    page = client.get(location)
    assert page.status_code == 200
    assert 'name="next" value="/console/consent/notices/x' in page.text
    # After signing in, the target is followed (a local console path).
    add_user(sqlite_engine, "viewer@steward.example", "viewer")
    token = csrf_from(client.get("/console/login").text)
    r = client.post("/console/login", data={"email": "viewer@steward.example",
                                             "password": PASSWORD, "csrf_token": token,
                                             "next": "/console/audit?action=dsr.received"},
                    follow_redirects=False)
    assert r.headers["location"] == "/console/audit?action=dsr.received"


def test_sign_in_is_limited_per_account_across_addresses(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    app = make_client(sqlite_engine, tmp_path, login_attempts_per_minute=1).app
    add_user(sqlite_engine, "officer@steward.example", "officer")
    codes = []
    for i in range(6):  # six "machines", one guess each: the per-address limit never trips
        c = TestClient(app, base_url="https://testserver", client=(f"192.0.2.{i + 1}", 4000))
        token = csrf_from(c.get("/console/login").text)
        codes.append(c.post("/console/login", data={"email": "Officer@steward.example",
                                                     "password": "wrong wrong wrong",
                                                     "csrf_token": token}).status_code)
    assert codes[:4] == [401] * 4 and codes[4:] == [429, 429]
    # Another account from a fresh address is unaffected.
    c = TestClient(app, base_url="https://testserver", client=("192.0.2.50", 4000))
    token = csrf_from(c.get("/console/login").text)
    r = c.post("/console/login", data={"email": "viewer@steward.example",
                                       "password": "wrong wrong wrong", "csrf_token": token})
    assert r.status_code == 401
