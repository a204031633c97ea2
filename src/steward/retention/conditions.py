"""A rule's `condition` as one SQL expression: columns, comparisons, all/any/not, and consent
states read from Steward's own ledger. Pure apart from the tables it is given.

Every part compiles to a two-valued expression (true or false, never SQL NULL), so that `not`
means what it says: a person whose yes/no column is empty has not said yes, and `not` of that
is true. A column is read by its meaning:
- a yes/no column (BOOLEAN, or MariaDB/MySQL TINYINT(1), which stores false as 0) is true only
  when it holds true: `flag IS NOT NULL AND flag <> 0` on MariaDB, `flag IS true` elsewhere;
- any other column is true when it holds a value.
A consent part is true for the rows whose identity value (e.g. e-mail) has that state in the
ledger; those values are looked up beforehand (`consentstate.py`) and travel as a bound list.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql
from sqlalchemy.sql.elements import ColumnElement

from steward.errors import InvalidInput
from steward.policy.models import Condition, ConsentCondition

AnyCondition = str | Condition
ConsentKey = tuple[str, str]  # (purpose, identity type)
# Per consent key: the identity values whose state is "given", and those with any other
# recorded decision ("withdrawn"); a value in neither list has no decision ("none").
ConsentValues = Mapping[ConsentKey, Mapping[str, Sequence[Any]]]


def leaves(cond: AnyCondition | None) -> Iterator[str | ConsentCondition]:
    """The columns ("table.column" as written) and consent parts of `cond`, in order."""
    if cond is None:
        return
    if isinstance(cond, str):
        yield cond
    elif cond.column is not None:
        yield cond.column
    elif cond.consent is not None:
        yield cond.consent
    else:
        parts: list[AnyCondition | None] = [*(cond.all or cond.any or []), cond.not_]
        for part in parts:
            yield from leaves(part)


def column_refs(cond: AnyCondition | None, default_table: str) -> list[tuple[str, str]]:
    """(table, column) of every column part; a bare column is on `default_table`."""
    out = []
    for leaf in leaves(cond):
        if isinstance(leaf, str):
            table, _, column = leaf.rpartition(".")
            out.append((table or default_table, column))
    return out


def consent_parts(cond: AnyCondition | None) -> list[ConsentCondition]:
    return [leaf for leaf in leaves(cond) if isinstance(leaf, ConsentCondition)]


def consent_key(c: ConsentCondition) -> ConsentKey:
    return (c.purpose, c.identity)


def is_yes_no(column: sa.ColumnElement[Any]) -> bool:
    """A yes/no column by its declared type: BOOLEAN, or TINYINT(1) as MariaDB and MySQL
    declare booleans (and report back on reflection)."""
    t = column.type
    if isinstance(t, sa.Boolean):
        return True
    return isinstance(t, mysql.TINYINT) and getattr(t, "display_width", None) == 1


def yes(column: sa.ColumnElement[Any]) -> ColumnElement[bool]:
    """The column holds yes, read by its type: true for BOOLEAN, non-zero for numbers (a
    TINYINT(1), or 0/1 in an INTEGER), "1", "t", "true", "y" or "yes" for text."""
    t = column.type
    if isinstance(t, sa.Boolean):
        return column.is_(True)
    if isinstance(t, sa.Integer | sa.Numeric):
        return sa.and_(column.is_not(None), column != 0)
    if isinstance(t, sa.String):
        return sa.and_(column.is_not(None),
                       sa.func.lower(column).in_(["1", "t", "true", "y", "yes"]))
    return column.is_not(None)


def truthy(column: sa.ColumnElement[Any]) -> ColumnElement[bool]:
    """The column form: yes for a yes/no column, holds a value for the others."""
    return yes(column) if is_yes_no(column) else column.is_not(None)


def _values(values: Sequence[Any]) -> sa.BindParameter[Any]:
    return sa.bindparam(None, list(values), expanding=True, unique=True)


_OPS = {"eq": "__eq__", "ne": "__ne__", "lt": "__lt__", "le": "__le__", "gt": "__gt__",
        "ge": "__ge__"}


def compare(column: sa.ColumnElement[Any], op: str, value: Any) -> ColumnElement[bool]:
    """`column op value`, false (not unknown) where the column is empty. A column compared
    with true/false is read as yes/no (`yes`): 0 is false in MariaDB's TINYINT(1) or an
    INTEGER flag, 'f' in PostgreSQL's BOOLEAN."""
    if isinstance(value, bool) and op in ("eq", "ne"):
        # Comparing with true/false declares the column a yes/no column, whatever its type.
        said_yes = yes(column)
        want = said_yes if value else sa.not_(said_yes)
        return want if op == "eq" else sa.not_(want)
    bound: sa.BindParameter[Any] = sa.bindparam(None, value, unique=True)
    expr: ColumnElement[bool] = getattr(column, _OPS[op])(bound)
    return sa.and_(column.is_not(None), expr)


def compile_condition(
    cond: AnyCondition,
    *,
    column: Any,  # (table, column) -> sa.Column
    default_table: str,
    identity_column: Any,  # identity type -> sa.Column of the rule table
    consent: ConsentValues,
) -> ColumnElement[bool]:
    """`cond` as one two-valued SQL expression (see the module docstring)."""

    def col(ref: str) -> sa.ColumnElement[Any]:
        table, _, name = ref.rpartition(".")
        result: sa.ColumnElement[Any] = column(table or default_table, name)
        return result

    def walk(c: AnyCondition) -> ColumnElement[bool]:
        if isinstance(c, str):
            return truthy(col(c))
        if c.column is not None:
            if c.op is None:
                return truthy(col(c.column))
            return compare(col(c.column), c.op, c.value)
        if c.all is not None:
            return sa.and_(*(walk(p) for p in c.all))
        if c.any is not None:
            return sa.or_(*(walk(p) for p in c.any))
        if c.not_ is not None:
            return sa.not_(walk(c.not_))
        assert c.consent is not None
        key = consent_key(c.consent)
        if key not in consent:
            raise InvalidInput(
                f"the condition on consent purpose {c.consent.purpose!r} needs Steward's "
                "consent ledger: run it where the store is available"
            )
        ident: sa.ColumnElement[Any] = identity_column(c.consent.identity)
        known = consent[key]
        if c.consent.state == "none":
            # No decision recorded: every value outside both lists, and rows without one.
            decided = [*known["given"], *known["withdrawn"]]
            return sa.or_(ident.is_(None), ident.not_in(_values(decided)))
        return sa.and_(ident.is_not(None), ident.in_(_values(known[c.consent.state])))

    return walk(cond)
