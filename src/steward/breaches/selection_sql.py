"""Selecting the rows a breach touched in one SQL system: one set-based statement built with
SQLAlchemy Core from the policy's `TableSpec` — structured input only, never SQL text from
the user, every value a bound parameter.

The connectors' `Connector` protocol finds rows by identity values; a breach is selected by a
time window, primary keys, identity values or filters over declared fields, which that protocol
does not offer, so this module reads the system directly (reusing the connectors' URL resolution
and dataset graph). Only declared columns are named; their types come from one lightweight
column reflection per table (no constraints, indexes or foreign keys are reflected).

The database does the work: the selected table is LEFT JOINed through the policy's references
to the nearest table holding an `email` identity (a row without a parent still counts, without
an address), and the rows are grouped by address, so what comes back is one small tuple per
distinct address with its row count — streamed in batches, never the rows themselves.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from steward.connectors._sqlvalues import python_type
from steward.connectors.graph import DatasetGraph, Edge, build_graph
from steward.errors import InvalidInput, Unavailable
from steward.policy.models import SystemSpec

CHUNK = 5_000  # values per IN (...): far below every database's bound-parameter limit
BATCH = 2_000  # groups fetched per round trip (server-side cursor where the driver has one)
OPS = ("eq", "ne", "in", "gte", "lte", "is_null", "not_null")


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Query:
    """What to select in one table: any of a window over a date column, ids, identity values
    (type -> values, matched exactly on the table's identity columns; a row matches when any
    value does) and filters. All the criteria given must hold."""

    table: str
    date_column: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[Any, ...] = ()
    identities: tuple[tuple[str, tuple[str, ...]], ...] = ()
    filters: tuple[Filter, ...] = ()
    country_column: str | None = None


Group = tuple[str | None, str | None, int]
"""(raw address or None, country or None, number of selected rows sharing them)."""


@contextmanager
def connect(system: SystemSpec, url: str) -> Iterator[Connection]:
    """A connection to `system`; `Unavailable` naming the system only when it cannot be
    reached or read (the driver's message may echo parameters). A SQLite file that does not
    exist is unavailable too: opening it would create an empty database and report every
    table as missing."""
    _sqlite_file_exists(system, url)
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    except (sa_exc.OperationalError, sa_exc.InterfaceError):
        raise Unavailable(f"system {system.key!r} is unavailable") from None
    except sa_exc.DataError:
        raise InvalidInput(
            f"system {system.key!r} refused a selection value: check that ids and values "
            "fit the column types"
        ) from None
    finally:
        engine.dispose()


def _sqlite_file_exists(system: SystemSpec, url: str) -> None:
    try:
        parsed = sa.make_url(url)
    except sa_exc.ArgumentError:
        return
    db = parsed.database
    if parsed.get_backend_name() != "sqlite" or not db or db == ":memory:" \
            or db.startswith("file:") or parsed.query.get("uri"):
        return
    if not Path(db).is_file():
        raise Unavailable(
            f"system {system.key!r} is unavailable: its SQLite file {db} does not exist "
            "(run `steward demo`, or set the system's url_env)"
        )


class TableMissing(InvalidInput):
    """A declared table the system's database does not have: the system cannot be searched."""


class Reader:
    """Reads selections from one system over an open connection."""

    def __init__(self, system: SystemSpec, conn: Connection) -> None:
        self.system = system
        self.graph: DatasetGraph = build_graph(system)
        self.conn = conn
        self._types: dict[str, dict[str, Any]] = {}

    def _columns(self, table: str) -> dict[str, Any]:
        """Declared column -> reflected type, for the columns the table really has."""
        if table not in self._types:
            wanted = set(self.graph.columns(table))  # InvalidInput for an undeclared table
            try:
                cols = sa.inspect(self.conn).get_columns(table)
            except sa_exc.NoSuchTableError:
                raise TableMissing(
                    f"system {self.system.key!r}: table {table!r} is not in its database"
                ) from None
            self._types[table] = {c["name"]: c["type"] for c in cols if c["name"] in wanted}
        return self._types[table]

    def table(self, name: str, *, alias: str | None = None) -> sa.TableClause:
        """A lightweight table naming only the declared columns that exist."""
        t = sa.table(name, *(sa.column(n, ty) for n, ty in self._columns(name).items()))
        return t.alias(alias) if alias else t  # type: ignore[return-value]

    def column(self, t: sa.TableClause | sa.Alias, table: str, name: str) -> Any:
        if name not in self.graph.columns(table):
            raise InvalidInput(
                f"{table}.{name} is not a field the policy declares for system "
                f"{self.system.key!r}; only declared fields can be selected"
            )
        if name not in self._columns(table):
            raise InvalidInput(f"system {self.system.key!r}: {table} has no column {name!r}")
        return t.c[name]

    def groups(self, q: Query) -> Iterator[Group]:
        """The selected rows of `q.table`, grouped by contact address (and country if asked).

        A row counts once: references are followed to one parent row each (to the parent's
        primary key, or to the smallest address among parents sharing a non-unique key)."""
        spec = self.graph.table(q.table)
        base = self.table(q.table)
        if q.ids and len(spec.key_columns) != 1:
            raise InvalidInput(
                f"{q.table} in system {self.system.key!r} has a composite key "
                f"({', '.join(spec.key_columns)}): select its rows by identities or filters"
            )
        pk = self.column(base, q.table, spec.key_columns[0])
        cond = self._conditions(q, base, pk)
        email_col = spec.identity_column("email")
        source: Any = base
        email: Any = sa.null()
        country: Any = sa.null()
        grouping: list[Any] = []
        chain = None if email_col else self._link_to_email(q.table)
        if email_col:
            email = self.column(base, q.table, email_col)
        elif chain:
            source, email = self._join(base, chain)
        if email_col or chain:
            grouping.append(email)
        if q.country_column:
            country = self.column(base, q.table, q.country_column)
            grouping.append(country)
        keys = [email.label("email"), country.label("country"), sa.func.count().label("n")]
        stmt = sa.select(*keys).select_from(source)
        if grouping:
            stmt = stmt.group_by(*grouping)
        # Large id lists run as several statements over disjoint ids: groups simply add up.
        id_chunks: Sequence[Sequence[Any]] = (
            [q.ids[i:i + CHUNK] for i in range(0, len(q.ids), CHUNK)] if q.ids else [()]
        )
        options = {"stream_results": True, "yield_per": BATCH}
        for chunk in id_chunks:
            where = [*cond, pk.in_(_typed(pk, chunk, "id"))] if chunk else cond
            result = self.conn.execute(stmt.where(*where), execution_options=options)
            # The driver's rows unpack as groups: no per-row object is made here.
            for part in result.partitions():
                yield from part

    def _conditions(self, q: Query, base: sa.TableClause, pk: Any) -> list[Any]:
        spec = self.graph.table(q.table)
        cond: list[Any] = []
        if q.since or q.until:
            if not q.date_column:
                raise InvalidInput("A time window needs the date column it applies to.")
            col = self.column(base, q.table, q.date_column)
            if q.since:
                cond.append(col >= _for(col, q.since))
            if q.until:
                cond.append(col < _for(col, q.until))
        matches = []
        for kind, values in q.identities:
            columns = [c for k, c in spec.identity_pairs if k == kind]
            if not columns:
                known = ", ".join(sorted(spec.identities)) or "none"
                raise InvalidInput(
                    f"{q.table} in system {self.system.key!r} has no {kind!r} identity "
                    f"(it has: {known})"
                )
            if kind == "email":
                # Addresses from a leaked file may differ in case from the stored ones: also
                # match the lower-cased form (an IN list, so an index on the column still
                # serves; a stored mixed-case address is matched as given).
                values = tuple(dict.fromkeys([*values, *(v.lower() for v in values)]))
            for name in columns:  # every column holding this identity type
                col = self.column(base, q.table, name)
                matches.append(col.in_(_typed(col, values, kind)))
        if matches:  # a row matching any of the values given, whatever its type
            cond.append(sa.or_(*matches))
        for f in q.filters:
            cond.append(_condition(self.column(base, q.table, f.field), f))
        if not cond and not q.ids:
            raise InvalidInput(
                "Give a time window, ids, identity values or a filter: selecting a whole table "
                "is not a selection."
            )
        return cond

    def _join(self, base: sa.TableClause, chain: list[Edge]) -> tuple[Any, Any]:
        """LEFT JOIN `base` along `chain`; (the joined source, the address column)."""
        source: Any = base
        key: Any = self.column(base, chain[0].child, chain[0].child_field)
        for i, edge in enumerate(chain):
            last = i == len(chain) - 1
            parent = self.graph.table(edge.parent)
            target = (parent.identity_column("email") or "") if last else chain[i + 1].child_field
            p = self.table(edge.parent, alias=f"p{i}")
            pcol = self.column(p, edge.parent, edge.parent_column)
            value = self.column(p, edge.parent, target)
            if (edge.parent_column,) == parent.key_columns:
                source = source.outerjoin(p, key == pcol)
                key = value
            else:
                # Not a key: several parents may share the value; one address per row.
                one = (sa.select(pcol.label("k"), sa.func.min(value).label("v"))
                       .group_by(pcol).subquery(f"g{i}"))
                source = source.outerjoin(one, key == one.c.k)
                key = one.c.v
        return source, key

    def _link_to_email(self, table: str) -> list[Edge] | None:
        """The chain of edges from `table` up to the nearest parent with an email identity."""
        frontier: list[tuple[str, list[Edge]]] = [(table, [])]
        seen = {table}
        while frontier:
            name, path = frontier.pop(0)
            for edge in self.graph.parents_of(name):
                if edge.parent in seen:
                    continue
                chain = [*path, edge]
                if self.graph.table(edge.parent).identity_column("email"):
                    return chain
                seen.add(edge.parent)
                frontier.append((edge.parent, chain))
        return None


def _typed(col: Any, values: Sequence[Any], what: str) -> list[Any]:
    """Values as the column's Python type where that is an integer (an id '12' from a form
    matches 12; 'abc' is refused here instead of by the database)."""
    kind = python_type(col)
    if kind is None:
        return list(values)
    if kind is str:
        return [str(v) for v in values]
    if kind is not int:
        return list(values)
    out = []
    for v in values:
        try:
            out.append(v if isinstance(v, int) else int(str(v).strip()))
        except ValueError:
            raise InvalidInput(f"{col.name} holds whole numbers; {what} {v!r} is not one") from None
    return out


def _for(col: Any, value: datetime) -> datetime:
    """A window bound for `col`: UTC, without tzinfo when the column stores naive times."""
    if value.tzinfo is None:
        return value
    value = value.astimezone(UTC)
    aware_col = isinstance(col.type, sa.DateTime) and bool(col.type.timezone)
    return value if aware_col else value.replace(tzinfo=None)


def _condition(col: Any, f: Filter) -> Any:
    if f.op not in OPS:
        raise InvalidInput(f"Unknown filter operator {f.op!r}; use one of {', '.join(OPS)}.")
    if f.op == "is_null":
        return col.is_(None)
    if f.op == "not_null":
        return col.is_not(None)
    if f.value is None:
        raise InvalidInput(f"The filter on {col.name} needs a value.")
    if f.op == "in":
        values = f.value if isinstance(f.value, list | tuple) else [f.value]
        return col.in_(list(values))
    return {"eq": col.__eq__, "ne": col.__ne__, "gte": col.__ge__, "lte": col.__le__}[f.op](
        f.value
    )
