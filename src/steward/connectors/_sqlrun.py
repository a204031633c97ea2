"""The SQL connector's frequent statements, run on the database driver directly.

A request's search sends a dozen small SELECTs, its erasure a few more, and SQLAlchemy's
execution path (cache lookup, expanding the IN lists, result metadata, row objects) cost
about four times the driver's own CPU for the same statement (PostgreSQL with psycopg: 258
µs against 53-71 µs per small SELECT; docs/benchmarks.md). `Runner` keeps each statement
compiled for the engine's dialect, once per shape and list size, and runs it on the DBAPI
cursor of the SQLAlchemy connection it is given (same transaction, same pooled connection),
keeping what SQLAlchemy's path does that matters:

- a transaction is begun on the SQLAlchemy connection as its own execute would, so that its
  commit and rollback end the driver's;
- values are bound parameters, never SQL text, converted by the column types' own bind
  processors; results by their result processors (dates on SQLite, numerics on PostgreSQL);
- `before_cursor_execute` and `after_cursor_execute` listeners are called (with no execution
  context), so statement counters and tracing still see every statement;
- a driver error is raised as SQLAlchemy's `DBAPIError` (what `_sqlerrors.classify` reads),
  and a lost connection is invalidated so the pool does not hand it out again.

An IN list of n values is compiled for the next power of two at or above n and padded with
its last value (`x IN (1, 2, 2, 2)` matches what `x IN (1, 2)` matches), so a statement has
at most a handful of compiled sizes. Private to the SQL connector.
"""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection

T = TypeVar("T")
Processor = Callable[[Any], Any] | None
Build = Callable[[Mapping[str, int]], Any]
"""Makes the statement for the given IN-list sizes (name -> size), with `in_list`."""
Item = tuple[Any, Build, Mapping[str, Sequence[Any]], Mapping[str, Any] | None]
"""One statement for `Runner.counts`: key, builder, IN lists and other values, as `count`."""

MAX_KEPT = 512  # compiled statements per runner (shapes x sizes; a few dozen in practice)
_CURSOR = "steward_cursor"  # the kept cursor's entry in a pooled connection's `info`


def in_list(exprs: Sequence[sa.ColumnElement[Any]], name: str, size: int) -> sa.ColumnElement[bool]:
    """`expr IN (:name_0, ..., :name_<size-1>)`, or for several expressions
    `(a, b) IN ((:name_0_0, :name_0_1), ...)`, each parameter typed as its expression."""
    if len(exprs) == 1:
        (expr,) = exprs
        return expr.in_([sa.bindparam(f"{name}_{j}", type_=expr.type) for j in range(size)])
    return sa.tuple_(*exprs).in_(
        [
            sa.tuple_(*(sa.bindparam(f"{name}_{j}_{k}", type_=e.type) for k, e in enumerate(exprs)))
            for j in range(size)
        ]
    )


def bucket(n: int) -> int:
    """The list size a statement is compiled for: the next power of two at or above n."""
    size = 1
    while size < n:
        size *= 2
    return size


class _Compiled:
    """One statement compiled for a dialect: its text, the parameter order (positional
    dialects), each parameter's bind processor, and its result processors (read from the
    driver's column types at the first run)."""

    __slots__ = ("binds", "fixed", "order", "results", "returns_rows", "sql", "types")

    def __init__(self, stmt: Any, dialect: sa.Dialect) -> None:
        compiled = stmt.compile(dialect=dialect)
        self.sql: str = compiled.string
        self.order: tuple[str, ...] | None = (
            tuple(compiled.positiontup) if dialect.positional else None
        )
        # Values the statement carries itself (a function's format string, say).
        self.fixed = {n: p.effective_value for n, p in compiled.binds.items() if not p.required}
        self.binds: dict[str, Callable[[Any], Any]] = {}
        for name, param in compiled.binds.items():
            proc = param.type.dialect_impl(dialect).bind_processor(dialect)
            if proc is not None:
                self.binds[name] = proc
        self.returns_rows = isinstance(stmt, sa.Select | sa.CompoundSelect)
        self.types: tuple[Any, ...] = (
            tuple(c.type for c in stmt.selected_columns) if self.returns_rows else ()
        )
        self.results: tuple[Processor, ...] | None = None

    def params(self, values: Mapping[str, Any]) -> Any:
        out = {**self.fixed, **values}
        for name, proc in self.binds.items():
            out[name] = proc(out[name])
        if self.order is None:
            return out
        return tuple(out[name] for name in self.order)

    def processors(self, dialect: sa.Dialect, description: Any) -> tuple[Processor, ...]:
        if self.results is None:
            self.results = tuple(
                t.dialect_impl(dialect).result_processor(dialect, d[1])
                for t, d in zip(self.types, description, strict=True)
            )
        return self.results


class Runner:
    """Statements compiled once per (key, list sizes) for one dialect; see the module."""

    def __init__(self, dialect: sa.Dialect) -> None:
        self.dialect = dialect
        self._kept: dict[tuple[Any, ...], _Compiled] = {}

    def rows(
        self,
        conn: Connection,
        key: Any,
        build: Build,
        lists: Mapping[str, Sequence[Any]],
        scalars: Mapping[str, Any] | None = None,
    ) -> list[tuple[Any, ...]]:
        """The rows of a SELECT, as tuples of processed values in its column order."""
        compiled, params = self._prepare(key, build, lists, scalars)
        cursor = self._execute(conn, compiled, params)
        try:
            return self._read(compiled, cursor)
        except self.dialect.loaded_dbapi.Error as err:
            self._forget_cursor(conn)
            raise self._wrap(conn, err, compiled.sql, params, cursor) from err

    def rows_many(self, conn: Connection, items: Sequence[Item]) -> list[list[tuple[Any, ...]]]:
        """The rows of several SELECTs that do not depend on each other (`rows` each, in
        order), in one round trip where the driver pipelines (`_pipelined`)."""
        if len(items) < 2 or not _pipelines(conn.connection.dbapi_connection):
            return [self.rows(conn, *item) for item in items]
        return self._pipelined(conn, [self._prepare(*item) for item in items], self._read)

    def count(
        self,
        conn: Connection,
        key: Any,
        build: Build,
        lists: Mapping[str, Sequence[Any]],
        scalars: Mapping[str, Any] | None = None,
    ) -> int:
        """Run an UPDATE or DELETE; the number of rows it changed."""
        compiled, params = self._prepare(key, build, lists, scalars)
        return int(self._execute(conn, compiled, params).rowcount)

    def counts(self, conn: Connection, items: Sequence[Item], *, last: bool = False) -> list[int]:
        """Run UPDATEs and DELETEs in order (`count` each); the rows each changed. In one
        round trip where the driver pipelines (`_pipelined`), the transaction's BEGIN
        with them.

        `last=True`: nothing else runs in this transaction, and where the driver pipelines,
        its COMMIT goes out with the statements (the same round trip; if any of them fails,
        the database skips the COMMIT and the owner's rollback undoes the lot). The owner's
        commit then finds nothing left to commit. Elsewhere the owner commits as always."""
        if not items:
            return []
        if not _pipelines(conn.connection.dbapi_connection):
            return [self.count(conn, *item) for item in items]
        if len(items) < 2 and not last:
            return [self.count(conn, *items[0])]
        prepared = [self._prepare(*item) for item in items]
        return self._pipelined(
            conn, prepared, lambda _compiled, cursor: int(cursor.rowcount), commit=last
        )

    def _read(self, compiled: _Compiled, cursor: Any) -> list[tuple[Any, ...]]:
        """A SELECT's answer on `cursor`, each value through its column's result processor
        (the driver's column types read once per statement: psycopg builds the description
        anew each time it is asked)."""
        raw = cursor.fetchall()
        procs = compiled.results or compiled.processors(self.dialect, cursor.description)
        if not any(procs):
            return [tuple(r) for r in raw]
        return [tuple(v if p is None else p(v) for p, v in zip(procs, r, strict=True)) for r in raw]

    def _pipelined(
        self,
        conn: Connection,
        prepared: Sequence[tuple[_Compiled, Any]],
        read: Callable[[_Compiled, Any], T],
        *,
        commit: bool = False,
    ) -> list[T]:
        """Send the statements in one psycopg pipeline, a cursor each (each keeps its own
        statement's answer and row count), then `read` each answer. An error in any of them
        raises once all were sent (which one is not told apart: the database's message says
        why); the transaction is rolled back by its owner as usual. `commit`: the
        transaction's COMMIT is sent last in the same pipeline (see `counts`)."""
        dbapi_conn: Any = conn.connection.dbapi_connection
        cursors: list[Any] = []
        try:
            with dbapi_conn.pipeline():
                for compiled, params in prepared:
                    cursors.append(dbapi_conn.cursor())
                    self._execute(conn, compiled, params, cursors[-1])
                if commit:
                    # Run after the statements, in the transaction they began; the database
                    # skips it when one of them failed (a pipeline stops at its first error).
                    cursors.append(dbapi_conn.cursor())
                    cursors[-1].execute("COMMIT")
            answered = zip(prepared, cursors[: len(prepared)], strict=True)
            return [read(c, cursor) for (c, _), cursor in answered]
        except self.dialect.loaded_dbapi.Error as err:
            raise self._wrap(
                conn, err, "; ".join(c.sql for c, _ in prepared), [p for _, p in prepared], None
            ) from err
        finally:
            for cursor in cursors:
                cursor.close()

    def _prepare(
        self,
        key: Any,
        build: Build,
        lists: Mapping[str, Sequence[Any]],
        scalars: Mapping[str, Any] | None,
    ) -> tuple[_Compiled, Any]:
        sizes = {name: bucket(len(values)) for name, values in lists.items()}
        if any(not values for values in lists.values()):
            raise ValueError("an IN list needs at least one value")
        ident = (key, tuple(sorted(sizes.items())))
        compiled = self._kept.get(ident)
        if compiled is None:
            if len(self._kept) >= MAX_KEPT:
                self._kept.clear()
            compiled = self._kept[ident] = _Compiled(build(sizes), self.dialect)
        values: dict[str, Any] = dict(scalars or {})
        for name, given in lists.items():
            padded = list(given) + [given[-1]] * (sizes[name] - len(given))
            for j, v in enumerate(padded):
                if isinstance(v, tuple):
                    for k, part in enumerate(v):
                        values[f"{name}_{j}_{k}"] = part
                else:
                    values[f"{name}_{j}"] = v
        return compiled, compiled.params(values)

    def _execute(
        self, conn: Connection, compiled: _Compiled, params: Any, cursor: Any = None
    ) -> Any:
        """Run one statement on `cursor`, or on the connection's kept cursor (see `_cursor`);
        the cursor, its results not yet read."""
        if not conn.in_transaction():
            # As SQLAlchemy's own execute would ("autobegin"): its commit and rollback then
            # end the driver's transaction, which the statements below join.
            conn.begin()
        kept = cursor is None
        if kept:
            cursor = self._cursor(conn)
        sql = compiled.sql
        before = conn.dispatch.before_cursor_execute
        if before:
            for fn in before:
                fn(conn, cursor, sql, params, None, False)
        try:
            cursor.execute(sql, params)
        except self.dialect.loaded_dbapi.Error as err:
            if kept:
                self._forget_cursor(conn)
            raise self._wrap(conn, err, sql, params, cursor) from err
        after = conn.dispatch.after_cursor_execute
        if after:
            for fn in after:
                fn(conn, cursor, sql, params, None, False)
        return cursor

    @staticmethod
    def _cursor(conn: Connection) -> Any:
        """The cursor kept with the pooled driver connection (in the pool's `info` for it,
        beside the connection it belongs to): opening one per statement cost a fifth of the
        driver's work for a small SELECT. Used by one thread at a time, as its connection."""
        entry = conn.connection
        dbapi_conn = entry.dbapi_connection
        assert dbapi_conn is not None
        kept = entry.info.get(_CURSOR)
        if kept is not None and kept[0] is dbapi_conn:
            return kept[1]
        cursor = dbapi_conn.cursor()
        entry.info[_CURSOR] = (dbapi_conn, cursor)
        return cursor

    @staticmethod
    def _forget_cursor(conn: Connection) -> None:
        """After a driver error the kept cursor is closed and not used again."""
        kept = conn.connection.info.pop(_CURSOR, None)
        if kept is not None:
            # A cursor of a broken connection may refuse to close: it is dropped either way.
            with contextlib.suppress(Exception):
                kept[1].close()

    def _wrap(
        self, conn: Connection, err: Any, sql: str, params: Any, cursor: Any
    ) -> sa_exc.DBAPIError:
        """The driver's error as SQLAlchemy raises it; a lost connection is invalidated."""
        lost = self.dialect.is_disconnect(err, conn.connection.dbapi_connection, cursor)
        if lost:
            conn.invalidate(err)
        wrapped = sa_exc.DBAPIError.instance(
            sql,
            params,
            err,
            self.dialect.loaded_dbapi.Error,
            connection_invalidated=lost,
            dialect=self.dialect,
        )
        assert isinstance(wrapped, sa_exc.DBAPIError)
        return wrapped


def _pipelines(dbapi_conn: Any) -> bool:
    """Can this driver connection send several statements before reading their answers?
    (psycopg 3 on a libpq with pipeline mode.)"""
    return hasattr(dbapi_conn, "pipeline") and _psycopg_pipelines()


@functools.cache
def _psycopg_pipelines() -> bool:
    import psycopg

    return bool(psycopg.Pipeline.is_supported())
