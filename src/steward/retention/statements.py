"""The SQL of a sweep, built with SQLAlchemy Core over the reflected company tables.

Every value reaches the database as a bound parameter; the statements shown in a plan carry
placeholders only. A key is one column's value or, for a composite primary key, a tuple of the
key columns' values, compared as a row value (`(a, b) > (:a, :b)`, `(a, b) IN (...)`), which
SQLite, PostgreSQL and MariaDB all support. Expiry is one range condition on the trigger column
(`trigger < :cutoff`, see `cutoff.py`), joined through references when the trigger sits on a
parent table; batches walk the rule table's primary key (keyset pagination), so each batch is
an index range scan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import ColumnElement

from steward.connectors.graph import up_path
from steward.errors import InvalidInput
from steward.retention import conditions
from steward.retention.rules import ResolvedRule

PkList = Sequence[Any]


@dataclass
class RuleSql:
    """Statements for one resolved rule over reflected tables (see `reflect`)."""

    rr: ResolvedRule
    tables: dict[str, sa.Table]
    consent: conditions.ConsentValues = field(default_factory=dict)  # see consentstate.py

    # --- building blocks ------------------------------------------------------------------

    @property
    def root(self) -> sa.Table:
        return self.tables[self.rr.table]

    @property
    def key_cols(self) -> list[sa.Column[Any]]:
        return [self.root.c[c] for c in self.rr.keys]

    @property
    def composite(self) -> bool:
        return len(self.rr.keys) > 1

    @property
    def pk(self) -> sa.ColumnElement[Any]:
        """The rule table's key: its column, or the row value of a composite key."""
        cols = self.key_cols
        return cols[0] if len(cols) == 1 else sa.tuple_(*cols)

    def key_param(self, name: str, value: Any) -> sa.ColumnElement[Any]:
        """A key as bound parameter(s), to compare with `pk`."""
        if not self.composite:
            return sa.bindparam(name, value, unique=True)
        return sa.tuple_(
            *(
                sa.bindparam(f"{name}_{c}", v, unique=True)
                for c, v in zip(self.rr.keys, value, strict=True)
            )
        )

    def as_key(self, value: Any) -> Any:
        """A key read back from JSON (a checkpoint): a tuple for a composite key."""
        if self.composite and isinstance(value, list):
            return tuple(value)
        return value

    def row_key(self, row: Any) -> Any:
        """The key of a row selected with `select(*key_cols, ...)`."""
        return tuple(row[: len(self.rr.keys)]) if self.composite else row[0]

    def match_key(self, key: Any) -> ColumnElement[bool]:
        """The rule-table row with key `key` (column by column, for UPDATE)."""
        values = key if self.composite else (key,)
        return sa.and_(*(c == v for c, v in zip(self.key_cols, values, strict=True)))

    def col(self, table: str, column: str) -> sa.Column[Any]:
        return self.tables[table].c[column]

    @property
    def trigger(self) -> sa.ColumnElement[Any]:
        if self.rr.aggregate is not None:
            return self.children.c.trigger
        return self.col(self.rr.trigger_table, self.rr.trigger_column)

    @cached_property
    def children(self) -> sa.Subquery:
        """One row per rule-table row with child rows: its latest (or earliest) child date,
        set-based (GROUP BY) on every dialect. Under `latest`, a child row without a date means
        "not ended yet": the trigger is then empty, so the row is never due (and is counted
        among the rows without a trigger date)."""
        via = self.rr.via
        assert via is not None
        child = self.tables[via.child]
        key, when = child.c[via.child_field], child.c[self.rr.trigger_column]
        if self.rr.aggregate == "latest":
            trigger: sa.ColumnElement[Any] = sa.case(
                (sa.func.count() == sa.func.count(when), sa.func.max(when)), else_=sa.null()
            )
        else:
            trigger = sa.func.min(when)
        return (
            sa.select(key.label("key"), trigger.label("trigger"))
            .where(key.is_not(None))
            .group_by(key)
            .subquery("trigger_rows")
        )

    def joined(self, path: Iterable[Any] | None = None) -> sa.FromClause:
        """The rule table joined up to the trigger table (or along `path`)."""
        src: sa.FromClause = self.root
        if path is None and self.rr.via is not None:
            rows = self.children
            return src.outerjoin(
                rows, rows.c.key == self.col(self.rr.table, self.rr.via.parent_column)
            )
        for e in self.rr.join_path if path is None else path:
            src = src.join(
                self.tables[e.parent],
                self.col(e.child, e.child_field) == self.col(e.parent, e.parent_column),
            )
        return src

    def condition(self) -> list[ColumnElement[bool]]:
        """The rule's `condition` as one expression (see `conditions.py`)."""
        cond = self.rr.rule.condition
        if cond is None:
            return []
        allowed = {self.rr.table, *(e.parent for e in self.rr.join_path)}
        for table, _ in conditions.column_refs(cond, self.rr.table):
            if table not in allowed:
                raise InvalidInput(
                    f"retention rule {self.rr.key!r}: the condition must be on "
                    f"{self.rr.table!r} or on a table of the trigger's join path"
                )
        return [
            conditions.compile_condition(
                cond,
                column=self.col,
                default_table=self.rr.table,
                identity_column=self.identity_column,
                consent=self.consent,
            )
        ]

    def identity_column(self, identity: str) -> sa.Column[Any]:
        """The rule table's column holding identity type `identity` (e.g. its e-mail)."""
        spec = self.rr.graph.table(self.rr.table)
        column = spec.identity_column(identity)
        if column is None:
            raise InvalidInput(
                f"retention rule {self.rr.key!r}: table {self.rr.table!r} declares no "
                f"{identity!r} identity to match consent records with"
            )
        return self.col(self.rr.table, column)

    def expired(self, cutoff: date) -> list[ColumnElement[bool]]:
        return [
            self.trigger < sa.bindparam("cutoff", cutoff, type_=sa.Date(), unique=True),
            *self.condition(),
        ]

    # --- selection --------------------------------------------------------------------------

    def candidates(
        self, cutoff: date, *, after: Any = None, upto: Any = None, limit: int | None = None
    ) -> sa.Select[Any]:
        """Expired rule-table keys after `after` (and up to `upto`), in key order."""
        q = sa.select(*self.key_cols).select_from(self.joined()).where(*self.expired(cutoff))
        if after is not None:
            q = q.where(self.pk > self.key_param("after", after))
        if upto is not None:
            q = q.where(self.pk <= self.key_param("upto", upto))
        q = q.order_by(*self.key_cols)
        return q.limit(limit) if limit is not None else q

    def expired_keys(self, cutoff: date) -> sa.Select[Any]:
        """Expired keys as a subquery (never correlated with an enclosing query of the same
        table, which would silently change its meaning)."""
        return (
            sa.select(*self.key_cols)
            .select_from(self.joined())
            .where(*self.expired(cutoff))
            .correlate(None)
        )

    def count_expired(self, cutoff: date) -> sa.Select[Any]:
        return sa.select(sa.func.count()).select_from(self.joined()).where(*self.expired(cutoff))

    def count_between(self, start: date, end: date) -> sa.Select[Any]:
        """Rows expiring on a cutoff in [start, end): trigger in [start, end)."""
        return (
            sa.select(sa.func.count())
            .select_from(self.joined())
            .where(
                self.trigger >= sa.bindparam("start", start, type_=sa.Date()),
                self.trigger < sa.bindparam("end", end, type_=sa.Date()),
                *self.condition(),
            )
        )

    def oldest(self, cutoff: date) -> sa.Select[Any]:
        return (
            sa.select(sa.func.min(self.trigger))
            .select_from(self.joined())
            .where(*self.expired(cutoff))
        )

    def count_missing_trigger(self) -> sa.Select[Any]:
        """Rows that can never be proven expired: their trigger date is empty."""
        return (
            sa.select(sa.func.count())
            .select_from(
                self.joined(),
            )
            .where(self.trigger.is_(None), *self.condition())
        )

    # --- dependants -------------------------------------------------------------------------

    def membership(self, table: str, keys: Any) -> ColumnElement[bool]:
        """Rows of `table` (the rule table or a dependant) belonging to the root keys `keys`
        (an expanding bind parameter or a subquery of keys, see `batch_keys`)."""
        if table == self.rr.table:
            return self.pk.in_(keys)
        clauses: list[ColumnElement[bool]] = []
        for e in self.rr.graph.parents_of(table):
            if e.parent != self.rr.table and e.parent not in self.rr.dependants:
                continue
            child_col = self.col(table, e.child_field)
            if e.parent == self.rr.table and (e.parent_column,) == self.rr.keys:
                clauses.append(child_col.in_(keys))
                continue
            parent = self.tables[e.parent]
            sub = (
                sa.select(parent.c[e.parent_column])
                .where(self.membership(e.parent, keys))
                .correlate(None)
            )
            clauses.append(child_col.in_(sub))
        return sa.or_(*clauses) if len(clauses) > 1 else clauses[0]

    def delete_statements(self, keys: Any) -> list[tuple[str, sa.Delete]]:
        """Deletes for the root keys and their dependants, children first."""
        return [
            (t, sa.delete(self.tables[t]).where(self.membership(t, keys)))
            for t in (*self.rr.dependants, self.rr.table)
        ]

    @property
    def range_deletes(self) -> bool:
        """Can a whole window be deleted by key range (trigger and condition on the rule
        table itself)? Then no key list travels to the database."""
        refs = conditions.column_refs(self.rr.rule.condition, self.rr.table)
        on_root = all(table == self.rr.table for table, _ in refs)
        return self.rr.trigger_table == self.rr.table and on_root

    def window(self, cutoff: date, after: Any, last: Any) -> list[ColumnElement[bool]]:
        """The expired rows of the key window (after, last]."""
        out = [*self.expired(cutoff), self.pk <= self.key_param("last", last)]
        if after is not None:
            out.append(self.pk > self.key_param("after", after))
        return out

    def delete_window(self, cutoff: date, after: Any, last: Any) -> list[tuple[str, sa.Delete]]:
        """Deletes of a whole window by key range, children first (see `range_deletes`)."""
        keys = sa.select(*self.key_cols).where(*self.window(cutoff, after, last)).correlate(None)
        out = [
            (t, sa.delete(self.tables[t]).where(self.membership(t, keys)))
            for t in self.rr.dependants
        ]
        out.append((self.rr.table, sa.delete(self.root).where(*self.window(cutoff, after, last))))
        return out

    def count_statements(self, keys: Any) -> list[tuple[str, sa.Select[Any]]]:
        return [
            (
                t,
                sa.select(sa.func.count())
                .select_from(self.tables[t])
                .where(self.membership(t, keys)),
            )
            for t in (*self.rr.dependants, self.rr.table)
        ]

    # --- walking from another table to the roots --------------------------------------------

    def roots_from_ancestor(
        self, table: str, where: ColumnElement[bool], keys: Any
    ) -> sa.Select[Any] | None:
        """Root keys (among `keys`) whose chain of references up to `table` meets rows
        matching `where`; None when `table` is not above the rule table."""
        path = up_path(self.rr.graph, self.rr.table, table)
        if path is None:
            return None
        return (
            sa.select(*self.key_cols).select_from(self.joined(path)).where(where, self.pk.in_(keys))
        )

    def roots_from_dependant(
        self, conn: Connection, table: str, where: ColumnElement[bool], keys: Any
    ) -> set[Any]:
        """Root keys (among `keys`) owning dependant rows of `table` that match `where`."""
        t = self.tables[table]
        cols = [t.c[c] for c in self.rr.graph.table(table).key_columns]
        found = {
            _row_key(r, len(cols))
            for r in conn.execute(sa.select(*cols).where(where, self.membership(table, keys)))
        }
        return self._walk_up(conn, table, found, keys)

    def _walk_up(self, conn: Connection, table: str, found: set[Any], keys: Any) -> set[Any]:
        if not found:
            return set()
        if table == self.rr.table:
            return found
        t = self.tables[table]
        own = _key_of(t, self.rr.graph.table(table).key_columns)
        out: set[Any] = set()
        for e in self.rr.graph.parents_of(table):
            if e.parent != self.rr.table and e.parent not in self.rr.dependants:
                continue
            values = {
                r[0]
                for r in conn.execute(
                    sa.select(t.c[e.child_field]).where(
                        own.in_(sa.bindparam("k", list(found), expanding=True))
                    )
                )
                if r[0] is not None
            }
            if not values:
                continue
            p = self.tables[e.parent]
            p_cols = [p.c[c] for c in self.rr.graph.table(e.parent).key_columns]
            where: sa.ColumnElement[bool] = p.c[e.parent_column].in_(
                sa.bindparam("v", list(values), expanding=True)
            )
            if e.parent == self.rr.table:
                where = sa.and_(where, self.pk.in_(keys))
            parents = {
                _row_key(r, len(p_cols)) for r in conn.execute(sa.select(*p_cols).where(where))
            }
            out |= self._walk_up(conn, e.parent, parents, keys)
        return out


def _key_of(table: sa.Table, columns: Sequence[str]) -> sa.ColumnElement[Any]:
    cols = [table.c[c] for c in columns]
    return cols[0] if len(cols) == 1 else sa.tuple_(*cols)


def _row_key(row: Any, n: int) -> Any:
    return row[0] if n == 1 else tuple(row[:n])


def batch_keys(ids: PkList | None) -> Any:
    """Root keys of one batch as an expanding bind parameter (a placeholder when None)."""
    if ids is None:
        return sa.bindparam("ids", expanding=True)
    return sa.bindparam("ids", list(ids), expanding=True)


def tables_needed(rr: ResolvedRule, extra: Iterable[str] = ()) -> list[str]:
    names = [rr.table, *(e.parent for e in rr.join_path), *rr.dependants, *extra]
    return list(dict.fromkeys(names))


def reflect(conn: Connection, rr: ResolvedRule, names: Iterable[str] | None = None) -> RuleSql:
    """Reflect the tables `rr` touches (all of its system's when `names` is None); raise
    InvalidInput naming a table or column the policy declares but the database lacks."""
    wanted = list(names) if names is not None else list(rr.graph.tables)
    md = sa.MetaData()
    tables: dict[str, sa.Table] = {}
    for name in wanted:
        try:
            tables[name] = sa.Table(name, md, autoload_with=conn)
        except sa_exc.NoSuchTableError:
            raise InvalidInput(f"system {rr.system.key!r} has no table {name!r}") from None
    needed = {
        *((rr.table, k) for k in rr.keys),
        (rr.trigger_table, rr.trigger_column),
        *((rr.table, f) for f in rr.rule.fields),
        *conditions.column_refs(rr.rule.condition, rr.table),
    }
    for e in rr.graph.edges:
        needed |= {(e.child, e.child_field), (e.parent, e.parent_column)}
    for table, column in sorted(needed):
        if table in tables and column not in tables[table].c:
            raise InvalidInput(
                f"system {rr.system.key!r}: table {table!r} has no column {column!r} "
                f"(retention rule {rr.key!r})"
            )
    return RuleSql(rr, tables)


def show(stmt: sa.ClauseElement, conn_or_dialect: Any) -> str:
    """A statement as text with placeholders (never values), for plans and evidence."""
    dialect = getattr(conn_or_dialect, "dialect", conn_or_dialect)
    with suppress(TypeError):  # named placeholders read better than the driver's `?` or `%s`
        dialect = type(dialect)(paramstyle="named")
    text = str(stmt.compile(dialect=dialect))
    # Expanding lists (batch keys, consent values) as one named placeholder each.
    return re.sub(r"__\[POSTCOMPILE_(\w+)\]", r":\1", text)
