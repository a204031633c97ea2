"""Shared fixtures: real databases (SQLite always, PostgreSQL and MariaDB when reachable),
a real SMTP server, and Debian's Chromium for browser tests.

Servers that are down make their tests skip with the reason, except under CI=true, where a
missing server is a failure.
"""

from __future__ import annotations

import os
import shutil
import socket
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session, sessionmaker

from steward.store.db import make_engine, make_sessionmaker
from steward.store.migrate import upgrade_engine

ROOT = Path(__file__).resolve().parents[1]
PROMARK = ROOT / "examples" / "promark"
PG_ADMIN = os.environ.get("STEWARD_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
MARIA_ADMIN = os.environ.get("STEWARD_TEST_MARIADB", "mysql+pymysql://root@127.0.0.1:3306/test")
IN_CI = os.environ.get("CI", "").lower() == "true"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _unavailable(what: str, err: Exception) -> None:
    msg = f"{what} is not reachable: {err.__class__.__name__}: {err}"
    if IN_CI:
        pytest.fail(msg + " (CI=true: servers must be running)")
    pytest.skip(msg)


@pytest.fixture(scope="session")
def pg_server_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test session, dropped afterwards."""
    name = f"steward_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as err:  # noqa: BLE001 - any connection failure means "server down"
        admin.dispose()
        _unavailable("PostgreSQL", err)
    base = PG_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def mariadb_server_url() -> Iterator[str]:
    """A fresh MariaDB database for this test session, dropped afterwards."""
    name = f"steward_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(MARIA_ADMIN)
    try:
        with admin.connect() as c:
            c.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    except Exception as err:  # noqa: BLE001
        admin.dispose()
        _unavailable("MariaDB", err)
    base = MARIA_ADMIN.rsplit("/", 1)[0]
    yield f"{base}/{name}?charset=utf8mb4"
    with admin.connect() as c:
        c.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
    admin.dispose()


def _fresh_pg_schema(url: str) -> Iterator[str]:
    """Isolate one test in its own PostgreSQL database (cheap: ~50 ms)."""
    name = f"st_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    base = url.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgres"])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """URL of an empty Steward store, on SQLite and on PostgreSQL (one test each)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'steward.db'}"
    else:
        server = request.getfixturevalue("pg_server_url")
        yield from _fresh_pg_schema(server)


@pytest.fixture
def engine(store_url: str) -> Iterator[Engine]:
    """A migrated Steward store (SQLite and PostgreSQL)."""
    eng = make_engine(store_url)
    upgrade_engine(eng)
    yield eng
    eng.dispose()


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite store migrated once per test run: `sqlite_engine` hands each test a copy of
    the file, the same store as migrating afresh, without running every migration per test."""
    path = tmp_path_factory.mktemp("migrated") / "steward.db"
    eng = make_engine(f"sqlite:///{path}")
    upgrade_engine(eng)
    eng.dispose()
    with closing(sqlite3.connect(path)) as conn:  # everything into the file itself (WAL mode)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return path


@pytest.fixture
def sqlite_engine(tmp_path: Path, migrated_sqlite: Path) -> Iterator[Engine]:
    """A migrated Steward store on SQLite only, for tests where the backend does not matter."""
    shutil.copyfile(migrated_sqlite, tmp_path / "steward.db")
    eng = make_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    yield eng
    eng.dispose()


@pytest.fixture
def sm(engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(engine)


# --- a real SMTP server -----------------------------------------------------------------------


class _Collect:
    def __init__(self) -> None:
        self.messages: list[object] = []

    async def handle_DATA(self, server: object, session: object, envelope: object) -> str:  # noqa: N802
        from email import message_from_bytes
        from email.policy import default

        self.messages.append(message_from_bytes(envelope.content, policy=default))  # type: ignore[attr-defined]
        return "250 OK"


@pytest.fixture
def smtp_server() -> Iterator[tuple[str, int, list[object]]]:
    """A real SMTP server (aiosmtpd) on loopback: yields (host, port, received messages)."""
    from aiosmtpd.controller import Controller

    handler = _Collect()
    port = free_port()
    ctl = Controller(handler, hostname="127.0.0.1", port=port)
    ctl.start()
    yield "127.0.0.1", port, handler.messages
    ctl.stop()


# --- browser ---------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    return {
        **browser_type_launch_args,
        "executable_path": os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"),
        "args": [
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run",
        ],
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    # Sync Playwright leaves an event loop behind that breaks later async tests: browser last.
    items.sort(key=lambda it: it.get_closest_marker("browser") is not None)


# --- a live server for the browser -----------------------------------------------------------


class LiveServer:
    def __init__(self, url: str, engine: Engine, settings: object, app: object) -> None:
        self.url = url
        self.engine = engine
        self.settings = settings
        self.app = app


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[LiveServer]:
    """Steward served by uvicorn on a thread (SQLite store, ProMark policy), for Chromium.

    Cookies are not marked Secure here: the browser talks plain HTTP to 127.0.0.1.
    """
    from tests.connectors.servers import serve
    from tests.helpers import settings_for

    from steward.web.app import create_app

    eng = make_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    upgrade_engine(eng)
    port = free_port()
    settings = settings_for(eng, tmp_path, cookie_secure=False,
                            base_url=f"http://127.0.0.1:{port}")
    app = create_app(settings, engine=eng)
    with serve(app, port=port, lifespan="auto") as url:
        yield LiveServer(url, eng, settings, app)
    eng.dispose()
