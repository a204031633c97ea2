"""Comparing a system's declared tables with its live SQL database.

`inspect_tables(system, url)` reads the database's catalogue (SQLAlchemy's inspector: table
names, columns, primary keys, unique constraints and indexes, nullability) and returns what does
not match the policy, each finding naming the table (and column) it is about:

- a declared table the database does not have;
- declared columns missing from the table, named with the database's own name for the table;
- a table without a primary key, unless the declared `primary_key: [..]` is a unique column
  set in the database;
- a declared key that differs from the database's primary key;
- a `NOT NULL` column that erasure would set to NULL (the erase would fail at run time).

`database_keys(url, names)` gives the primary-key columns of tables, for tables whose key the
policy (a Fides dataset) does not declare. Only the catalogue is read, never a row.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc

from steward.connectors.graph import build_graph
from steward.errors import InvalidInput, StewardError, Unavailable
from steward.policy.fides import with_keys
from steward.policy.models import EraseAction, SystemSpec, TableSpec
from steward.policy.report import Findings
from steward.policy.sources import Path_


@dataclass(frozen=True)
class Finding:
    """One mismatch; `table` is None for a finding about the whole system."""

    table: str | None
    message: str


@contextmanager
def _inspector(url: str, system: str) -> Iterator[Any]:
    parsed = sa.make_url(url)
    args: dict[str, Any] = {}
    if parsed.get_backend_name() in ("postgresql", "mysql", "mariadb"):
        args["connect_timeout"] = 5
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        if not str(parsed.database).startswith("file:") and not Path(parsed.database).exists():
            raise Unavailable(f"system {system!r}: its SQLite file does not exist")
    engine = sa.create_engine(parsed, connect_args=args)
    try:
        with engine.connect() as conn:
            yield sa.inspect(conn)
    except (sa_exc.OperationalError, sa_exc.InterfaceError) as err:
        # The driver's message may echo the URL or parameters: name the system only.
        raise Unavailable(f"system {system!r} is unavailable ({err.__class__.__name__})") from None
    finally:
        engine.dispose()


def _lookup(names: Iterable[str], wanted: str) -> str | None:
    """The database's name for `wanted`: exact, else the only case-insensitive match."""
    names = list(names)
    if wanted in names:
        return wanted
    folded = [n for n in names if n.lower() == wanted.lower()]
    return folded[0] if len(folded) == 1 else None


def database_keys(url: str, names: Iterable[str], *, system: str = "?") -> dict[str, list[str]]:
    """Primary-key columns of each named table that has one (tables missing are left out).
    Raises Unavailable when the database cannot be reached."""
    out: dict[str, list[str]] = {}
    with _inspector(url, system) as insp:
        present = insp.get_table_names()
        for name in names:
            real = _lookup(present, name)
            if real is None:
                continue
            cols = insp.get_pk_constraint(real).get("constrained_columns") or []
            if cols:
                out[name] = list(cols)
    return out


def nulled_columns(spec: TableSpec, structural: set[str]) -> list[str]:
    """Columns an erasure sets to NULL in rows it keeps: personal columns (fields with a
    category or an erase action, identity columns) whose action is `null`, structure apart."""
    overrides = {f.name: f.erase for f in spec.fields if f.erase is not None}
    cols = [f.name for f in spec.fields if f.category or f.erase]
    cols += [c for c in spec.identity_column_names if c not in cols]
    out = []
    for col in cols:
        if col in structural or col == spec.restriction_flag:
            continue
        action = overrides.get(col, spec.erase)
        if action is EraseAction.null:
            out.append(col)
    return out


def inspect_tables(system: SystemSpec, url: str) -> list[Finding]:
    """What the live database says about `system`'s declared tables. Raises Unavailable when
    the database cannot be reached, InvalidInput when the tables do not form a graph."""
    graph = build_graph(system)
    findings: list[Finding] = []
    with _inspector(url, system.key) as insp:
        present = insp.get_table_names()
        for spec in system.tables:
            real = _lookup(present, spec.name)
            if real is None:
                findings.append(Finding(spec.name, f"table {spec.name!r} is not in the database"))
                continue
            shown = real if real == spec.name else f"{real} (declared as {spec.name})"
            columns = {c["name"]: c for c in insp.get_columns(real)}
            # A key the dataset does not declare is a placeholder until read from here.
            skip = set(spec.key_columns) if spec.name in system.keys_from_database else set()
            missing = [c for c in _declared(graph, spec) if c not in columns and c not in skip]
            if missing:
                findings.append(Finding(
                    spec.name, f"table {shown} has no column(s) {', '.join(missing)}"
                ))
            findings += _key(system, spec, shown, insp, real, columns)
            structural = {*spec.key_columns}
            structural |= {e.child_field for e in graph.parents_of(spec.name)}
            structural |= {e.parent_column for e in graph.children_of(spec.name)}
            for col in nulled_columns(spec, structural):
                info = columns.get(col)
                if info is not None and not info.get("nullable", True):
                    findings.append(Finding(
                        spec.name,
                        f"column {shown}.{col} is NOT NULL, but erasure would set it to NULL: "
                        "give the field `erase: mask` or `erase: hash`, or erase the row",
                    ))
    return findings


def _declared(graph: Any, spec: TableSpec) -> list[str]:
    """The columns the policy makes Steward read in `spec`'s table (keys of any width)."""
    cols = [*spec.key_columns, *spec.identity_column_names]
    cols += [e.child_field for e in graph.parents_of(spec.name)]
    cols += [e.parent_column for e in graph.children_of(spec.name)]
    cols += [f.name for f in spec.fields]
    if spec.restriction_flag:
        cols.append(spec.restriction_flag)
    return list(dict.fromkeys(cols))


def _key(
    system: SystemSpec, spec: TableSpec, shown: str, insp: Any, real: str,
    columns: dict[str, Any],
) -> list[Finding]:
    pk = list(insp.get_pk_constraint(real).get("constrained_columns") or [])
    declared = list(spec.key_columns)
    if spec.name in system.keys_from_database:
        if not pk:
            return [Finding(spec.name, f"table {shown} has no primary key in the database and "
                                       "the dataset declares none: declare primary_key: [..]")]
        return []
    if not pk:
        unique = [list(u.get("column_names") or []) for u in insp.get_unique_constraints(real)]
        unique += [list(ix.get("column_names") or []) for ix in insp.get_indexes(real)
                   if ix.get("unique")]
        if isinstance(spec.primary_key, list) and any(set(u) == set(declared) for u in unique):
            return []
        return [Finding(spec.name, f"table {shown} has no primary key: declare a unique column "
                                   "set as primary_key: [..] (or add a key to the table)")]
    if pk != declared and not (set(pk) == set(declared) and len(pk) == len(declared)):
        return [Finding(spec.name, f"declared primary key {', '.join(declared)} differs from the "
                                   f"database's ({', '.join(pk)}) in table {shown}")]
    return []


def check_reachable(system: SystemSpec, url: str) -> None:
    """Raise Unavailable (with a reason safe to show) when the database does not answer."""
    with _inspector(url, system.key) as insp:
        insp.get_table_names()



def check_live(
    loaded: Any,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    offline: bool = False,
) -> Findings:
    """`steward policy validate`'s look at the databases: every SQL system of a loaded policy
    (`LoadedPolicy`) is inspected when its URL is set and answers; findings carry the file and
    line of the system or table in the policy. Unreachable is a warning ("not inspected"), never
    a pass. A table whose key must come from the database is an error when it cannot."""
    from steward.connectors.registry import connector_class, is_sql, resolve_url
    from steward.policy.report import Report

    r = Report(loaded.sources)
    for i, system in enumerate(loaded.policy.systems):
        try:
            sql = is_sql(connector_class(system.connector))
        except StewardError:
            continue  # an unknown connector: nothing to inspect here
        if not sql:
            continue
        paths = _table_paths(loaded, i, system)
        reason = "--offline" if offline else None
        if reason is None:
            try:
                url = resolve_url(system, env=env, base_dir=base_dir, policy_dir=loaded.base_dir)
                found = inspect_tables(with_keys(system, database_keys(
                    url, system.keys_from_database, system=system.key)), url)
            except (Unavailable, InvalidInput) as err:
                reason = err.detail
            else:
                for f in found:
                    r.error(paths.get(f.table or "", ("systems", i)), f.message)
                continue
        r.warn(("systems", i), f"not inspected: {reason}")
        for table in sorted(system.keys_from_database):
            r.error(paths[table], f"table {table!r}: the dataset declares no primary key and the "
                                  "database could not be read for it: declare primary_key")
    return r.findings


def _table_paths(loaded: Any, i: int, system: SystemSpec) -> dict[str, Path_]:
    """Where each table of a system is written: its entry under `tables`, else (tables read
    from a Fides dataset) the system's `fides_dataset` line."""
    declared = loaded.sources.data["systems"][i].get("tables") or []
    names = [t.get("name") for t in declared if isinstance(t, dict)]
    out: dict[str, Path_] = {}
    for t in system.tables:
        if t.name in names:
            out[t.name] = ("systems", i, "tables", names.index(t.name))
        else:
            out[t.name] = ("systems", i, "fides_dataset")
    return out
