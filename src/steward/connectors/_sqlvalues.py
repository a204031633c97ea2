"""Values between JSON and a SQL column: coercion to the column's Python type, ISO dates back
to dates, and the key used to re-match identities exactly. Private to the SQL connector."""

from __future__ import annotations

import datetime as dt
import decimal
from typing import Any

import sqlalchemy as sa

from steward.connectors.base import json_safe


def typed_params(
    table: sa.Table,
    keycols: tuple[str, ...],
    cols: tuple[str, ...],
    params: dict[str, Any],
    *,
    sqlite: bool = False,
) -> dict[str, Any]:
    """An update's parameter set for the database: the key (`pk`: a value, or a list/tuple
    for a composite key) as `pk_0..n` of the columns' types, new values typed."""
    out = {k: v for k, v in params.items() if k != "pk"}
    pk = params["pk"]
    key = db_key(
        table, keycols, tuple(pk) if isinstance(pk, list | tuple) else (pk,), sqlite=sqlite
    )
    for i, v in enumerate(key):
        out[f"pk_{i}"] = v
    for i, c in enumerate(cols):
        out[f"new_{i}"] = to_db(table.c[c], out[f"new_{i}"])
    return out


def db_key(
    table: sa.Table, keycols: tuple[str, ...], key: tuple[Any, ...], *, sqlite: bool = False
) -> tuple[Any, ...]:
    """A key tuple as read from JSON (ISO dates, numbers as text) in the columns' own types;
    ValueError when a value cannot be one. On SQLite a date-time is compared as text (see
    `sqlite_text_time`), so it is given as that text."""
    if len(key) != len(keycols):
        raise ValueError("key length differs from the key columns")
    out = []
    for c, v in zip(keycols, key, strict=True):
        value = to_db(table.c[c], coerce(table.c[c], v))
        if sqlite and isinstance(value, dt.datetime):
            value = value.strftime(SQLITE_TIME_PY)[:23]
        out.append(value)
    return tuple(out)


SQLITE_TIME_SQL = "%Y-%m-%d %H:%M:%f"
SQLITE_TIME_PY = "%Y-%m-%d %H:%M:%S.%f"


def sqlite_text_time(col: Any) -> Any:
    """SQLite keeps a date-time as text in whatever form it was written ('2021-01-06 01:00:00'
    by a script, with microseconds by SQLAlchemy, or with a 'T'): compare it normalized to
    milliseconds, `strftime('%Y-%m-%d %H:%M:%f', col)`, against the same text of the value."""
    return sa.func.strftime(SQLITE_TIME_SQL, col)


_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off", ""}


def as_bool(value: Any) -> Any:
    """A yes/no value as stored by any database (TINYINT(1) 0/1, 't'/'f', 'yes'/'no', a real
    boolean) as True/False; None stays None. The string "0" is False, never truthy. A value
    that is no yes/no at all is returned unchanged."""
    if value is None or isinstance(value, bool):
        return value
    if isinstance(value, int | float | decimal.Decimal):
        return value != 0
    if isinstance(value, bytes):  # MySQL BIT(1)
        return any(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return value


def bool_as(col: sa.Column[Any], value: bool) -> Any:
    """True/False as the column stores yes/no: a boolean, 1/0 in a number column (a MariaDB
    TINYINT(1), a PostgreSQL SMALLINT, which refuses to compare with a boolean), '1'/'0' in a
    text column."""
    kind = python_type(col)
    if kind is int:
        return int(value)
    if kind is decimal.Decimal:
        return decimal.Decimal(int(value))
    if kind is str:
        return "1" if value else "0"
    return value


def read_value(value: Any, boolean: bool = False) -> Any:
    """A value read from a row, the same on every database: yes/no columns as booleans,
    dates as ISO 8601, decimals as exact strings (see `json_safe`)."""
    return json_safe(as_bool(value) if boolean else value)


def python_type(col: sa.Column[Any] | None) -> type | None:
    if col is None:
        return None
    try:
        return col.type.python_type
    except NotImplementedError:
        return None


def coerce(col: sa.Column[Any] | None, value: Any) -> Any:
    """A value as the column's Python type; ValueError when it cannot be one."""
    kind = python_type(col)
    if value is None or kind is None or isinstance(value, kind):
        return value
    if kind is int and not isinstance(value, bool):
        return int(str(value).strip())
    if kind is str:
        return str(value)
    return value


def coerce_all(col: sa.Column[Any], values: Any) -> set[Any]:
    """Values that can be compared with the column; others cannot match and are dropped (an
    identity 'abc' never matches an integer column, and must not make the query fail)."""
    out = set()
    for v in values:
        try:
            out.add(coerce(col, v))
        except (ValueError, TypeError):
            continue
    return out


def to_db(col: sa.Column[Any], value: Any) -> Any:
    """A JSON value for writing: ISO strings become dates for date/time columns."""
    kind = python_type(col)
    if isinstance(value, str) and kind is dt.datetime:
        return dt.datetime.fromisoformat(value)
    if isinstance(value, str) and kind is dt.date:
        return dt.date.fromisoformat(value)
    if isinstance(value, str) and kind is dt.time:
        return dt.time.fromisoformat(value)
    if isinstance(value, str) and kind is decimal.Decimal:
        return decimal.Decimal(value)
    return value


def exact_key(value: Any) -> Any:
    """Comparison key for exact matching across drivers (ints and strings stay distinct)."""
    value = json_safe(value)
    return value.strip() if isinstance(value, str) else value
