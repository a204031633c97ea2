"""Access rules: every route declares exactly one role guard or is marked public; sign-in and
its CSRF, messages, limits and headers. Who may call what is checked against the hand-written
matrix in tests/web/test_access_matrix.py, not against the route table itself."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import PASSWORD, add_user, csrf_from, make_client

from steward.web.deps import Public, RoleGuard
from steward.web.routes import api_routes, routers

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def _rules(route: APIRoute) -> list[Any]:
    found: list[Any] = []

    def walk(dep: Any) -> None:
        for sub in dep.dependencies:
            if isinstance(sub.call, (RoleGuard, Public)):
                found.append(sub.call)
            walk(sub)

    walk(route.dependant)
    return found


def _routes(client: TestClient) -> list[APIRoute]:
    table = api_routes()
    # Nested routers would hide endpoints from this table: refuse them.
    for router in routers():
        assert all(isinstance(r, APIRoute) for r in router.routes), "flat routers only"
    return table


def _concrete(path: str) -> str:
    return re.sub(r"\{[^}]+\}", "1", path)


@pytest.fixture
def client(sqlite_engine: Engine, tmp_path: Path) -> TestClient:
    return make_client(sqlite_engine, tmp_path)


def test_every_route_declares_one_access_rule(client: TestClient) -> None:
    missing = [f"{sorted(r.methods)} {r.path}" for r in _routes(client) if len(_rules(r)) != 1]
    assert missing == [], f"routes without exactly one RoleGuard/Public rule: {missing}"
    guarded = [r for r in _routes(client) if isinstance(_rules(r)[0], RoleGuard)]
    assert any(r.path.startswith("/console") for r in guarded)


def test_forms_without_csrf_token_are_refused(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    add_user(sqlite_engine, "officer@steward.example", "officer")
    client.get("/console/login")
    r = client.post("/console/login", data={"email": "officer@steward.example",
                                             "password": PASSWORD}, follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text
    r = client.post("/console/login", data={"email": "officer@steward.example",
                                             "password": PASSWORD, "csrf_token": "forged"},
                    follow_redirects=False)
    assert r.status_code == 403
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_wrong_login_gets_one_uniform_message(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    add_user(sqlite_engine, "officer@steward.example", "officer")
    token = csrf_from(client.get("/console/login").text)
    wrong_pw = client.post("/console/login", data={"email": "officer@steward.example",
                                                    "password": "nope nope nope",
                                                    "csrf_token": token})
    no_user = client.post("/console/login", data={"email": "ghost@steward.example",
                                                   "password": "nope nope nope",
                                                   "csrf_token": token})
    assert wrong_pw.status_code == no_user.status_code == 401
    msg = re.compile(r'<p class="error" role="alert">([^<]+)</p>')
    assert msg.search(wrong_pw.text).group(1) == msg.search(no_user.text).group(1)  # type: ignore[union-attr]


def test_login_is_rate_limited(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path, login_attempts_per_minute=3)
    token = csrf_from(client.get("/console/login").text)
    codes = [client.post("/console/login", data={"email": "x@steward.example",
                                                  "password": "wrong wrong wrong",
                                                  "csrf_token": token}).status_code
             for _ in range(5)]
    assert codes[:3] == [401, 401, 401] and codes[3:] == [429, 429]


def test_session_cookie_and_security_headers(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    add_user(sqlite_engine, "admin@steward.example", "admin")
    page = client.get("/console/login")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp
    assert page.headers["x-frame-options"] == "DENY"
    r = client.post("/console/login", data={"email": "admin@steward.example",
                                             "password": PASSWORD,
                                             "csrf_token": csrf_from(page.text)},
                    follow_redirects=False)
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "secure" in cookie and "samesite=lax" in cookie
    assert "<script>" not in client.get("/console").text


def test_api_errors_are_problem_documents(client: TestClient) -> None:
    r = client.get("/api/no-such-thing")
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/problem+json")
    body = r.json()
    assert body["status"] == 404 and body["title"] == "Not found" and "type" in body
    r = client.get("/api/policy")
    assert r.status_code == 401 and r.json()["status"] == 401
