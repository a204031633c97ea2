"""SqlConnector: any database SQLAlchemy reaches (SQLite, PostgreSQL, MariaDB/MySQL, ...).

Only the columns the policy declares are reflected and read. A search runs one set-based query
per table per hop (`WHERE col IN (...)` with bound parameters, chunked for large sets), tables
in traversal order, and repeats only for values not queried yet until no new identity appears.
Identity values are data, never SQL: they reach the database as bound parameters only, and
rows are matched again in Python by exact equality so that a case- or accent-insensitive
collation never returns another person's row.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from steward.connectors._sqlvalues import coerce, coerce_all, exact_key, to_db, typed_params
from steward.connectors.base import (
    Counts,
    ErasurePlan,
    Identities,
    KeepHook,
    PkValue,
    Rectification,
    Row,
    Statement,
    SubjectRecords,
    json_safe,
    normalize_identities,
)
from steward.connectors.erasure import RowChange, decide
from steward.connectors.graph import build_graph
from steward.errors import Conflict, InvalidInput, NotFound, Unavailable
from steward.policy.models import SystemSpec
from steward.store.db import sqlite_foreign_keys

MAX_ROUNDS = 10  # identity discovery within one system converges in 2-3 rounds in practice


class SqlConnector:
    """A connector over one SQLAlchemy URL. See `steward.connectors.base.Connector`."""

    def __init__(
        self,
        system: SystemSpec,
        *,
        url: str,
        env: Mapping[str, str] | None = None,
        base_dir: Path | None = None,
        chunk_size: int = 500,
    ) -> None:
        self.system = system
        self.graph = build_graph(system)
        self.url = url
        self.chunk_size = chunk_size
        self._engine: Engine | None = None
        self._tables: dict[str, sa.Table] = {}
        self._queries: dict[tuple[str, tuple[str, ...]], sa.Select[Any]] = {}

    # --- connections ------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            url = sa.make_url(self.url)
            backend = url.get_backend_name()
            args: dict[str, Any] = {}
            if backend in ("postgresql", "mysql", "mariadb"):
                args["connect_timeout"] = 5
            self._engine = sa.create_engine(url, pool_pre_ping=True, connect_args=args)
            if backend == "sqlite":
                # SQLite ignores foreign keys unless asked: enforce them on our connections,
                # so an erasure that would orphan rows fails as it would on a server.
                sa.event.listen(self._engine, "connect", sqlite_foreign_keys)
        return self._engine

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        self._check_sqlite_file()
        try:
            with self.engine.begin() if write else self.engine.connect() as conn:
                yield conn
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as err:
            # The driver's message may echo parameters: name the system only.
            raise Unavailable(
                f"system {self.system.key!r} is unavailable ({err.__class__.__name__})"
            ) from None
        except sa_exc.IntegrityError:
            raise Conflict(
                f"system {self.system.key!r} refused the change (a constraint or foreign key "
                "would break); nothing was changed"
            ) from None

    def _check_sqlite_file(self) -> None:
        url = sa.make_url(self.url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            if not url.database.startswith("file:") and not Path(url.database).exists():
                # Connecting would create an empty file and report "no rows": that is a lie.
                raise Unavailable(f"system {self.system.key!r}: its SQLite file does not exist")

    def close(self) -> None:
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def ping(self) -> None:
        with self._connect() as conn:
            conn.execute(sa.text("SELECT 1"))

    def _table(self, conn: Connection, name: str) -> sa.Table:
        """The reflected table with its declared columns only; InvalidInput if any is missing."""
        if name in self._tables:
            return self._tables[name]
        wanted = self.graph.columns(name)
        try:
            table = sa.Table(name, sa.MetaData(), autoload_with=conn, include_columns=wanted)
        except sa_exc.NoSuchTableError:
            raise InvalidInput(f"system {self.system.key!r} has no table {name!r}") from None
        missing = [c for c in wanted if c not in table.c]
        if missing:
            raise InvalidInput(
                f"system {self.system.key!r}: table {name!r} has no column(s) "
                f"{', '.join(missing)} declared in the policy"
            )
        self._tables[name] = table
        return table

    # --- search -----------------------------------------------------------------------------

    def find(self, identities: Identities) -> SubjectRecords:
        known = {k: set(v) for k, v in normalize_identities(identities).items()}
        found: dict[str, dict[Any, Row]] = {t: {} for t in self.graph.order}
        queried: dict[tuple[str, str], set[Any]] = {}
        with self._connect() as conn:
            for _ in range(MAX_ROUNDS):
                new_rows = 0
                for name in self.graph.order:
                    new_rows += self._search_table(conn, name, known, found, queried)
                # Parents come before children, so one pass follows every reference; another
                # pass is needed only when the rows revealed new identity values.
                if not self._discover(found, known) or new_rows == 0:
                    break
        return SubjectRecords(
            system=self.system.key,
            tables={t: list(rows.values()) for t, rows in found.items() if rows},
            primary_keys={t: s.primary_key for t, s in self.graph.tables.items()},
            identities={k: sorted(v) for k, v in known.items() if v},
        )

    def _search_table(
        self,
        conn: Connection,
        name: str,
        known: dict[str, set[str]],
        found: dict[str, dict[Any, Row]],
        queried: dict[tuple[str, str], set[Any]],
    ) -> int:
        """Query one table for values of its identity and foreign-key columns not queried
        before; add the rows. Returns how many new rows were found."""
        spec = self.graph.table(name)
        table = self._table(conn, name)
        wanted: dict[str, set[Any]] = {}
        for kind, col in spec.identity_pairs:
            wanted.setdefault(col, set()).update(coerce_all(table.c[col], known.get(kind, ())))
        for e in self.graph.parents_of(name):
            values = {r.get(e.parent_column) for r in found[e.parent].values()} - {None}
            col = e.child_field
            wanted.setdefault(col, set()).update(coerce_all(table.c[col], values))
        pairs = [
            (col, v)
            for col, values in wanted.items()
            for v in sorted(values - queried.get((name, col), set()), key=repr)
        ]
        if not pairs:
            return 0
        for col, v in pairs:
            queried.setdefault((name, col), set()).add(v)
        cols = [table.c[c] for c in self.graph.columns(name)]
        before = len(found[name])
        for start in range(0, len(pairs), self.chunk_size):
            chunk = pairs[start : start + self.chunk_size]
            by_col: dict[str, list[Any]] = {}
            for col, v in chunk:
                by_col.setdefault(col, []).append(v)
            shape = tuple(by_col)
            query = self._queries.get((name, shape))
            if query is None:
                # Expanding bound parameters: one cached statement per table and column set,
                # whatever the number of values.
                query = sa.select(*cols).where(sa.or_(*(
                    table.c[c].in_(sa.bindparam(f"v{i}", expanding=True))
                    for i, c in enumerate(shape)
                )))
                self._queries[(name, shape)] = query
            params = {f"v{i}": by_col[c] for i, c in enumerate(shape)}
            exact = {c: {exact_key(v) for v in vs} for c, vs in by_col.items()}
            for raw in conn.execute(query, params).mappings():
                # Exact re-match: collations may be case/accent-insensitive or pad spaces.
                if any(exact_key(raw[c]) in keys for c, keys in exact.items()):
                    row = {k: json_safe(v) for k, v in raw.items()}
                    found[name].setdefault(row[spec.primary_key], row)
        return len(found[name]) - before

    def _discover(self, found: dict[str, dict[Any, Row]], known: dict[str, set[str]]) -> bool:
        """Add identity values seen in found rows to `known`; True if any was new."""
        grew = False
        for name, rows in found.items():
            for kind, col in self.graph.table(name).identity_pairs:
                for row in rows.values():
                    value = row.get(col)
                    if value is None or str(value).strip() == "":
                        continue
                    value = str(value).strip()
                    if value not in known.setdefault(kind, set()):
                        known[kind].add(value)
                        grew = True
        return grew

    def export(
        self, records: SubjectRecords, *, portable_only: bool = False
    ) -> dict[str, list[Row]]:
        out: dict[str, list[Row]] = {}
        for name, rows in records.tables.items():
            spec = self.graph.table(name)
            drop = {f.name for f in spec.fields if f.secret or (portable_only and not f.provided)}
            out[name] = [{k: json_safe(v) for k, v in r.items() if k not in drop} for r in rows]
        return out

    # --- changes ----------------------------------------------------------------------------

    def plan_erasure(
        self, records: SubjectRecords, *, keep: KeepHook | None = None, salt: str = ""
    ) -> ErasurePlan:
        _own(self.system.key, records.system)
        with self._connect() as conn:
            tables = {name: self._table(conn, name) for name in records.tables}
        lengths = {
            name: {c.name: getattr(c.type, "length", None) for c in t.c}
            for name, t in tables.items()
        }
        changes, kept = decide(
            self.graph, records, keep=keep, salt=salt, max_lengths=lengths
        )
        statements: list[Statement] = []
        updates: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[RowChange]] = {}
        for ch in changes:
            if ch.op == "update":
                cols = tuple(c for c, v in ch.values.items() if v is not None)
                nulls = tuple(c for c, v in ch.values.items() if v is None)
                updates.setdefault((ch.table, cols, nulls), []).append(ch)
        for (name, cols, nulls), group in updates.items():
            stmt = _update_stmt(tables[name], self.graph.table(name).primary_key, cols, nulls)
            statements.append(
                Statement(
                    system=self.system.key, table=name, op="update", sql=self._render(stmt),
                    columns=cols, nulls=nulls, rows=len(group),
                    actions=tuple((c, group[0].actions[c]) for c in cols + nulls),
                    params=tuple(
                        {"pk": ch.pk} | {f"new_{i}": ch.values[c] for i, c in enumerate(cols)}
                        for ch in group
                    ),
                )
            )
        for name in self.graph.reverse_order:
            pks = [ch.pk for ch in changes if ch.op == "delete" and ch.table == name]
            if not pks:
                continue
            delete = _delete_stmt(tables[name], self.graph.table(name).primary_key)
            statements.append(
                Statement(
                    system=self.system.key, table=name, op="delete", sql=self._render(delete),
                    rows=len(pks),
                    params=tuple(
                        {"pks": pks[i : i + self.chunk_size]}
                        for i in range(0, len(pks), self.chunk_size)
                    ),
                )
            )
        return ErasurePlan(self.system.key, tuple(statements), tuple(kept))

    def _render(self, stmt: sa.Update | sa.Delete) -> str:
        """The statement as this database will see it, placeholders in place of values."""
        text = str(stmt.compile(dialect=self.engine.dialect))
        return text.replace("(__[POSTCOMPILE_pks])", "(:pks...)")

    def apply(self, plan: ErasurePlan) -> dict[str, Counts]:
        _own(self.system.key, plan.system)
        counts: dict[str, Counts] = {}
        with self._connect(write=True) as conn:
            for st in plan.statements:
                table = self._table(conn, st.table)
                pk = self.graph.table(st.table).primary_key
                n = 0
                if st.op == "delete":
                    delete = _delete_stmt(table, pk)
                    for p in st.params:
                        n += conn.execute(delete, p).rowcount
                    add = Counts(deleted=n)
                else:
                    update = _update_stmt(table, pk, st.columns, st.nulls)
                    for p in st.params:
                        n += conn.execute(update, typed_params(table, pk, st.columns, p)).rowcount
                    add = Counts(updated=n)
                counts[st.table] = counts.get(st.table, Counts()) + add
        return counts

    def rectify(self, table: str, pk: PkValue, changes: Mapping[str, Any]) -> Rectification:
        spec = self.graph.table(table)
        allowed = (
            {f.name for f in spec.fields} | set(spec.identity_column_names)
        ) - self.graph.structural_columns(table)
        bad = sorted(set(changes) - allowed)
        if bad or not changes:
            raise InvalidInput(
                f"cannot rectify {table}.{', '.join(bad) or '(nothing)'}: only declared personal "
                f"fields can be changed ({', '.join(sorted(allowed))})"
            )
        cols = list(changes)
        with self._connect(write=True) as conn:
            t = self._table(conn, table)
            key = coerce(t.c[spec.primary_key], pk)
            query = sa.select(*(t.c[c] for c in cols)).where(t.c[spec.primary_key] == key)
            if conn.dialect.name != "sqlite":
                query = query.with_for_update()
            old = conn.execute(query).mappings().first()
            if old is None:
                raise NotFound(f"{self.system.key}.{table} has no row {pk!r}")
            values = {c: to_db(t.c[c], changes[c]) for c in cols}
            conn.execute(sa.update(t).where(t.c[spec.primary_key] == key).values(values))
            new = conn.execute(query).mappings().one()
        return Rectification(
            table, pk, {c: json_safe(old[c]) for c in cols}, {c: json_safe(new[c]) for c in cols}
        )

    def set_restriction(self, records: SubjectRecords, on: bool) -> dict[str, int]:
        _own(self.system.key, records.system)
        counts: dict[str, int] = {}
        with self._connect(write=True) as conn:
            for name, rows in records.tables.items():
                spec = self.graph.table(name)
                if not spec.restriction_flag or not rows:
                    continue
                t = self._table(conn, name)
                flag = t.c[spec.restriction_flag]
                pks = records.pks(name)
                n = 0
                for i in range(0, len(pks), self.chunk_size):
                    stmt = (
                        sa.update(t)
                        .where(t.c[spec.primary_key].in_(pks[i : i + self.chunk_size]))
                        .where(sa.or_(flag.is_(None), flag != on))
                        .values({spec.restriction_flag: on})
                    )
                    n += conn.execute(stmt).rowcount
                counts[name] = n
        return counts


def _own(system: str, other: str) -> None:
    if system != other:
        raise InvalidInput(f"these records belong to system {other!r}, not {system!r}")


def _update_stmt(
    table: sa.Table, pk: str, cols: tuple[str, ...], nulls: tuple[str, ...]
) -> sa.Update:
    """UPDATE one row by primary key: `cols` to bound values, `nulls` to NULL, only where some
    value still differs, so that running it twice changes nothing the second time."""
    differs: list[sa.ColumnElement[bool]] = [table.c[c].is_not(None) for c in nulls]
    values: dict[str, Any] = {c: sa.null() for c in nulls}
    for i, c in enumerate(cols):
        new = sa.bindparam(f"new_{i}", type_=table.c[c].type)
        differs.append(sa.or_(table.c[c].is_(None), table.c[c] != new))
        values[c] = new
    return (
        sa.update(table)
        .where(table.c[pk] == sa.bindparam("pk", type_=table.c[pk].type))
        .where(sa.or_(*differs))
        .values(values)
    )


def _delete_stmt(table: sa.Table, pk: str) -> sa.Delete:
    return sa.delete(table).where(table.c[pk].in_(sa.bindparam("pks", expanding=True)))
