"""Writing the demo company: SQLite files in a folder, or databases on a PostgreSQL/MariaDB
server, plus the newsletter tool's own SQLite file.

Rows are written in batches (SQLite executemany inside one transaction, PostgreSQL COPY,
MariaDB multi-row INSERT) and indexes are built after the load, so a million customers
(about 14 million rows) takes minutes. SQLite files are written under a temporary name and
renamed when complete, so an interrupted run never leaves a half-built demo behind.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from steward.demo.rows import DemoRows, Rows
from steward.demo.schema import NEWSLETTER, SQL_SYSTEMS
from steward.errors import Conflict, InvalidInput, Unavailable

FLUSH_ROWS = 20_000
_NAME = re.compile(r"^[a-z0-9_]{1,50}$")


@dataclass(frozen=True)
class DemoLocation:
    """Where the demo lives: one URL per SQL system and the newsletter's SQLite file.
    `server` is the admin URL when the databases live on a server (`names` their names)."""

    urls: dict[str, str]
    newsletter_db: Path
    server: str | None = None
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DemoSummary:
    counts: dict[str, int]  # "system.table" -> rows
    showcase: dict[str, str]  # identities of the person present in all five systems


def in_dir(directory: Path) -> DemoLocation:
    """SQLite files `<system>.db` in `directory` (default layout: var/demo/)."""
    directory = directory.resolve()
    return DemoLocation(
        urls={s: f"sqlite:///{directory / (s + '.db')}" for s in SQL_SYSTEMS},
        newsletter_db=directory / "newsletter.db",
    )


def on_server(url_prefix: str, *, newsletter_dir: Path, name_prefix: str = "demo_") -> DemoLocation:
    """One database per system, `<name_prefix><system>`, on the server of `url_prefix`
    (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/)."""
    try:
        admin = sa.make_url(url_prefix)
    except sa.exc.ArgumentError:
        raise InvalidInput(f"not a database URL: {url_prefix!r}") from None
    backend = admin.get_backend_name()
    if backend not in ("postgresql", "mysql", "mariadb"):
        raise InvalidInput(f"--url-prefix needs a PostgreSQL or MariaDB/MySQL URL, not {backend}")
    if backend == "postgresql":
        admin = admin.set(database=admin.database or "postgres")
    else:
        admin = admin.set(database=None)
        if "charset" not in admin.query:
            admin = admin.update_query_dict({"charset": "utf8mb4"})
    names = {s: f"{name_prefix}{s}" for s in SQL_SYSTEMS}
    for name in names.values():
        if not _NAME.match(name):
            raise InvalidInput(f"invalid database name {name!r}: use a-z, 0-9 and _")

    def render(u: sa.URL) -> str:
        return u.render_as_string(hide_password=False)

    return DemoLocation(
        urls={s: render(admin.set(database=n)) for s, n in names.items()},
        newsletter_db=newsletter_dir.resolve() / "newsletter.db",
        server=render(admin),
        names=names,
    )


def exists(loc: DemoLocation) -> bool:
    """True when every system of the demo is there (the newsletter file included)."""
    if not loc.newsletter_db.exists():
        return False
    for system, url in loc.urls.items():
        if loc.server is None:
            path = sa.make_url(url).database
            if not path or not Path(path).exists():
                return False
            continue
        engine = sa.create_engine(url)
        try:
            with engine.connect() as conn:
                tables = set(sa.inspect(conn).get_table_names())
        except sa.exc.OperationalError:
            return False
        finally:
            engine.dispose()
        if not set(SQL_SYSTEMS[system].tables) <= tables:
            return False
    return True


def drop(loc: DemoLocation) -> None:
    """Remove the demo: the SQLite files, or the server databases."""
    if loc.server is None:
        for url in loc.urls.values():
            _unlink(Path(sa.make_url(url).database or ""))
    else:
        _server_databases(loc, create=False)
    _unlink(loc.newsletter_db)


def build(
    loc: DemoLocation,
    *,
    customers: int = 200,
    seed: int = 1,
    today: dt.date | None = None,
    replace: bool = False,
    progress: Callable[[int], None] | None = None,
) -> DemoSummary:
    """Create the demo company with `customers` customers; Conflict if it exists already
    (unless `replace`)."""
    if customers < 1:
        raise InvalidInput("the demo needs at least 1 customer")
    if exists(loc) and not replace:
        raise Conflict("the demo exists already; use --if-missing to keep it or --replace")
    today = today or dt.date.today()
    gen = DemoRows(seed=seed, today=today)
    targets = _prepare_targets(loc)
    sinks = {s: _Sink(engine, SQL_SYSTEMS[s]) for s, engine in targets.items()}
    news = _Sink(_sqlite_engine(_tmp(loc.newsletter_db)), NEWSLETTER)
    sinks_by_name = {**sinks, "newsletter": news}
    counts: Counter[str] = Counter()
    buffered = 0

    def take(rows: Rows) -> None:
        nonlocal buffered
        for key, items in rows.items():
            system, table = key.split(".", 1)
            sinks_by_name[system].add(table, items)
            counts[key] += len(items)
            buffered += len(items)

    try:
        for i in range(1, customers + 1):
            take(gen.customer(i))
            if buffered >= FLUSH_ROWS:
                for sink in sinks_by_name.values():
                    sink.flush()
                buffered = 0
                if progress:
                    progress(i)
        serial = customers
        for _ in range(max(5, customers // 20)):  # applicants who are not customers
            serial += 1
            out: Rows = defaultdict(list)
            gen.application(out, gen.extra_person(serial))
            take(out)
        for _ in range(max(5, customers // 10)):  # subscribers who are not customers
            serial += 1
            out = defaultdict(list)
            since = dt.datetime.combine(today, dt.time()) - dt.timedelta(days=1500)
            gen.subscriber(out, gen.extra_person(serial), since, "website")
            take(out)
        for sink in sinks_by_name.values():
            sink.finish()
    except BaseException:
        for sink in sinks_by_name.values():
            sink.abort()
        if loc.server is None:
            for url in loc.urls.values():
                _unlink(_tmp(Path(sa.make_url(url).database or "")))
        _unlink(_tmp(loc.newsletter_db))
        raise
    if loc.server is None:
        for url in loc.urls.values():
            final = Path(sa.make_url(url).database or "")
            os.replace(_tmp(final), final)
    os.replace(_tmp(loc.newsletter_db), loc.newsletter_db)
    first = gen_showcase(seed=seed, today=today)
    return DemoSummary(dict(sorted(counts.items())), first)


def gen_showcase(*, seed: int, today: dt.date) -> dict[str, str]:
    """The identities of customer 1, present in all five systems (regenerated, same seed)."""
    row = DemoRows(seed=seed, today=today).customer(1)["crm.customers"][0]
    return {"email": row["email"], "phone": row["phone"], "customer_number": row["customer_no"]}


def _prepare_targets(loc: DemoLocation) -> dict[str, Engine]:
    loc.newsletter_db.parent.mkdir(parents=True, exist_ok=True)
    _unlink(_tmp(loc.newsletter_db))
    if loc.server is None:
        engines = {}
        for system, url in loc.urls.items():
            path = Path(sa.make_url(url).database or "")
            path.parent.mkdir(parents=True, exist_ok=True)
            _unlink(_tmp(path))
            engines[system] = _sqlite_engine(_tmp(path))
        return engines
    _server_databases(loc, create=True)
    return {s: sa.create_engine(u) for s, u in loc.urls.items()}


def _server_databases(loc: DemoLocation, *, create: bool) -> None:
    """Drop (and with `create`, re-create) the demo databases on the server."""
    assert loc.server is not None
    admin = sa.create_engine(loc.server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            quote = conn.dialect.identifier_preparer.quote
            pg = conn.dialect.name == "postgresql"
            for name in loc.names.values():
                force = " WITH (FORCE)" if pg else ""
                conn.execute(sa.text(f"DROP DATABASE IF EXISTS {quote(name)}{force}"))
                if create:
                    # Binary collation: identities match exactly, as in the other databases.
                    opts = "" if pg else " CHARACTER SET utf8mb4 COLLATE utf8mb4_bin"
                    conn.execute(sa.text(f"CREATE DATABASE {quote(name)}{opts}"))
    except sa.exc.OperationalError as err:
        raise Unavailable(
            f"the database server is not reachable ({err.__class__.__name__})"
        ) from None
    finally:
        admin.dispose()


def _sqlite_engine(path: Path) -> Engine:
    return sa.create_engine(f"sqlite:///{path}")


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".building")


def _unlink(path: Path) -> None:
    for p in (path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm"),
              path.with_name(path.name + "-journal")):
        if p.name and p.exists():
            p.unlink()


class _Sink:
    """Buffers rows per table and writes them in batches with the fastest portable means."""

    def __init__(self, engine: Engine, metadata: sa.MetaData) -> None:
        self.engine = engine
        self.metadata = metadata
        self.conn: Connection = engine.connect()
        self.dialect = self.conn.dialect.name
        if self.dialect == "sqlite":
            self.conn.exec_driver_sql("PRAGMA synchronous=OFF")
            self.conn.exec_driver_sql("PRAGMA journal_mode=MEMORY")
            self.conn.commit()
        for table in metadata.sorted_tables:
            self.conn.execute(sa.schema.CreateTable(table))
        self.buffers: dict[str, list[dict[str, Any]]] = {t: [] for t in metadata.tables}

    def add(self, table: str, rows: list[dict[str, Any]]) -> None:
        self.buffers[table].extend(rows)

    def flush(self) -> None:
        for table in self.metadata.sorted_tables:  # parents first: foreign keys hold
            rows = self.buffers[table.name]
            if rows:
                self._write(table, rows)
                self.buffers[table.name] = []

    def _write(self, table: sa.Table, rows: list[dict[str, Any]]) -> None:
        cols = [c.name for c in table.columns]
        if self.dialect == "postgresql":
            from psycopg import sql

            copy = sql.SQL("COPY {} ({}) FROM STDIN").format(
                sql.Identifier(table.name), sql.SQL(", ").join(map(sql.Identifier, cols))
            )
            raw = self.conn.connection.driver_connection
            with raw.cursor() as cur, cur.copy(copy) as cp:  # type: ignore[union-attr]
                for r in rows:
                    cp.write_row(tuple(r.get(c) for c in cols))
        elif self.dialect == "sqlite":
            compiled = table.insert().compile(dialect=self.conn.dialect)
            order = compiled.positiontup or cols
            self.conn.exec_driver_sql(
                str(compiled), [tuple(_sqlite_value(r.get(c)) for c in order) for r in rows]
            )
        else:
            self.conn.execute(table.insert(), [{c: r.get(c) for c in cols} for r in rows])

    def finish(self) -> None:
        self.flush()
        for table in self.metadata.sorted_tables:
            for index in table.indexes:
                self.conn.execute(sa.schema.CreateIndex(index))
        self.conn.commit()
        if self.dialect in ("postgresql", "sqlite"):
            self.conn.exec_driver_sql("ANALYZE")
            self.conn.commit()
        self.conn.close()
        self.engine.dispose()

    def abort(self) -> None:
        try:
            self.conn.rollback()
            self.conn.close()
        finally:
            self.engine.dispose()


def _sqlite_value(value: Any) -> Any:
    """Values as SQLAlchemy's SQLite types store them (so reflection reads them back)."""
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S.%f")
    if isinstance(value, Decimal):
        return str(value)
    return value
