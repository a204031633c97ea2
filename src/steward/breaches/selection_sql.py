"""Selecting the rows a breach touched in one SQL system, with SQLAlchemy Core built from the
policy's `TableSpec` — structured input only, never SQL text from the user.

The connectors' `Connector` protocol finds rows by identity values; a breach is selected by a
time window, primary keys or filters over declared fields, which that protocol does not offer,
so this module reads the system directly (reusing the connectors' URL resolution and dataset
graph). Only declared columns are reflected and read; every value is a bound parameter.
Contact addresses come from the selected table's `email` identity column or, through the
policy's references, from the nearest parent table that has one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

from steward.connectors.graph import DatasetGraph, build_graph
from steward.errors import InvalidInput, Unavailable
from steward.policy.models import SystemSpec

CHUNK = 500
OPS = ("eq", "ne", "in", "gte", "lte", "is_null", "not_null")


@dataclass(frozen=True)
class Filter:
    field: str
    op: str
    value: Any = None


@dataclass(frozen=True)
class Query:
    """What to select in one table: any of a window over a date column, ids, filters."""

    table: str
    date_column: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    ids: tuple[Any, ...] = ()
    filters: tuple[Filter, ...] = ()
    country_column: str | None = None


class Hit(NamedTuple):
    """One selected row: its key, the contact address found for it, and a country if asked."""

    pk: Any
    email: str | None
    country: str | None


@contextmanager
def connect(system: SystemSpec, url: str) -> Iterator[Connection]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            yield conn
    except (sa_exc.OperationalError, sa_exc.InterfaceError):
        # The driver's message may echo parameters: name the system only.
        raise Unavailable(f"system {system.key!r} is unavailable") from None
    finally:
        engine.dispose()


class Reader:
    """Reads selections from one system over an open connection."""

    def __init__(self, system: SystemSpec, conn: Connection) -> None:
        self.system = system
        self.graph: DatasetGraph = build_graph(system)
        self.conn = conn
        self._tables: dict[str, sa.Table] = {}

    def table(self, name: str) -> sa.Table:
        if name not in self._tables:
            wanted = self.graph.columns(name)  # InvalidInput for an undeclared table
            try:
                t = sa.Table(name, sa.MetaData(), autoload_with=self.conn, include_columns=wanted)
            except sa_exc.NoSuchTableError:
                raise InvalidInput(f"system {self.system.key!r} has no table {name!r}") from None
            self._tables[name] = t
        return self._tables[name]

    def column(self, table: str, name: str) -> sa.Column[Any]:
        if name not in self.graph.columns(table):
            raise InvalidInput(
                f"{table}.{name} is not a field the policy declares for system "
                f"{self.system.key!r}; only declared fields can be selected"
            )
        t = self.table(table)
        if name not in t.c:
            raise InvalidInput(f"system {self.system.key!r}: {table} has no column {name!r}")
        return t.c[name]

    def select(self, q: Query) -> list[Hit]:
        """Selected rows of `q.table` with their contact address (or None)."""
        spec = self.graph.table(q.table)
        pk = self.column(q.table, spec.primary_key)
        cond: list[Any] = []
        if q.since or q.until:
            if not q.date_column:
                raise InvalidInput("A time window needs the date column it applies to.")
            col = self.column(q.table, q.date_column)
            if q.since:
                cond.append(col >= _for(col, q.since))
            if q.until:
                cond.append(col < _for(col, q.until))
        if q.ids:
            cond.append(pk.in_(list(q.ids)))
        for f in q.filters:
            cond.append(_condition(self.column(q.table, f.field), f))
        if not cond:
            raise InvalidInput(
                "Give a time window, ids or a filter: selecting a whole table is not a selection."
            )
        email_col = spec.identities.get("email")
        link = None if email_col else self._link_to_email(q.table)
        cols = [pk.label("pk")]
        if email_col:
            cols.append(self.column(q.table, email_col).label("email"))
        if link:
            cols.append(self.column(q.table, link[0].child_field).label("link"))
        if q.country_column:
            cols.append(self.column(q.table, q.country_column).label("country"))
        rows = self.conn.execute(sa.select(*cols).where(*cond)).mappings().all()
        emails = self._emails_via(link, {r["link"] for r in rows}) if link else {}
        out: list[Hit] = []
        for r in rows:
            email = r["email"] if email_col else (emails.get(r["link"]) if link else None)
            country = r["country"] if q.country_column else None
            out.append(Hit(r["pk"], _clean(email), _clean(country)))
        return out

    def _link_to_email(self, table: str) -> list[Any] | None:
        """The chain of edges from `table` up to the nearest parent with an email identity."""
        frontier: list[tuple[str, list[Any]]] = [(table, [])]
        seen = {table}
        while frontier:
            name, path = frontier.pop(0)
            for edge in self.graph.parents_of(name):
                if edge.parent in seen:
                    continue
                chain = [*path, edge]
                if "email" in self.graph.table(edge.parent).identities:
                    return chain
                seen.add(edge.parent)
                frontier.append((edge.parent, chain))
        return None

    def _emails_via(self, chain: list[Any], values: set[Any]) -> dict[Any, str | None]:
        """Map each value of the first edge's child field to the address at the chain's end."""
        current: dict[Any, Any] = {v: v for v in values if v is not None}
        for i, edge in enumerate(chain):
            last = i == len(chain) - 1
            target = (self.graph.table(edge.parent).identities["email"] if last
                      else chain[i + 1].child_field)
            key_col = self.column(edge.parent, edge.parent_column)
            val_col = self.column(edge.parent, target)
            found: dict[Any, Any] = {}
            keys = sorted({v for v in current.values()}, key=repr)
            for start in range(0, len(keys), CHUNK):
                chunk = keys[start:start + CHUNK]
                for k, v in self.conn.execute(sa.select(key_col, val_col)
                                              .where(key_col.in_(chunk))):
                    found[k] = v
            current = {orig: found.get(k) for orig, k in current.items()}
        return current


def _clean(value: Any) -> str | None:
    if value is None:
        return None
    s = (value if isinstance(value, str) else str(value)).strip()
    return s or None


def _for(col: sa.Column[Any], value: datetime) -> datetime:
    """A window bound for `col`: UTC, without tzinfo when the column stores naive times."""
    if value.tzinfo is None:
        return value
    value = value.astimezone(UTC)
    aware_col = isinstance(col.type, sa.DateTime) and bool(col.type.timezone)
    return value if aware_col else value.replace(tzinfo=None)


def _condition(col: sa.Column[Any], f: Filter) -> Any:
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
