"""The support desk on SQLite and PostgreSQL (a fresh database per test), and a migrated
Steward store on SQLite."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text


@pytest.fixture(params=["sqlite", "postgres"])
def desk_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty company database for the support desk."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'support.db'}"
        return
    server = request.getfixturevalue("pg_server_url")
    name = f"desk_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    yield f"{server.rsplit('/', 1)[0]}/{name}"
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
