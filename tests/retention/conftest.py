"""Company systems on SQLite, PostgreSQL and MariaDB for sweep tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company

from steward.connectors.engines import SystemEngines
from steward.store.db import make_sessionmaker


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def company_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty company database with the test systems' tables, on each backend."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'company.db'}"
    elif request.param == "postgres":
        url = request.getfixturevalue("pg_server_url")
    else:
        url = request.getfixturevalue("mariadb_server_url")
    eng = company.create(url)
    yield url
    company.md.drop_all(eng)
    eng.dispose()


@pytest.fixture
def sqlite_company(tmp_path: Path) -> Iterator[str]:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    company.create(url).dispose()
    yield url


@pytest.fixture
def store(sqlite_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(sqlite_engine)


def engines_for(url: str) -> SystemEngines:
    """Every test system at the same database `url`."""
    return SystemEngines(urls={"recruiting": url, "support": url, "crm": url})
