"""Helpers for web tests: build the app on a migrated store and sign in through the real form."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine

from steward.auth.users import create_user
from steward.config import Settings
from steward.store.db import make_sessionmaker, transaction

ROOT = Path(__file__).resolve().parents[1]
PROMARK = ROOT / "examples" / "promark"
PASSWORD = "correct horse battery staple"
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def settings_for(engine: Engine, tmp_path: Path, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "database_url": engine.url.render_as_string(hide_password=False),
        "data_dir": tmp_path / "var",
        "secret_key": "test-secret-key-not-for-production",
        "policy": PROMARK,
        "base_url": "https://testserver",
    }
    values.update(overrides)
    return Settings(**values)  # type: ignore[arg-type]


def make_client(engine: Engine, tmp_path: Path, **overrides: object) -> TestClient:
    from steward.web.app import create_app

    app = create_app(settings_for(engine, tmp_path, **overrides), engine=engine)
    return TestClient(app, base_url="https://testserver")


def add_user(engine: Engine, email: str, role: str) -> None:
    with transaction(make_sessionmaker(engine)) as s:
        create_user(s, email=email, password=PASSWORD, role=role, actor="test")


def csrf_from(html: str) -> str:
    m = _CSRF.search(html)
    assert m, "no CSRF token in the page"
    return m.group(1)


def login(client: TestClient, engine: Engine, role: str = "admin") -> str:
    """Create a user with `role`, sign in through the form; returns the session's CSRF token."""
    email = f"{role}@steward.example"
    add_user(engine, email, role)
    page = client.get("/console/login")
    token = csrf_from(page.text)
    r = client.post("/console/login", data={"email": email, "password": PASSWORD,
                                             "csrf_token": token}, follow_redirects=False)
    assert r.status_code == 303, r.text
    return csrf_from(client.get("/console").text)
