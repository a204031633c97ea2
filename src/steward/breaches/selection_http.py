"""Selecting the records a breach touched in an HTTP system (a SaaS tool's JSON API), through
the connectors' `HttpConnector` — the same client, token handling, timeouts and exact
re-matching a data-subject request uses.

An API answers only the questions it has endpoints for. The policy's `lookup` endpoint finds
records by an identity value and `export` fetches one record by id, so a breach in an HTTP
system is selected by ids and/or identity values (both given: a record must match both, as
in SQL systems; several identity values: any of them). A time window or a filter would need a
listing the API does not offer (Steward would have to download every record to apply it), so
both are refused with a clear error rather than emulated.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from steward.breaches.selection_sql import Group, Query
from steward.connectors.base import SubjectRecords, json_safe
from steward.connectors.http import HttpConnector
from steward.connectors.registry import connector_for
from steward.errors import InvalidInput
from steward.policy.models import SystemSpec, TableSpec


def http_groups(
    system: SystemSpec, q: Query, *, base_dir: Path | None = None,
    policy_dir: Path | None = None,
) -> Iterator[Group]:
    """One group per selected record (address, country, 1), records de-duplicated by id."""
    spec = _check(system, q)
    conn = connector_for(system, base_dir=base_dir, policy_dir=policy_dir)
    try:
        if not isinstance(conn, HttpConnector):
            raise InvalidInput(f"system {system.key!r} is not served by the HTTP connector")
        rows: dict[object, dict[str, object]] = {}
        pk = spec.key_columns[0]  # one column: `_check` refuses composite keys over HTTP
        if q.identities:
            found = conn.find({kind: list(values) for kind, values in q.identities})
            # Both criteria must hold, as in SQL systems: ids narrow what the lookup found.
            ids = {str(json_safe(i)) for i in q.ids}
            for row in found.tables.get(spec.name, []):
                if not ids or str(row[pk]) in ids:
                    rows.setdefault(row[pk], row)
        else:
            for row in _by_ids(conn, spec.name, pk, q.ids):
                rows.setdefault(row[pk], row)
    finally:
        conn.close()
    email_col = spec.identity_column("email")
    for row in rows.values():
        email = row.get(email_col) if email_col else None
        country = row.get(q.country_column) if q.country_column else None
        yield _text(email), _text(country), 1


def _check(system: SystemSpec, q: Query) -> TableSpec:
    """The system's one table, after refusing what its API cannot answer."""
    if system.endpoints is None or len(system.tables) != 1:
        raise InvalidInput(f"system {system.key!r}: an HTTP system needs `endpoints` and one table")
    spec = system.tables[0]
    if len(spec.key_columns) != 1:
        raise InvalidInput(f"system {system.key!r}: an HTTP system's table needs a one-column key")
    if q.table != spec.name:
        raise InvalidInput(f"system {system.key!r} has no table {q.table!r} (it has {spec.name})")
    if q.since or q.until or q.date_column:
        raise InvalidInput(
            f"System {system.key!r} is reached over HTTP and its API cannot select by time: "
            "give ids or identity values (e.g. the e-mail addresses in the leaked file)."
        )
    if q.filters:
        raise InvalidInput(
            f"System {system.key!r} is reached over HTTP and its API cannot filter: give ids "
            "or identity values."
        )
    if not q.ids and not q.identities:
        raise InvalidInput(f"Give ids or identity values to select in system {system.key!r}.")
    if q.ids and not q.identities and not system.endpoints.export:
        raise InvalidInput(
            f"System {system.key!r} has no `export` endpoint to fetch records by id: give "
            "identity values."
        )
    for kind, _ in q.identities:
        if kind not in spec.identities:
            known = ", ".join(sorted(spec.identities)) or "none"
            raise InvalidInput(
                f"{spec.name} in system {system.key!r} has no {kind!r} identity (it has: {known})"
            )
    declared = {*spec.key_columns, *spec.identity_column_names, *(f.name for f in spec.fields)}
    if q.country_column and q.country_column not in declared:
        raise InvalidInput(
            f"{spec.name}.{q.country_column} is not a field the policy declares for system "
            f"{system.key!r}; only declared fields can be selected"
        )
    return spec


def _by_ids(
    conn: HttpConnector, table: str, pk: str, ids: Sequence[object],
) -> list[dict[str, object]]:
    """Records by id through the `export` endpoint; ids the API does not know are skipped."""
    wanted = list(dict.fromkeys(json_safe(i) for i in ids))
    records = SubjectRecords(system=conn.system.key, tables={table: [{pk: i} for i in wanted]},
                             primary_keys={table: pk}, identities={})
    return list(conn.export(records).get(table, []))


def _text(value: object) -> str | None:
    if value is None:
        return None
    s = (value if isinstance(value, str) else str(value)).strip()
    return s or None
