"""The Connector protocol and the plain values it takes and returns.

A connector reaches one company system (`SystemSpec`). Everything it returns is plain data,
JSON-safe, and free of personal data in its `repr` where it carries values to write
(`Statement.params` is hidden). The lifecycle of a data-subject request over one system:

    records = conn.find({"email": ["ada@example.com"]})     # rows per table, pks, identities
    package = conn.export(records)                           # JSON-safe rows (Art. 15 / 20)
    plan = conn.plan_erasure(records, keep=hook)             # what to run, nothing run yet
    print(plan.dry_run())                                    # SQL with placeholders, no values
    counts = conn.apply(plan)                                # one transaction per system
"""

from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, Protocol, runtime_checkable

from steward.policy.models import SystemSpec, TableSpec

Row = dict[str, Any]
"""One row: column -> JSON-safe value (str, int, float, bool, None)."""

KeyTuple = tuple[Any, ...]
"""A row's primary key as a tuple of JSON-safe values, one per key column (in order)."""

PkValue = str | int | tuple[Any, ...]
"""A row's key as callers see it: the value for a one-column key, the tuple (a JSON list when
serialized) for a composite key."""
Identities = Mapping[str, Iterable[str]]
"""Identity type (email, phone, customer_number, national_id, ...) -> values."""

KeepHook = Callable[[TableSpec, Row], str | None]
"""Called per row by `plan_erasure`: a reason to keep the row (e.g. "Art. 17(3)(b):
bookkeeping rule, kept until 2036-12-31"), or None to erase it."""


# The types most values read from a database have, which JSON holds as they are: tested by
# exact type first (a set lookup), before the isinstance chain below.
_PLAIN = frozenset({type(None), bool, int, float, str})


def json_safe(value: Any) -> Any:
    """A database value as JSON: dates as ISO 8601, decimals as strings (exact), bytes base64."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, bool | int | float | str):  # subclasses (an IntEnum, a str enum)
        return value
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    return str(value)


def normalize_identities(identities: Identities) -> dict[str, list[str]]:
    """Identity values as sorted, de-duplicated, stripped strings; empty values dropped."""
    out: dict[str, list[str]] = {}
    for kind, values in identities.items():
        if isinstance(values, str):  # a lone string is one value, not its characters
            values = [values]
        clean = sorted({str(v).strip() for v in values if v is not None and str(v).strip()})
        if clean:
            out[kind] = clean
    return out


def plain_key(key: KeyTuple) -> PkValue:
    """A key tuple as callers see it: the lone value of a one-column key, else the tuple."""
    return key[0] if len(key) == 1 else tuple(key)


def key_tuple(value: Any, columns: tuple[str, ...]) -> KeyTuple:
    """A key given by a caller (the value, a list/tuple, or a JSON list in a string such as
    '["ord_1", 2]') as a tuple matching `columns`; InvalidInput when its length differs."""
    from steward.errors import InvalidInput

    if isinstance(value, str) and value.strip().startswith("[") and len(columns) > 1:
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput(f"key {value!r} is not a JSON list") from None
    parts = tuple(value) if isinstance(value, list | tuple) else (value,)
    if len(parts) != len(columns):
        raise InvalidInput(
            f"the key has {len(parts)} value(s) but the table's key is "
            f"({', '.join(columns)}): give one value per key column"
        )
    return parts


def _columns(cols: tuple[str, ...] | str) -> tuple[str, ...]:
    return (cols,) if isinstance(cols, str) else tuple(cols)


@dataclass
class SubjectRecords:
    """What one system holds about one subject.

    `tables`: table -> rows found (declared columns only, JSON-safe). `primary_keys`: table ->
    its key columns as a tuple (one column, or several for a composite key; a plain string
    given here is read as one column). Rows are identified by key tuples (`key_of`, `keys`);
    `pks` gives the simple form (a value per row for one-column keys). `identities`: every
    identity value known after the search — the ones asked for plus those discovered in the
    rows (e.g. a customer number found by e-mail). Run other systems again with
    `new_identities(asked)` until it is empty.
    """

    system: str
    tables: dict[str, list[Row]] = field(default_factory=dict)
    primary_keys: dict[str, tuple[str, ...] | str] = field(default_factory=dict)
    identities: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # Stored as tuples whatever was given: read them through `key_columns`.
        self.primary_keys = {t: _columns(cols) for t, cols in self.primary_keys.items()}

    def key_columns(self, table: str) -> tuple[str, ...]:
        return _columns(self.primary_keys[table])

    def key_of(self, table: str, row: Row) -> KeyTuple:
        """The key tuple of one found row of `table`."""
        return tuple(row[c] for c in self.key_columns(table))

    def keys(self, table: str) -> list[KeyTuple]:
        """The key tuples of the rows found in `table`."""
        return [self.key_of(table, row) for row in self.tables.get(table, [])]

    def pks(self, table: str) -> list[PkValue]:
        """The keys of the rows found in `table` in their simple form (see `plain_key`)."""
        return [plain_key(k) for k in self.keys(table)]

    def count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())

    def is_empty(self) -> bool:
        return self.count() == 0

    def new_identities(self, asked: Identities) -> dict[str, list[str]]:
        """Identity values found here that were not in `asked`."""
        known = normalize_identities(asked)
        out: dict[str, list[str]] = {}
        for kind, values in self.identities.items():
            extra = sorted(set(values) - set(known.get(kind, [])))
            if extra:
                out[kind] = extra
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "system": self.system,
            "tables": self.tables,
            "primary_keys": {t: list(self.key_columns(t)) for t in self.primary_keys},
            "identities": self.identities,
        }


@dataclass(frozen=True)
class Statement:
    """One change to run, kept apart from running it.

    `sql` is the statement text with bound-parameter placeholders (for HTTP systems the method
    and path template); it never contains a value. `params` holds one parameter set per
    execution (primary keys, new values) and is hidden from `repr` because new values may be
    personal data (e.g. a pseudonym). `rows` is how many rows the statement targets.
    """

    system: str
    table: str
    op: Literal["delete", "update"]
    sql: str
    columns: tuple[str, ...] = ()  # updates: columns set to bound values
    nulls: tuple[str, ...] = ()  # updates: columns set to NULL
    actions: tuple[tuple[str, str], ...] = ()  # (column, erase action) for updates
    rows: int = 0
    params: tuple[dict[str, Any], ...] = field(default=(), repr=False)


@dataclass(frozen=True)
class KeptRow:
    """A row the erasure leaves alone, and why (e.g. Art. 17(3)(b) bookkeeping)."""

    table: str
    pk: PkValue
    reason: str


@dataclass(frozen=True)
class ErasurePlan:
    """The statements an erasure would run on one system, in order, and the rows it keeps."""

    system: str
    statements: tuple[Statement, ...] = ()
    kept: tuple[KeptRow, ...] = ()
    notes: tuple[str, ...] = ()
    """Why rows are rewritten instead of deleted (shared with others' rows, Art. 17 covers
    the subject's data only) and values left because the column is NOT NULL: no values."""

    def is_empty(self) -> bool:
        return not self.statements

    def dry_run(self) -> str:
        """Human-readable plan: each statement with placeholders and its row count, then the
        kept rows with their reasons. Safe to log: it holds no personal values."""
        lines = [f"-- erasure plan for system {self.system}"]
        for st in self.statements:
            what = f"{st.op} {st.rows} row(s)"
            if st.actions:
                what += " (" + ", ".join(f"{c}: {a}" for c, a in st.actions) + ")"
            lines.append(f"-- {st.table}: {what}")
            lines.append(st.sql.strip() + ";")
        # Kept rows are counted, not listed: a key may hold personal data (an e-mail column).
        kept: dict[tuple[str, str], int] = {}
        for k in self.kept:
            kept[(k.table, k.reason)] = kept.get((k.table, k.reason), 0) + 1
        for (table, reason), n in kept.items():
            lines.append(f"-- kept {table}: {n} row(s): {reason}")
        for note in self.notes:
            lines.append(f"-- note: {note}")
        return "\n".join(lines)


@dataclass(frozen=True)
class Counts:
    """Rows a statement (or a whole plan) changed in one table."""

    deleted: int = 0
    updated: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.deleted + other.deleted, self.updated + other.updated)

    @property
    def total(self) -> int:
        return self.deleted + self.updated

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class Rectification:
    """Art. 16: the values of the changed columns before and after."""

    table: str
    pk: PkValue
    old: Row
    new: Row


@runtime_checkable
class Connector(Protocol):
    """What every connector offers. Implementations are registered under the
    `steward.connectors` entry-point group and constructed as
    `cls(system, url=..., env=..., base_dir=...)` by `steward.connectors.registry`.

    All methods raise `steward.errors.Unavailable` when the system cannot be reached (retry
    later), `steward.errors.SystemRefused` when it answers with a refusal that waiting will not
    change (do not retry), and `steward.errors.InvalidInput` when the policy does not match the
    system (unknown table or column) or when the arguments are wrong.
    """

    system: SystemSpec

    def ping(self) -> None:
        """Return if the system answers; raise Unavailable otherwise."""
        ...

    def find(self, identities: Identities) -> SubjectRecords:
        """Rows per table about the subject, following references down from the tables with
        identity columns, and every identity value seen (see `SubjectRecords`)."""
        ...

    def export(
        self, records: SubjectRecords, *, portable_only: bool = False
    ) -> dict[str, list[Row]]:
        """The subject's data, table -> JSON-safe rows (Art. 15). With `portable_only`, only
        fields the subject provided or that were observed (Art. 20(1))."""
        ...

    def plan_erasure(
        self, records: SubjectRecords, *, keep: KeepHook | None = None, salt: str = ""
    ) -> ErasurePlan:
        """What erasing `records` would run (see `steward.connectors.erasure`); nothing runs."""
        ...

    def apply(self, plan: ErasurePlan) -> dict[str, Counts]:
        """Run a plan in one transaction (SQL) and return the rows changed per table.
        Running the same plan again changes nothing and returns zero counts."""
        ...

    def rectify(self, table: str, pk: PkValue, changes: Mapping[str, Any]) -> Rectification:
        """Art. 16: set declared fields of one row; return their old and new values. `pk` is
        the key value, or for a composite key a list/tuple (or a JSON list) in key order."""
        ...

    def set_restriction(self, records: SubjectRecords, on: bool) -> dict[str, int]:
        """Art. 18: set the `restriction_flag` column of the found rows in the tables that
        have one; return rows changed per such table."""
        ...

    def close(self) -> None:
        """Release connections."""
        ...
