"""A fresh, empty database per test on SQLite, PostgreSQL or MariaDB (the servers come from
the session fixtures in tests/conftest.py, which skip or fail when a server is down)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import sqlalchemy as sa

KINDS = ["sqlite", "postgres", "mariadb"]


@contextmanager
def fresh_database(request: pytest.FixtureRequest, kind: str, tmp_path: Path) -> Iterator[str]:
    """Yield the URL of a new empty database of `kind`; drop it afterwards."""
    if kind == "sqlite":
        yield f"sqlite:///{tmp_path / f'db_{uuid.uuid4().hex[:8]}.sqlite'}"
        return
    fixture = "pg_server_url" if kind == "postgres" else "mariadb_server_url"
    server = request.getfixturevalue(fixture)
    name = f"t_{uuid.uuid4().hex[:12]}"
    quote = '"' if kind == "postgres" else "`"
    admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f"CREATE DATABASE {quote}{name}{quote}"))
    url = sa.make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        force = " WITH (FORCE)" if kind == "postgres" else ""
        with admin.connect() as c:
            c.execute(sa.text(f"DROP DATABASE IF EXISTS {quote}{name}{quote}{force}"))
        admin.dispose()


def end_connections(url: str, kind: str) -> int:
    """Make the server end every other connection to the database of `url` (as a restart
    would); returns how many it ended."""
    name = sa.make_url(url).database
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        if kind == "postgres":
            ended = c.execute(sa.text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = :d AND pid <> pg_backend_pid()"), {"d": name}).scalar_one()
        else:
            ids = c.execute(sa.text(
                "SELECT id FROM information_schema.processlist WHERE db = :d "
                "AND id <> connection_id()"), {"d": name}).scalars().all()
            for i in ids:
                c.exec_driver_sql(f"KILL {int(i)}")
            ended = len(ids)
    admin.dispose()
    return int(ended)
