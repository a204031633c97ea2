"""Engine and session factories for Steward's own store (SQLite by default, PostgreSQL at scale).

SQLite runs in WAL mode with foreign keys on and a busy timeout, so the web process, the
in-process worker and CLI commands can share one file.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import MetaData, create_engine, event
from sqlalchemy.engine import CursorResult, Engine, Result, make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every Steward table; capabilities define theirs in `tables.py`."""

    metadata = MetaData(naming_convention=NAMING)


@overload
def as_utc(dt: datetime) -> datetime: ...


@overload
def as_utc(dt: None) -> None: ...


def as_utc(dt: datetime | None) -> datetime | None:
    """A datetime read from the store as a UTC-aware datetime (None stays None).

    SQLite has no time zone type and hands every stored datetime back naive; Steward always
    writes UTC, so a naive value is UTC. An aware value (PostgreSQL's timestamptz, in the
    session's time zone) is converted to UTC: the same instant, so dates and times shown or
    derived from it (`.date()`) are UTC's on every database.
    """
    if dt is None:
        return None
    return dt.replace(tzinfo=UTC) if dt.tzinfo is None else dt.astimezone(UTC)


def rows_matched(result: Result[Any]) -> int:
    """The number of rows an UPDATE, DELETE or INSERT statement matched. `Session.execute` is
    typed as returning a plain `Result`; for these statements it is a `CursorResult`, which
    carries the count."""
    if not isinstance(result, CursorResult):
        raise TypeError(f"a DML statement gave {type(result).__name__}, not a CursorResult")
    return result.rowcount


def sqlite_foreign_keys(dbapi_conn: Any, _record: Any) -> None:
    """`connect` listener for any SQLite engine: enforce foreign keys (SQLite ignores them
    unless asked, per connection). Company systems' engines use it too; unlike the store's
    other pragmas it changes nothing in the database file."""
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def _sqlite_pragmas(dbapi_conn: Any, record: Any) -> None:
    """`connect` listener for Steward's own store only: WAL is recorded in the file itself
    and `synchronous` trades durability, choices that are not ours to make for a company's
    database."""
    sqlite_foreign_keys(dbapi_conn, record)
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.close()


def _sqlite_query_only(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA query_only=ON")
    cur.close()


def make_engine(url: str, *, readonly: bool = False, **kwargs: Any) -> Engine:
    """Create an engine for `url`; SQLite gets WAL and a busy timeout, file folders created.

    `readonly=True` (SQLite): plain deferred transactions with `query_only` on, for read paths
    such as consent checks, so readers never queue for the write lock that every writing
    transaction takes at BEGIN. Other databases ignore the flag (MVCC readers don't block).
    """
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            from pathlib import Path

            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 10})
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        if readonly:
            event.listen(engine, "connect", _sqlite_query_only)
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN"))
        else:
            # pysqlite's own BEGIN handling defers locks; take the write lock at BEGIN so that
            # a read-then-write transaction cannot fail half-way with "database is locked".
            event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))

        @event.listens_for(engine, "connect")
        def _no_autobegin(dbapi_conn: Any, _record: Any) -> None:
            dbapi_conn.isolation_level = None

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def make_reader(engine: Engine) -> Engine:
    """An engine for read-only work next to `engine`: a second, read-only SQLite engine on
    the same file; the same engine for server databases."""
    if engine.dialect.name == "sqlite" and engine.url.database not in (None, "", ":memory:"):
        return make_engine(engine.url.render_as_string(hide_password=False), readonly=True)
    return engine


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(sm: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    with sm() as session, session.begin():
        yield session
