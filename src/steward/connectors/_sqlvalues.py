"""Values between JSON and a SQL column: coercion to the column's Python type, ISO dates back
to dates, and the key used to re-match identities exactly. Private to the SQL connector."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa

from steward.connectors.base import json_safe


def typed_params(
    table: sa.Table, pk: str, cols: tuple[str, ...], params: dict[str, Any]
) -> dict[str, Any]:
    out = dict(params)
    out["pk"] = coerce(table.c[pk], out["pk"])
    for i, c in enumerate(cols):
        out[f"new_{i}"] = to_db(table.c[c], out[f"new_{i}"])
    return out


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
    return value


def exact_key(value: Any) -> Any:
    """Comparison key for exact matching across drivers (ints and strings stay distinct)."""
    value = json_safe(value)
    return value.strip() if isinstance(value, str) else value
