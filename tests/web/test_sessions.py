"""Console sessions end: at sign-out (a copied cookie is refused), after the idle and the
absolute timeouts, when the user is disabled, demoted, signed out everywhere by an admin, or
changes password; and the console always keeps an active admin."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from tests.helpers import PASSWORD, add_user, csrf_from, login, make_client

from steward.auth.sessions import token_hash
from steward.store.db import as_utc

BASE = "https://testserver"


def _sign_in(client: TestClient, email: str) -> str:
    token = csrf_from(client.get("/console/login").text)
    r = client.post("/console/login", data={"email": email, "password": PASSWORD,
                                             "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_from(client.get("/console").text)


def _copy(client: TestClient) -> TestClient:
    """Another browser holding a copy of `client`'s session cookie."""
    return TestClient(client.app, base_url=BASE,
                      cookies={"steward_session": client.cookies["steward_session"]})


def _signed_in(client: TestClient) -> bool:
    r = client.get("/console", follow_redirects=False)
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def _live_sessions(engine: Engine, email: str) -> int:
    with engine.connect() as c:
        return int(c.execute(text(
            "SELECT count(*) FROM console_sessions s JOIN users u ON u.id = s.user_id "
            "WHERE u.email = :e"), {"e": email}).scalar_one())


def test_a_copied_cookie_is_refused_after_sign_out(sqlite_engine: Engine,
                                                   tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    csrf = login(client, sqlite_engine, "officer")
    thief = _copy(client)
    assert _signed_in(thief)  # the copy works while the session lives
    r = client.post("/console/logout", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    assert not _signed_in(client)
    # The copy carries the old cookie, CSRF token included: refused everywhere.
    assert not _signed_in(_copy(thief))
    api = _copy(thief).get("/api/requests", headers={"accept": "application/json"})
    assert api.status_code == 401
    action = _copy(thief).post("/api/requests/officer", headers={"x-csrf-token": csrf},
                               json={"kind": "access", "email": "someone@example.com"})
    assert action.status_code == 401
    assert _live_sessions(sqlite_engine, "officer@steward.example") == 0


def test_sessions_end_after_the_idle_and_the_absolute_timeout(sqlite_engine: Engine,
                                                              tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path, session_idle_minutes=30,
                         session_absolute_hours=8)
    login(client, sqlite_engine, "viewer")
    now = datetime.now(UTC)
    with sqlite_engine.begin() as c:
        c.execute(text("UPDATE console_sessions SET last_seen_at = :t"),
                  {"t": now - timedelta(minutes=29)})
    assert _signed_in(client)  # 29 minutes idle: still live, and marked as seen now
    with sqlite_engine.connect() as c:
        raw = c.execute(text("SELECT last_seen_at FROM console_sessions")).scalar_one()
    seen = as_utc(datetime.fromisoformat(str(raw)))
    assert now - timedelta(minutes=1) < seen
    with sqlite_engine.begin() as c:
        c.execute(text("UPDATE console_sessions SET last_seen_at = :t"),
                  {"t": now - timedelta(minutes=31)})
    assert not _signed_in(client)
    assert _live_sessions(sqlite_engine, "viewer@steward.example") == 0

    _sign_in(client, "viewer@steward.example")
    with sqlite_engine.begin() as c:  # active a minute ago, but signed in 8 h 1 min ago
        c.execute(text("UPDATE console_sessions SET created_at = :c, last_seen_at = :s"),
                  {"c": now - timedelta(hours=8, minutes=1), "s": now - timedelta(minutes=1)})
    assert not _signed_in(client)


def test_the_store_keeps_no_usable_token(sqlite_engine: Engine, tmp_path: Path) -> None:
    import base64
    import json

    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "viewer")
    cookie = json.loads(base64.b64decode(client.cookies["steward_session"].split(".")[0]))
    assert set(cookie) >= {"sid"} and "uid" not in cookie
    with sqlite_engine.connect() as c:
        stored = c.execute(text("SELECT token_hash FROM console_sessions")).scalar_one()
    assert stored != cookie["sid"] and stored == token_hash(cookie["sid"])


def test_disabling_demoting_and_signing_out_everywhere_end_sessions(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    admin = make_client(sqlite_engine, tmp_path)
    csrf = login(admin, sqlite_engine, "admin")
    add_user(sqlite_engine, "officer@steward.example", "officer")
    with sqlite_engine.connect() as c:
        uid = c.execute(text("SELECT id FROM users WHERE email = 'officer@steward.example'")
                        ).scalar_one()
    laptop, phone = make_client(sqlite_engine, tmp_path), make_client(sqlite_engine, tmp_path)
    _sign_in(laptop, "officer@steward.example")
    _sign_in(phone, "officer@steward.example")
    assert _live_sessions(sqlite_engine, "officer@steward.example") == 2

    r = admin.post(f"/console/users/{uid}/sessions/end", data={"csrf_token": csrf},
                   follow_redirects=False)
    assert r.status_code == 303
    assert not _signed_in(laptop) and not _signed_in(phone)
    assert _signed_in(admin)  # only that user's sessions ended

    _sign_in(laptop, "officer@steward.example")
    admin.post(f"/console/users/{uid}/role", data={"csrf_token": csrf, "role": "viewer"})
    assert not _signed_in(laptop)
    with sqlite_engine.connect() as c:
        assert c.execute(text("SELECT role FROM users WHERE id = :i"), {"i": uid}
                         ).scalar_one() == "viewer"

    _sign_in(laptop, "officer@steward.example")
    admin.post(f"/console/users/{uid}/disable", data={"csrf_token": csrf})
    assert _live_sessions(sqlite_engine, "officer@steward.example") == 0
    assert not _signed_in(laptop)
    assert admin.post("/console/users/99999/sessions/end",
                      data={"csrf_token": csrf}).status_code == 404


def test_an_admin_cannot_disable_or_demote_themself(sqlite_engine: Engine,
                                                    tmp_path: Path) -> None:
    admin = make_client(sqlite_engine, tmp_path)
    csrf = login(admin, sqlite_engine, "admin")
    with sqlite_engine.connect() as c:
        uid = c.execute(text("SELECT id FROM users")).scalar_one()
    r = admin.post(f"/console/users/{uid}/disable", data={"csrf_token": csrf})
    assert r.status_code == 409 and "own account" in r.text
    r = admin.post(f"/console/users/{uid}/role", data={"csrf_token": csrf, "role": "officer"})
    assert r.status_code == 409
    with sqlite_engine.connect() as c:
        row = c.execute(text("SELECT role, disabled FROM users")).one()
    assert tuple(row) == ("admin", False)
    assert _signed_in(admin)


def test_a_password_change_ends_the_users_sessions(sqlite_engine: Engine,
                                                   tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "officer")
    env = {**os.environ, "STEWARD_DATABASE_URL": str(sqlite_engine.url),
           "STEWARD_DATA_DIR": str(tmp_path / "var"), "STEWARD_SECRET_KEY": "x" * 32}
    out = subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", "users", "password",
         "--email", "Officer@steward.example", "--generate"],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "1 session(s) ended" in out.stdout
    assert not _signed_in(client)
    new = out.stdout.rsplit("password: ", 1)[1].strip()
    token = csrf_from(client.get("/console/login").text)
    old = client.post("/console/login", data={"email": "officer@steward.example",
                                              "password": PASSWORD, "csrf_token": token})
    assert old.status_code == 401
    ok = client.post("/console/login", data={"email": "officer@steward.example",
                                             "password": new, "csrf_token": token},
                     follow_redirects=False)
    assert ok.status_code == 303
