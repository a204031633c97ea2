"""The app's routes against the hand-written access matrix (tests/web/access_matrix.py):
the two lists match both ways, every route answers every role (anonymous, viewer, officer,
admin) with the status the matrix implies, lower roles change nothing, and every unsafe route
that takes the session refuses a call without the CSRF token."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from tests.helpers import csrf_from, login, make_client
from tests.web.access_matrix import KEY_ONLY, RANK, ROLES, rows

from steward.audit.tables import AuditEvent
from steward.store.db import make_sessionmaker
from steward.web.routes import api_routes

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
CSRF_MESSAGE = "CSRF check"

# Parameter-free GET routes whose answer to an allowed caller is not a plain 200 page, with the
# reason (written by hand; everything else must answer exactly 200).
NOT_200 = {
    ("GET", "/"): 307,  # the site root sends visitors on to the privacy center
    ("GET", "/privacy/newsletter/confirm"): 400,  # the link's token is missing
    ("GET", "/privacy/unsubscribe"): 400,  # the link's token is missing
    ("GET", "/api/consent/check"): 422,  # the subject and purpose are required query values
    ("GET", "/console/consent/proof"): 422,  # the subject and purpose are required query values
}
SIGNED_IN_NOT_200 = {
    ("GET", "/console/login"): 303,  # already signed in: on to the console
}
# Calls that end or replace the session go last, so that the others run signed in.
LAST = [("POST", "/console/login"), ("POST", "/console/logout")]


def _ordered() -> list[tuple[str, str, str, str]]:
    return sorted(rows(), key=lambda row: LAST.index(row[:2]) if row[:2] in LAST else -1)


def _app_routes() -> set[tuple[str, str]]:
    return {(m, r.path) for r in api_routes() for m in r.methods}


def _concrete(path: str) -> str:
    # An id that exists nowhere: a call let through must not act on the caller's own account.
    return re.sub(r"\{[^}]+\}", "999999", path)


def _client(engine: Engine, tmp_path: Path, role: str) -> tuple[TestClient, str]:
    client = make_client(engine, tmp_path)
    if role == "anonymous":
        return client, csrf_from(client.get("/console/login").text)
    return client, login(client, engine, role)


def test_every_route_has_a_row_and_every_row_a_route() -> None:
    table = {(m, p) for m, p, _, _ in rows()}
    assert len(table) == len(rows()), "a route is listed twice"
    app = _app_routes()
    assert sorted(app - table) == [], "routes without a row in tests/web/access_matrix.py"
    assert sorted(table - app) == [], "rows in tests/web/access_matrix.py without a route"


def _allowed(role: str, needed: str) -> bool:
    if needed == "public":
        return True
    if needed == KEY_ONLY:
        return False  # a controller's API key only (tests/processors/test_assisted_*.py)
    return role != "anonymous" and RANK[role] >= RANK[needed]


@pytest.mark.parametrize("role", ROLES)
def test_every_route_answers_every_role(sqlite_engine: Engine, tmp_path: Path, role: str) -> None:
    client, token = _client(sqlite_engine, tmp_path, role)
    wrong: list[str] = []
    refused = 0
    for method, path, needed, _ in _ordered():
        r = client.request(method, _concrete(path), follow_redirects=False,
                           headers={"x-csrf-token": token})
        where = f"{role} {method} {path}: {r.status_code}"
        api = path.startswith("/api")
        if not _allowed(role, needed):
            refused += needed != KEY_ONLY
            if role == "anonymous":
                if api:
                    ok = (r.status_code == 401 and r.headers["content-type"]
                          .startswith("application/problem+json"))
                else:
                    ok = (r.status_code == 303
                          and r.headers["location"].startswith("/console/login"))
            else:
                ok = r.status_code == 403 and CSRF_MESSAGE not in r.text
            if not ok:
                wrong.append(where + " (should be refused)")
            continue
        # Allowed: the guard lets the call through to the handler, which answers for itself.
        if r.status_code in (401, 403) or r.status_code >= 500:
            wrong.append(where + " (should be let through)")
        elif r.status_code in (302, 303, 307) and (method, path) != ("POST", "/console/logout") \
                and r.headers.get("location", "").startswith("/console/login"):
            wrong.append(where + " (sent to sign in)")
        elif method == "GET" and "{" not in path:
            expected = NOT_200.get((method, path), 200)
            if role != "anonymous":
                expected = SIGNED_IN_NOT_200.get((method, path), expected)
            if r.status_code != expected:
                wrong.append(where + f" (expected {expected})")
    assert wrong == [], "\n".join(wrong)
    assert (refused > 0) is (role != "admin")


@pytest.mark.parametrize("role", ["viewer", "officer"])
def test_refused_calls_change_nothing(sqlite_engine: Engine, tmp_path: Path, role: str) -> None:
    client, token = _client(sqlite_engine, tmp_path, role)
    sm = make_sessionmaker(sqlite_engine)
    with sm() as s:
        before = s.scalar(select(func.count(AuditEvent.seq)))
    for method, path, needed, _ in rows():
        if method in UNSAFE and not _allowed(role, needed):
            r = client.request(method, _concrete(path), follow_redirects=False,
                               headers={"x-csrf-token": token})
            assert r.status_code == 403, f"{role} {method} {path}: {r.status_code}"
    with sm() as s:
        assert s.scalar(select(func.count(AuditEvent.seq))) == before


def test_unsafe_routes_refuse_a_valid_session_without_csrf_token(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    """Signed in as admin (every guard passes), but no token: each session route says 403."""
    client, _ = _client(sqlite_engine, tmp_path, "admin")
    checked = 0
    for method, path, _, csrf in _ordered():
        if method not in UNSAFE:
            continue
        for body in ({"data": {"x": "1"}}, {"json": {"x": "1"}}):
            r = client.request(method, _concrete(path), follow_redirects=False, **body)
            if csrf == "yes":
                assert r.status_code == 403 and CSRF_MESSAGE in r.text, \
                    f"{method} {path} without token: {r.status_code}"
            else:
                assert r.status_code != 403 or CSRF_MESSAGE not in r.text, f"{method} {path}"
            # A forged token is no better than none.
            forged = client.request(method, _concrete(path), follow_redirects=False,
                                    headers={"x-csrf-token": "forged"}, **body)
            if csrf == "yes":
                assert forged.status_code == 403 and CSRF_MESSAGE in forged.text, \
                    f"{method} {path} forged token: {forged.status_code}"
        checked += 1
    assert checked == sum(1 for m, *_ in rows() if m in UNSAFE)
