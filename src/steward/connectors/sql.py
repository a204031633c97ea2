"""SqlConnector: any database SQLAlchemy reaches (SQLite, PostgreSQL, MariaDB/MySQL, ...).

Only the columns the policy declares are reflected and read. A search runs in steps: each step
asks every table, one set-based query per table and column set (`WHERE col IN (...)` with bound
parameters, chunked for large sets), for the values it was not asked for yet (the identities
known, new ones its rows revealed included, and the keys of rows found in the tables it
references); a step's queries go out together where the driver pipelines them (one round trip
on PostgreSQL), and the search ends when no table has a value left to be asked for.
Identity values are data, never SQL: they reach the database as bound parameters only, and
rows are matched again in Python by exact equality so that a case- or accent-insensitive
collation never returns another person's row. Composite keys and references are matched on
all their columns at once (`(a, b) IN ((?, ?), ...)`).

One controller's share of a shared schema (`TableSpec.tenant`, set by
`steward.policy.tenancy` for an assisted request, Art. 28(3)(e)): every select, update and
delete of a table with a tenant condition carries `column = :tenant`; a table without one is
reached only through its references from scoped rows, never searched by identity.

Errors: a connection failure (cannot connect, connection lost, timeout, deadlock, lock wait)
is `Unavailable` and the work is retried; a deterministic refusal (a trigger, a check
constraint, permission denied, unknown column) is `SystemRefused`, carrying the database's
message without values: retrying cannot help (see `_sqlerrors`).
"""

from __future__ import annotations

import datetime as dt
import itertools
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from steward.connectors._sqlerrors import classify
from steward.connectors._sqlrun import Item, Runner, in_list
from steward.connectors._sqlvalues import (
    bool_as,
    coerce,
    coerce_all,
    db_key,
    exact_key,
    python_type,
    read_value,
    sqlite_text_time,
    to_db,
    typed_params,
)
from steward.connectors.base import (
    Counts,
    ErasurePlan,
    Identities,
    KeepHook,
    KeyTuple,
    PkValue,
    Rectification,
    Row,
    Statement,
    SubjectRecords,
    json_safe,
    key_tuple,
    normalize_identities,
    plain_key,
)
from steward.connectors.erasure import RowChange, decide
from steward.connectors.graph import Dependency, Edge, build_graph, dependants_first
from steward.errors import InvalidInput, NotFound, Unavailable
from steward.legal import erasure_words
from steward.policy.models import EraseAction, SystemSpec
from steward.store.db import sqlite_foreign_keys

MAX_ROUNDS = 10  # search steps per table (2-4 steps in all in practice): a safety bound


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
        parsed = sa.make_url(url)
        self.sqlite = parsed.get_backend_name() == "sqlite"
        # The SQLite file that must exist before connecting (not in-memory, not a URI).
        self._sqlite_file: Path | None = None
        if self.sqlite and parsed.database and parsed.database != ":memory:":
            if not parsed.database.startswith("file:"):
                self._sqlite_file = Path(parsed.database)
        self.chunk_size = chunk_size
        self._engine: Engine | None = None
        self._tables: dict[str, sa.Table] = {}
        self._full: dict[str, sa.Table] = {}
        self._db_deps: list[Dependency] | None = None
        self._erasure_deps: tuple[list[Dependency], tuple[str, ...]] | None = None
        # The search's, the pointer queries' and the deletes' statements, compiled once per
        # shape and run on the driver (`_sqlrun`): SQLAlchemy's execution path cost more CPU
        # per statement than the database's work.
        self._runner: Runner | None = None
        # Statements built once per shape and kept, with their rendered text: building and
        # compiling them again for every request cost more CPU than the database's work.
        self._changes: dict[tuple[Any, ...], tuple[Any, str]] = {}
        self._pointer_queries: dict[Dependency, _PointerQuery] = {}
        # What an erasure needs to know of a reflected table's columns (maximum lengths,
        # NOT NULL, text or not), read from the reflection once, as the reflection itself.
        self._facts: dict[str, _ColumnFacts] = {}
        self._searches: dict[str, _Search] = {}

    # --- connections ------------------------------------------------------------------------

    @property
    def engine(self) -> Engine:
        if self._engine is None:
            url = sa.make_url(self.url)
            backend = url.get_backend_name()
            args: dict[str, Any] = {}
            if backend in ("postgresql", "mysql", "mariadb"):
                args["connect_timeout"] = 5
            self._engine = sa.create_engine(url, connect_args=args)
            # A pooled connection idle for a while is tested before use (the server may have
            # restarted); one just used is not, which saves a round trip per call.
            sa.event.listen(self._engine, "checkout", _ping_if_idle(self._engine.dialect))
            sa.event.listen(self._engine, "checkin", _mark_used)
            if backend == "sqlite":
                # SQLite ignores foreign keys unless asked: enforce them on our connections,
                # so an erasure that would orphan rows fails as it would on a server.
                sa.event.listen(self._engine, "connect", sqlite_foreign_keys)
        return self._engine

    @property
    def runner(self) -> Runner:
        if self._runner is None:
            self._runner = Runner(self.engine.dialect)
        return self._runner

    @contextmanager
    def _connect(self, *, write: bool = False) -> Iterator[Connection]:
        self._check_sqlite_file()
        try:
            if write:
                with self.engine.begin() as conn:
                    yield conn
            else:
                with self.engine.connect() as conn:
                    if conn.dialect.name == "postgresql":
                        # Reads outside a transaction: psycopg would otherwise send BEGIN and,
                        # when the connection goes back to the pool, ROLLBACK, two round trips
                        # per call; under PostgreSQL's READ COMMITTED each statement sees its
                        # own snapshot either way.
                        conn.execution_options(isolation_level="AUTOCOMMIT")
                    yield conn
        except sa_exc.DBAPIError as err:
            # The transaction (if any) was rolled back; the message never carries values.
            raise classify(self.system.key, err, write=write) from None

    def _check_sqlite_file(self) -> None:
        if self._sqlite_file is not None and not self._sqlite_file.exists():
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

    def _full_table(self, conn: Connection, name: str) -> sa.Table:
        """A table with all its columns, for structure only (keys and foreign keys): used to
        find rows that point at rows an erasure would delete. Only key columns are read."""
        if name not in self._full:
            self._full[name] = sa.Table(name, sa.MetaData(), autoload_with=conn)
        return self._full[name]

    def _database_dependencies(self, conn: Connection) -> list[Dependency]:
        """The foreign keys the database declares that point at a table of the policy, from
        any table of the database (declared in the policy or not)."""
        if self._db_deps is None:
            inspector = sa.inspect(conn)
            ours = set(self.graph.tables)
            deps: list[Dependency] = []
            # One batched catalogue query for every table's foreign keys, not one per table.
            multi = inspector.get_multi_foreign_keys()
            for (_schema, name), fks in sorted(multi.items(), key=lambda kv: kv[0][1]):
                for fk in fks:
                    target = fk.get("referred_table")
                    if target in ours and fk.get("constrained_columns"):
                        deps.append(
                            Dependency(
                                name,
                                tuple(fk["constrained_columns"]),
                                str(target),
                                tuple(fk["referred_columns"]),
                            )
                        )
            # The tables the erasure checks join, reflected together (batched too) before the
            # first plan needs them.
            needed = {
                t for d in self.graph.dependencies() + deps for t in (d.dependant, d.referenced)
            } - set(self._full)
            present = needed & set(inspector.get_table_names())
            if present:
                metadata = sa.MetaData()
                metadata.reflect(bind=conn, only=sorted(present), resolve_fks=False)
                self._full.update({t.name: t for t in metadata.tables.values()})
            self._db_deps = deps
        return self._db_deps

    def _dependencies(self, conn: Connection) -> tuple[list[Dependency], tuple[str, ...]]:
        """Every dependency an erasure checks (the policy's references and the database's
        foreign keys, each once: a declared reference and the database's own foreign key are
        often the same) and the tables in deleting order, worked out once."""
        if self._erasure_deps is None:
            deps = list(
                dict.fromkeys(self.graph.dependencies() + self._database_dependencies(conn))
            )
            self._erasure_deps = (deps, dependants_first(self.graph.reverse_order, deps))
        return self._erasure_deps

    # --- search -----------------------------------------------------------------------------

    def find(self, identities: Identities) -> SubjectRecords:
        p = _Progress({k: set(v) for k, v in normalize_identities(identities).items()},
                      {t: {} for t in self.graph.order})
        with self._connect() as conn:
            # Each step asks every table for the values it has not been asked for yet: the
            # identities known (new ones revealed by the rows found so far included) and
            # the keys of the rows found in the tables it references. The step's queries go
            # out together (`Runner.rows_many`: one round trip on PostgreSQL); the search
            # ends when no table has a value left to be asked for.
            for _ in range(MAX_ROUNDS * max(1, len(self.graph.order))):
                queries = [q for name in self.graph.order for q in self._queries(conn, name, p)]
                if not queries:
                    break
                answers = self.runner.rows_many(conn, [q.item for q in queries])
                for q, rows in zip(queries, answers, strict=True):
                    _take(q, rows, p.found[q.name])
                self._discover(p)
            else:
                # Cannot happen (each step asks only for values never asked for); if it did,
                # an answer cut short would claim less data than is held (Art. 15(1)).
                raise InvalidInput(f"system {self.system.key!r}: the search did not settle")
        return SubjectRecords(
            system=self.system.key,
            tables={t: list(rows.values()) for t, rows in p.found.items() if rows},
            primary_keys={t: s.key_columns for t, s in self.graph.tables.items()},
            identities={k: sorted(v) for k, v in p.known.items() if v},
        )

    def _search(self, conn: Connection, name: str) -> _Search:
        """What searching one table needs, worked out once per table (see `_Search`)."""
        kept = self._searches.get(name)
        if kept is not None:
            return kept
        spec = self.graph.table(name)
        table = self._table(conn, name)
        columns = tuple(self.graph.columns(name))
        booleans = _boolean_columns(spec)
        position = {c: i for i, c in enumerate(columns)}
        # In a controller's share of a shared schema, a table without its own tenant column
        # is reached through its references only (its identity values may be another's).
        by_identity = spec.tenant is not None or not self.graph.tenant_scoped
        kept = self._searches[name] = _Search(
            table,
            columns,
            tuple(c in booleans for c in columns),
            tuple(position[c] for c in spec.key_columns),
            position,
            spec.identity_pairs if by_identity else (),
            tuple(self.graph.parents_of(name)),
            None if spec.tenant is None else spec.tenant.column,
        )
        return kept

    def _queries(self, conn: Connection, name: str, p: _Progress) -> list[_Query]:
        """The queries one table needs for values of its identity and reference columns not
        queried before (a composite reference matches on all its columns), chunked; none
        when every value was queried (`p` says what was)."""
        search = self._search(conn, name)
        table = search.table
        wanted: dict[tuple[str, ...], set[KeyTuple]] = {}
        for kind, col in search.identities:
            raw = p.known.get(kind)
            seen = p.typed.setdefault((name, col), set())
            if not raw or raw <= seen:
                continue
            fresh = raw - seen
            seen |= fresh
            values = coerce_all(table.c[col], fresh)
            wanted.setdefault((col,), set()).update((v,) for v in values)
        for e in search.parents:
            done = p.followed.setdefault((name, e), set())
            for pkey, r in p.found[e.parent].items():
                if pkey in done:
                    continue
                done.add(pkey)
                value = tuple(r.get(c) for c in e.parent_columns)
                if any(v is None for v in value):
                    continue
                typed = _typed_tuple(table, e.child_fields, value, self.sqlite)
                if typed is not None:
                    wanted.setdefault(e.child_fields, set()).add(typed)
        pairs = [
            (cols, v)
            for cols, values in wanted.items()
            for v in sorted(values - p.queried.get((name, cols), set()), key=repr)
        ]
        for cols, v in pairs:
            p.queried.setdefault((name, cols), set()).add(v)
        columns, position = search.columns, search.position
        tenant = self._tenant_param(table, name) if pairs else {}
        out: list[_Query] = []
        for start in range(0, len(pairs), self.chunk_size):
            chunk = pairs[start : start + self.chunk_size]
            by_cols: dict[tuple[str, ...], list[KeyTuple]] = {}
            for cols, v in chunk:
                by_cols.setdefault(cols, []).append(v)
            shape = tuple(by_cols)

            def build(sizes: Mapping[str, int], shape: tuple[tuple[str, ...], ...] = shape) -> Any:
                query = sa.select(*(table.c[c] for c in columns)).where(
                    sa.or_(
                        *(
                            in_list(_compared(table, cols, self.sqlite), f"v{i}", sizes[f"v{i}"])
                            for i, cols in enumerate(shape)
                        )
                    )
                )
                if search.tenant is not None:
                    query = query.where(_tenant_where(table, search.tenant))
                return query

            lists = {
                f"v{i}": [v[0] if len(cols) == 1 else v for v in by_cols[cols]]
                for i, cols in enumerate(shape)
            }
            exact = tuple(
                (
                    tuple(position[c] for c in cols),
                    frozenset(tuple(exact_key(x) for x in v) for v in vs),
                )
                for cols, vs in by_cols.items()
            )
            out.append(_Query(name, search, (("search", name, shape), build, lists, tenant), exact))
        return out

    def _discover(self, p: _Progress) -> None:
        """Add identity values seen in found rows to `p.known`, reading each row once."""
        for name, rows in p.found.items():
            start = p.read.get(name, 0)
            if start == len(rows):
                continue
            p.read[name] = len(rows)
            pairs = self.graph.identity_columns(name)
            for row in itertools.islice(rows.values(), start, None):
                for kind, col in pairs:
                    value = row.get(col)
                    if value is None or str(value).strip() == "":
                        continue
                    p.known.setdefault(kind, set()).add(str(value).strip())

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
            deps, order = self._dependencies(conn)
            facts = {name: self._column_facts(t) for name, t in tables.items()}
            lengths = {name: f.lengths for name, f in facts.items()}
            not_null = {name: f.not_null for name, f in facts.items()}
            texts = {name: f.texts for name, f in facts.items()}
            # Every row an erasure might delete (the rows of personal `delete_row` tables): each
            # later decision deletes a subset of these. The rows pointing at them are read once,
            # one set-based query per dependency, before any decision; the rounds below only
            # filter those pairs, so the database is asked nothing more however many rounds.
            deleting: dict[str, set[KeyTuple]] = {
                name: set(records.keys(name))
                for name in records.tables
                if self.graph.is_personal(name)
                and self.graph.table(name).erase is EraseAction.delete_row
            }
            pointers = self._pointers(conn, deps, deleting)
        shared: dict[str, dict[KeyTuple, str]] = {}
        actual = False  # is `deleting` what the last decision deletes?
        changes: list[RowChange] = []
        kept: list[Any] = []
        notes: list[str] = []
        while True:
            grew = False
            for name, why in _referenced_from_outside(deps, pointers, deleting, records):
                if why[0] not in shared.setdefault(name, {}):
                    shared[name][why[0]] = why[1]
                    grew = True
            # A row saved from deletion stays, and pins what it references: decide again
            # until no row to delete is pointed at by a row that stays (a few rounds; the
            # last check is always against the rows actually to be deleted, so that a row
            # the plan keeps counts as pointing). Nothing new shared: the last decision,
            # made with the same facts, stands.
            if not grew and actual:
                break
            changes, kept, notes = decide(
                self.graph,
                records,
                keep=keep,
                salt=salt,
                max_lengths=lengths,
                not_null=not_null,
                texts=texts,
                shared=shared,
                order=order,
            )
            actual = True
            deleting = {}
            for ch in changes:
                if ch.op == "delete":
                    deleting.setdefault(ch.table, set()).add(ch.key)
        return self._statements(tables, changes, kept, notes, order)

    def _column_facts(self, table: sa.Table) -> _ColumnFacts:
        facts = self._facts.get(table.name)
        if facts is None or facts.table is not table:
            facts = self._facts[table.name] = _ColumnFacts(
                table,
                {c.name: getattr(c.type, "length", None) for c in table.c},
                frozenset(c.name for c in table.c if not c.nullable),
                frozenset(c.name for c in table.c if python_type(c) is str),
            )
        return facts

    def _pointers(
        self,
        conn: Connection,
        deps: list[Dependency],
        candidates: dict[str, set[KeyTuple]],
    ) -> dict[Dependency, list[tuple[KeyTuple, KeyTuple]]]:
        """For each dependency, the (referenced key, dependant key) pairs of the rows that
        point at a candidate row (a row the erasure might delete), from any row of the
        database, the subject's or not. One set-based query per foreign key (declared or the
        database's own), keys bound, chunked; a row pointing at itself is left out (it goes
        with itself).

        Foreign keys whose key columns are all integers are asked together when their keys
        fit in one chunk: one UNION ALL per shape (`_pointer_rows`), so that a
        system's usual surrogate keys cost one statement, not one per foreign key. Integers
        only: they compare and combine alike on every database, where text (collations,
        padding) and date-times (SQLite's text form) might not."""
        out: dict[Dependency, list[tuple[KeyTuple, KeyTuple]]] = {}
        merged: dict[tuple[int, int], list[tuple[Dependency, list[Any]]]] = {}
        room: dict[tuple[int, int], int] = {}
        for d in deps:
            keys = candidates.get(d.referenced)
            if not keys:
                continue
            pq = self._pointer_query(conn, d)
            out[d] = []
            chunks = [
                [_bound(db_key(pq.parent, pq.pcols, k, sqlite=self.sqlite)) for k in ordered]
                for ordered in _chunks(sorted(keys, key=repr), self.chunk_size)
            ]
            shape = (len(pq.pcols), pq.width - len(pq.pcols))
            left = room.get(shape, self.chunk_size)
            if pq.integers and len(chunks) == 1 and len(chunks[0]) <= left:
                merged.setdefault(shape, []).append((d, chunks[0]))
                room[shape] = left - len(chunks[0])
                continue
            for values in chunks:
                for raw in self._pointer_rows(conn, (d,), [values]):
                    _add_pair(out[d], d, raw, len(pq.pcols))
        for group in merged.values():
            which = tuple(d for d, _ in group)
            rows = self._pointer_rows(conn, which, [values for _, values in group])
            for raw in rows:
                d = which[raw[0]] if len(which) > 1 else which[0]
                at = 1 if len(which) > 1 else 0
                _add_pair(out[d], d, raw[at:], len(self._pointer_query(conn, d).pcols))
        return out

    def _pointer_rows(
        self, conn: Connection, group: tuple[Dependency, ...], keys: list[list[Any]]
    ) -> list[tuple[Any, ...]]:
        """The rows of the pointer query of one foreign key (`keys[0]` bound), or of several
        of one shape with integer keys as one UNION ALL, each part first saying which foreign
        key it answers (its position in `group`) and binding its own keys (`keys[i]`)."""
        queries = [self._pointer_query(conn, d) for d in group]

        def build(sizes: Mapping[str, int]) -> Any:
            parts = []
            for i, pq in enumerate(queries):
                first = (
                    [sa.literal_column(str(i), sa.Integer).label("fk")] if len(group) > 1 else []
                )
                parts.append(
                    sa.select(*first, *pq.columns)
                    .select_from(pq.join)
                    .where(
                        in_list(
                            _compared(pq.parent, pq.pcols, self.sqlite),
                            f"keys{i}",
                            sizes[f"keys{i}"],
                        )
                    )
                )
            return parts[0] if len(parts) == 1 else sa.union_all(*parts)

        lists = {f"keys{i}": values for i, values in enumerate(keys)}
        return self.runner.rows(conn, ("pointers", group), build, lists)

    def _pointer_query(self, conn: Connection, d: Dependency) -> _PointerQuery:
        """The query for `_pointers` of one dependency, built once: SELECT referenced key,
        dependant key FROM dependant JOIN referenced WHERE referenced key IN :keys.
        InvalidInput when a column it names is missing."""
        kept = self._pointer_queries.get(d)
        if kept is not None:
            return kept
        parent = self._full_table(conn, d.referenced)
        full_child = self._full_table(conn, d.dependant)
        child: Any = full_child
        if d.dependant == d.referenced:  # a table pointing at itself
            child = full_child.alias("dependant")
        if any(c not in child.c for c in d.columns) or any(c not in parent.c for c in d.target):
            raise InvalidInput(
                f"system {self.system.key!r}: {d.dependant}.({', '.join(d.columns)}) -> "
                f"{d.referenced}.({', '.join(d.target)}) names a missing column"
            )
        pcols = self.graph.key_columns(d.referenced)
        if d.dependant in self.graph.tables:
            ccols = self.graph.key_columns(d.dependant)
        else:
            ccols = tuple(c.name for c in full_child.primary_key.columns) or d.columns
        missing = [f"{d.referenced}.{c}" for c in pcols if c not in parent.c]
        missing += [f"{d.dependant}.{c}" for c in ccols if c not in child.c]
        if missing:
            raise InvalidInput(
                f"system {self.system.key!r}: key column(s) {', '.join(missing)} declared "
                "in the policy do not exist"
            )
        join = child.join(
            parent,
            sa.and_(*(child.c[a] == parent.c[b] for a, b in zip(d.columns, d.target, strict=True))),
        )
        columns = [parent.c[c] for c in pcols] + [child.c[c] for c in ccols]
        integers = all(python_type(c) is int for c in columns)
        kept = self._pointer_queries[d] = _PointerQuery(
            parent, pcols, len(columns), join, tuple(columns), integers
        )
        return kept

    def _statements(
        self,
        tables: dict[str, sa.Table],
        changes: list[RowChange],
        kept: list[Any],
        notes: list[str],
        order: tuple[str, ...],
    ) -> ErasurePlan:
        statements: list[Statement] = []
        updates: dict[tuple[str, tuple[str, ...], tuple[str, ...]], list[RowChange]] = {}
        for ch in changes:
            if ch.op == "update":
                cols = tuple(c for c, v in ch.values.items() if v is not None)
                nulls = tuple(c for c, v in ch.values.items() if v is None)
                updates.setdefault((ch.table, cols, nulls), []).append(ch)
        for (name, cols, nulls), group in updates.items():
            sql = self._update(tables[name], cols, nulls)[1]
            statements.append(
                Statement(
                    system=self.system.key,
                    table=name,
                    op="update",
                    sql=sql,
                    columns=cols,
                    nulls=nulls,
                    rows=len(group),
                    actions=tuple((c, group[0].actions[c]) for c in cols + nulls),
                    params=tuple(
                        {"pk": ch.pk} | {f"new_{i}": ch.values[c] for i, c in enumerate(cols)}
                        for ch in group
                    ),
                )
            )
        for name in order:
            pks = [ch.pk for ch in changes if ch.op == "delete" and ch.table == name]
            if not pks:
                continue
            sql = self._delete_sql(tables[name])
            statements.append(
                Statement(
                    system=self.system.key,
                    table=name,
                    op="delete",
                    sql=sql,
                    rows=len(pks),
                    params=tuple(
                        {"pks": pks[i : i + self.chunk_size]}
                        for i in range(0, len(pks), self.chunk_size)
                    ),
                )
            )
        return ErasurePlan(self.system.key, tuple(statements), tuple(kept), tuple(notes))

    def _update(
        self, table: sa.Table, cols: tuple[str, ...], nulls: tuple[str, ...]
    ) -> tuple[sa.Update, str]:
        """The kept UPDATE of one row of `table` (see `_update_stmt`) and its text."""
        tenant = self._tenant_column(table.name)
        key = ("update", table.name, cols, nulls, tenant)
        if key not in self._changes:
            stmt = _update_stmt(
                table, self.graph.key_columns(table.name), cols, nulls, self.sqlite, tenant
            )
            self._changes[key] = (stmt, self._render(stmt))
        stmt, sql = self._changes[key]
        return stmt, sql

    def _delete_sql(self, table: sa.Table) -> str:
        """The text of the DELETE of rows of `table` by key (see `_delete_stmt`), as the plan
        shows it; the statement run is `_delete_build`'s, with the same condition."""
        tenant = self._tenant_column(table.name)
        key = ("delete", table.name, tenant)
        if key not in self._changes:
            stmt = _delete_stmt(table, self.graph.key_columns(table.name), self.sqlite, tenant)
            self._changes[key] = (stmt, self._render(stmt))
        return str(self._changes[key][1])

    def _delete_build(self, table: sa.Table) -> Callable[[Mapping[str, int]], sa.Delete]:
        """The DELETE of `_delete` with `pks` as a list of the given size, for the runner."""
        keycols = self.graph.key_columns(table.name)
        tenant = self._tenant_column(table.name)

        def build(sizes: Mapping[str, int]) -> sa.Delete:
            stmt = sa.delete(table).where(
                in_list(_compared(table, keycols, self.sqlite), "pks", sizes["pks"])
            )
            return stmt if tenant is None else stmt.where(_tenant_where(table, tenant))

        return build

    def _render(self, stmt: sa.Update | sa.Delete) -> str:
        """The statement as this database will see it, placeholders in place of values."""
        text = str(stmt.compile(dialect=self.engine.dialect))
        return text.replace("(__[POSTCOMPILE_pks])", "(:pks...)")

    def apply(self, plan: ErasurePlan) -> dict[str, Counts]:
        """Run the plan in one transaction: every UPDATE (one per row) and DELETE (one per
        chunk of keys) in the plan's order, sent together where the driver pipelines them
        (`Runner.counts`: one round trip for the lot on PostgreSQL, BEGIN and COMMIT
        included)."""
        _own(self.system.key, plan.system)
        with self._connect(write=True) as conn:
            items: list[Item] = []
            for st in plan.statements:
                table = self._table(conn, st.table)
                keycols = self.graph.key_columns(st.table)
                tenant = self._tenant_param(table, st.table)
                if st.op == "delete":
                    build = self._delete_build(table)
                    for p in st.params:
                        keys = [
                            db_key(table, keycols, _as_tuple(k), sqlite=self.sqlite)
                            for k in p["pks"]
                        ]
                        values = [k[0] if len(keycols) == 1 else k for k in keys]
                        items.append((("delete", st.table), build, {"pks": values}, tenant))
                else:
                    update = self._update(table, st.columns, st.nulls)[0]
                    key = ("update", st.table, st.columns, st.nulls)
                    for p in st.params:
                        row = typed_params(table, keycols, st.columns, p, sqlite=self.sqlite)
                        items.append((key, _as_built(update), {}, row | tenant))
            changed = self.runner.counts(conn, items, last=True)
        counts: dict[str, Counts] = {}
        for (key, *_), n in zip(items, changed, strict=True):
            add = Counts(deleted=n) if key[0] == "delete" else Counts(updated=n)
            counts[key[1]] = counts.get(key[1], Counts()) + add
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
        keycols = spec.key_columns
        given = key_tuple(pk, keycols)
        cols = list(changes)
        with self._connect(write=True) as conn:
            t = self._table(conn, table)
            try:
                key = db_key(t, keycols, given, sqlite=self.sqlite)
            except (ValueError, TypeError):
                raise NotFound(f"{self.system.key}.{table} has no row with that key") from None
            where = sa.and_(
                *(_cmp(t, c, self.sqlite) == v for c, v in zip(keycols, key, strict=True))
            )
            if spec.tenant is not None:
                # Another controller's row is "no such row", never changed (Art. 28(3)(e)).
                where = sa.and_(where, t.c[spec.tenant.column] == self._tenant_value(t, table))
            query = sa.select(*(t.c[c] for c in cols)).where(where)
            if conn.dialect.name != "sqlite":
                query = query.with_for_update()
            old = conn.execute(query).mappings().first()
            if old is None:
                raise NotFound(f"{self.system.key}.{table} has no row with that key")
            values = {c: to_db(t.c[c], changes[c]) for c in cols}
            conn.execute(sa.update(t).where(where).values(values))
            new = conn.execute(query).mappings().one()
        booleans = _boolean_columns(spec)
        return Rectification(
            table,
            plain_key(given),
            {c: read_value(old[c], c in booleans) for c in cols},
            {c: read_value(new[c], c in booleans) for c in cols},
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
                value = bool_as(flag, on)  # 1/0 in a TINYINT or SMALLINT column, '1'/'0' text
                keycols = spec.key_columns
                keys = [db_key(t, keycols, k, sqlite=self.sqlite) for k in records.keys(name)]
                values = [k[0] if len(keycols) == 1 else k for k in keys]
                n = 0
                for i in range(0, len(values), self.chunk_size):
                    stmt = (
                        sa.update(t)
                        .where(_in(t, keycols, "keys", self.sqlite))
                        .where(sa.or_(flag.is_(None), flag != value))
                        .values({spec.restriction_flag: value})
                    )
                    if spec.tenant is not None:
                        stmt = stmt.where(_tenant_where(t, spec.tenant.column))
                    chunk = {"keys": values[i : i + self.chunk_size]}
                    n += conn.execute(stmt, chunk | self._tenant_param(t, name)).rowcount
                counts[name] = n
        return counts

    # --- tenant scope (Art. 28(3)(e)) -------------------------------------------------------

    def _tenant_column(self, name: str) -> str | None:
        tenant = self.graph.table(name).tenant
        return None if tenant is None else tenant.column

    def _tenant_value(self, table: sa.Table, name: str) -> Any:
        """The controller's tenant value typed for its column; InvalidInput when the column
        cannot hold it (a policy mistake: better no search than a wrong one)."""
        tenant = self.graph.table(name).tenant
        assert tenant is not None
        try:
            return coerce(table.c[tenant.column], tenant.value)
        except (ValueError, TypeError):
            raise InvalidInput(
                f"system {self.system.key!r}: tenant value of {name}.{tenant.column} does not "
                "fit the column"
            ) from None

    def _tenant_param(self, table: sa.Table, name: str) -> dict[str, Any]:
        if self.graph.table(name).tenant is None:
            return {}
        return {"tenant": self._tenant_value(table, name)}


@dataclass(frozen=True)
class _PointerQuery:
    """What `SqlConnector._pointer_query` keeps for one foreign key: the referenced table and
    its key columns, how many columns the query selects (referenced key, then dependant
    key), the join, those columns, and whether every key column holds integers (then it may
    be merged with others, see `_pointers`)."""

    parent: sa.Table
    pcols: tuple[str, ...]
    width: int
    join: Any
    columns: tuple[Any, ...]
    integers: bool


def _chunks(items: list[Any], size: int) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


def _bound(key: KeyTuple) -> Any:
    """A key as bound in `col IN (...)`: the value itself for one column, else the tuple."""
    return key[0] if len(key) == 1 else key


def _add_pair(
    pairs: list[tuple[KeyTuple, KeyTuple]], d: Dependency, raw: tuple[Any, ...], width: int
) -> None:
    """Add (referenced key, dependant key) read from a row of a pointer query, whose first
    `width` columns are the referenced key; a row pointing at itself goes with itself."""
    pkey = tuple(json_safe(v) for v in raw[:width])
    ckey = tuple(json_safe(v) for v in raw[width:])
    if d.dependant == d.referenced and ckey == pkey:
        return
    pairs.append((pkey, ckey))


@dataclass(frozen=True)
class _Query:
    """One query of a table's search: the table, its search facts, what the runner runs
    (key, builder, IN lists, tenant value) and, per column set asked, the column positions
    and the values asked, as `exact_key`s (for the exact re-match of `_take`)."""

    name: str
    search: _Search
    item: Item
    exact: tuple[tuple[tuple[int, ...], frozenset[KeyTuple]], ...]


def _take(q: _Query, rows: list[tuple[Any, ...]], found: dict[KeyTuple, Row]) -> None:
    """Add to `found` (one table's rows by key) the rows of `q`'s answer that hold one of
    the values asked exactly (collations may be case- or accent-insensitive, or pad
    spaces)."""
    search = q.search
    columns, flags = search.columns, search.flags
    for raw in rows:
        if any(tuple(exact_key(raw[i]) for i in at) in keys for at, keys in q.exact):
            key = tuple(read_value(raw[i], flags[i]) for i in search.keyed)
            if key not in found:
                found[key] = {
                    c: read_value(v, f) for c, v, f in zip(columns, raw, flags, strict=True)
                }


@dataclass
class _Progress:
    """Where one `find` stands: the identity values known and the rows found per table (by
    key), and what was already done with them, so that no step does it again: the values
    queried per table and columns, the parent rows whose references were followed per table
    and reference, the identity values typed per table and column, and how many of each
    table's rows were read for new identities (rows are only ever added, in order)."""

    known: dict[str, set[str]]
    found: dict[str, dict[KeyTuple, Row]]
    queried: dict[tuple[str, tuple[str, ...]], set[KeyTuple]] = field(default_factory=dict)
    followed: dict[tuple[str, Edge], set[KeyTuple]] = field(default_factory=dict)
    typed: dict[tuple[str, str], set[str]] = field(default_factory=dict)
    read: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class _Search:
    """Of one table, for its search: the reflected table, the columns read (in order), which
    of them are read as yes/no, the positions of the key columns, each column's position,
    the (identity type, column) pairs it is searched by (none when only its references may
    reach it), its references to parent tables, and its tenant column."""

    table: sa.Table
    columns: tuple[str, ...]
    flags: tuple[bool, ...]
    keyed: tuple[int, ...]
    position: Mapping[str, int]
    identities: tuple[tuple[str, str], ...]
    parents: tuple[Edge, ...]
    tenant: str | None


@dataclass(frozen=True)
class _ColumnFacts:
    """Of one reflected table (`table`): each column's maximum length (None when unbounded),
    the NOT NULL columns, and the columns of a text type."""

    table: sa.Table
    lengths: Mapping[str, int | None]
    not_null: frozenset[str]
    texts: frozenset[str]


def _tenant_where(table: sa.Table, column: str) -> sa.ColumnElement[bool]:
    return table.c[column] == sa.bindparam("tenant", type_=table.c[column].type)


def _referenced_from_outside(
    deps: list[Dependency],
    pointers: Mapping[Dependency, list[tuple[KeyTuple, KeyTuple]]],
    deleting: dict[str, set[KeyTuple]],
    records: SubjectRecords,
) -> Iterator[tuple[str, tuple[KeyTuple, str]]]:
    """Rows about to be deleted (`deleting`) that a row which stays points at:
    (table, (key, why)). A pointing row stays unless it is deleted too; it is another
    person's row unless the subject's records hold it. Pure: reads the pairs `_pointers`
    fetched."""
    for d in deps:
        keys = deleting.get(d.referenced)
        pairs = pointers.get(d)
        if not keys or not pairs:
            continue
        own = set(records.keys(d.dependant)) if d.dependant in records.tables else set()
        going = deleting.get(d.dependant, set())
        counts: dict[KeyTuple, dict[bool, int]] = {}
        for pkey, ckey in pairs:
            if pkey not in keys or ckey in going:
                continue
            per = counts.setdefault(pkey, {True: 0, False: 0})
            per[ckey in own] += 1
        for pkey, per in sorted(counts.items(), key=repr):
            if per[False]:
                why = erasure_words.say(erasure_words.SHARED, n=per[False], table=d.dependant)
            else:
                why = erasure_words.say(
                    erasure_words.POINTED_BY_SUBJECT, n=per[True], table=d.dependant
                )
            yield d.referenced, (pkey, why)


PING_AFTER_SECONDS = 10.0


def _mark_used(_dbapi_conn: Any, record: Any) -> None:
    """`checkin` listener: when the connection was last given back to the pool."""
    if record is not None:
        record.info["steward_used_at"] = time.monotonic()


def _ping_if_idle(dialect: sa.Dialect) -> Any:
    """A `checkout` listener testing a connection that sat idle in the pool for more than
    PING_AFTER_SECONDS, with the dialect's own ping (as `pool_pre_ping` would); a fresh one,
    or one given back moments ago, is not tested. A dead one is replaced: DisconnectionError
    makes the pool discard it and connect anew."""

    def listener(dbapi_conn: Any, record: Any, _proxy: Any) -> None:
        used = record.info.get("steward_used_at")
        if used is None or time.monotonic() - used < PING_AFTER_SECONDS:
            return
        try:
            dialect.do_ping(dbapi_conn)
        except Exception as err:  # noqa: BLE001 - any failure of the test means "not usable"
            raise sa_exc.DisconnectionError(
                f"a pooled connection failed its test ({type(err).__name__})"
            ) from None

    return listener


def _own(system: str, other: str) -> None:
    if system != other:
        raise InvalidInput(f"these records belong to system {other!r}, not {system!r}")


def _as_built(stmt: Any) -> Callable[[Mapping[str, int]], Any]:
    """A statement without IN lists, as the runner's builders give one."""
    return lambda _sizes: stmt


def _as_tuple(value: Any) -> KeyTuple:
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def _boolean_columns(spec: Any) -> set[str]:
    """Columns read as true/false: the declared booleans and the restriction flag."""
    return set(spec.booleans) | ({spec.restriction_flag} if spec.restriction_flag else set())


def _typed_tuple(
    table: sa.Table, cols: tuple[str, ...], value: KeyTuple, sqlite: bool
) -> KeyTuple | None:
    """`value` typed for the columns `cols`, or None when it cannot match them (an 'abc'
    never matches an integer column and must not make the query fail)."""
    try:
        return db_key(table, cols, value, sqlite=sqlite)
    except (ValueError, TypeError):
        return None


def _cmp(table: sa.Table | Any, col: str, sqlite: bool) -> Any:
    """The column as compared with a key value (a SQLite date-time as normalized text)."""
    column = table.c[col]
    if sqlite and python_type(column) is dt.datetime:
        return sqlite_text_time(column)
    return column


def _compared(
    table: sa.Table | Any, cols: tuple[str, ...], sqlite: bool
) -> list[sa.ColumnElement[Any]]:
    """The columns `cols` as compared with key values (see `_cmp`)."""
    return [_cmp(table, c, sqlite) for c in cols]


def _in(
    table: sa.Table | Any, cols: tuple[str, ...], name: str, sqlite: bool = False
) -> sa.ColumnElement[bool]:
    """`col IN (:name...)`, or `(a, b) IN (:name...)` for several columns (expanding)."""
    param: sa.BindParameter[Any] = sa.bindparam(name, expanding=True)
    if len(cols) == 1:
        return _cmp(table, cols[0], sqlite).in_(param)  # type: ignore[no-any-return]
    return sa.tuple_(*(_cmp(table, c, sqlite) for c in cols)).in_(param)


def _key_where(table: sa.Table, keycols: tuple[str, ...], sqlite: bool) -> sa.ColumnElement[bool]:
    out = []
    for i, c in enumerate(keycols):
        expr = _cmp(table, c, sqlite)
        kind = sa.String() if expr is not table.c[c] else table.c[c].type
        out.append(expr == sa.bindparam(f"pk_{i}", type_=kind))
    return sa.and_(*out)


def _update_stmt(
    table: sa.Table,
    keycols: tuple[str, ...],
    cols: tuple[str, ...],
    nulls: tuple[str, ...],
    sqlite: bool = False,
    tenant: str | None = None,
) -> sa.Update:
    """UPDATE one row by its key: `cols` to bound values, `nulls` to NULL, only where some
    value still differs, so that running it twice changes nothing the second time."""
    differs: list[sa.ColumnElement[bool]] = [table.c[c].is_not(None) for c in nulls]
    values: dict[str, Any] = {c: sa.null() for c in nulls}
    for i, c in enumerate(cols):
        new = sa.bindparam(f"new_{i}", type_=table.c[c].type)
        differs.append(sa.or_(table.c[c].is_(None), table.c[c] != new))
        values[c] = new
    stmt = (
        sa.update(table)
        .where(_key_where(table, keycols, sqlite))
        .where(sa.or_(*differs))
        .values(values)
    )
    return stmt if tenant is None else stmt.where(_tenant_where(table, tenant))


def _delete_stmt(
    table: sa.Table, keycols: tuple[str, ...], sqlite: bool = False, tenant: str | None = None
) -> sa.Delete:
    stmt = sa.delete(table).where(_in(table, keycols, "pks", sqlite))
    return stmt if tenant is None else stmt.where(_tenant_where(table, tenant))
