"""Row keys of one or several columns, as SQL conditions every dialect understands.

A key is a tuple of column values in the table's key order (`TableSpec.key_columns`). The
conditions are written out (`a > :a OR (a = :a AND b > :b)`) rather than as row-value
comparisons, which SQL Server lacks; every value is a bound parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

Key = tuple[Any, ...]


def key_columns(table: sa.Table, names: Sequence[str]) -> list[sa.Column[Any]]:
    return [table.c[n] for n in names]


def after(cols: Sequence[sa.Column[Any]], key: Key) -> sa.ColumnElement[bool]:
    """Rows whose key sorts after `key` in (col1, col2, ...) order: keyset pagination."""
    values = [sa.bindparam(None, v, type_=c.type) for c, v in zip(cols, key, strict=True)]
    clauses = []
    for i, col in enumerate(cols):
        equal = [cols[j] == values[j] for j in range(i)]
        clauses.append(sa.and_(*equal, col > values[i]))
    return sa.or_(*clauses)


def one_of(cols: Sequence[sa.Column[Any]], keys: Sequence[Key]) -> sa.ColumnElement[bool]:
    """Rows whose key is one of `keys` (an expanding IN for a single column)."""
    if len(cols) == 1:
        return cols[0].in_(sa.bindparam(None, [k[0] for k in keys], expanding=True,
                                        type_=cols[0].type))
    if not keys:
        return sa.false()
    return sa.or_(*(sa.and_(*(c == sa.bindparam(None, v, type_=c.type)
                              for c, v in zip(cols, k, strict=True))) for k in keys))


def equals(cols: Sequence[sa.Column[Any]]) -> tuple[sa.ColumnElement[bool], list[str]]:
    """`col1 = :_k0 AND col2 = :_k1 ...` and the parameter names, for executemany-style
    statements that bind each row's key."""
    names = [f"_k{i}" for i in range(len(cols))]
    clause = sa.and_(*(c == sa.bindparam(n, type_=c.type) for c, n in zip(cols, names,
                                                                            strict=True)))
    return clause, names


def as_key(value: Any, width: int) -> Key:
    """A caller's key as a tuple: a scalar for a one-column key, a sequence otherwise."""
    if width == 1 and not isinstance(value, tuple | list):
        return (value,)
    key = tuple(value) if isinstance(value, tuple | list) else (value,)
    if len(key) != width:
        raise ValueError(f"a key of this table has {width} column(s), not {len(key)}")
    return key


def public(key: Key) -> Any:
    """A key as callers and audit events see it: the value for one column, else a list."""
    return key[0] if len(key) == 1 else list(key)
