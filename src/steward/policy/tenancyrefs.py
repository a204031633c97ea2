"""Checks of the processor roles' systems and each controller's scope in them.

Every controller scope must name a system of its role, tables of that system and tenant columns
the table declares (key, identity, field, reference or restriction flag), and every table of a
tenant-scoped system must either carry a tenant condition or reach one through its references:
otherwise an assisted request could not keep one controller's rows from another's
(Art. 28(3)(e)). Controller keys are unique across roles.
"""

from __future__ import annotations

from steward.policy.models import ControllerScope, Policy, SystemSpec
from steward.policy.report import Report
from steward.policy.sources import Path_
from steward.policy.tablerefs import table_columns


def check_controllers(policy: Policy, r: Report, data: dict[str, int]) -> None:
    keys: dict[str, Path_] = {}
    for i, role in enumerate(policy.processor_roles):
        rpath: Path_ = ("processor_roles", i)
        systems = r.unique(role.systems, (*rpath, "systems"))
        taken = {s.key for s in policy.systems} & set(systems)
        for key in sorted(taken):
            r.error(
                (*rpath, "systems", systems[key], "key"),
                f"system key {key!r} is also one of the company's own systems: use another",
            )
        for j, spec in enumerate(role.systems):
            spath = (*rpath, "systems", j)
            r.unique(spec.tables, (*spath, "tables"), "name")
            cols = {t.name: table_columns(t) for t in spec.tables}
            for t, table in enumerate(spec.tables):
                for f, field in enumerate(table.fields):
                    if field.category is not None:
                        r.known(
                            field.category,
                            data,
                            (*spath, "tables", t, "fields", f, "category"),
                            "data category",
                        )
                for k, ref in enumerate(table.references):
                    path = (*spath, "tables", t, "references", k, "to")
                    if r.known(ref.target_table, cols, path, f"table in system {spec.key!r}"):
                        for col in ref.target_columns:
                            r.known(
                                col,
                                cols[ref.target_table],
                                path,
                                f"column of table {ref.target_table!r}",
                            )
        for j, c in enumerate(role.controllers):
            cpath = (*rpath, "controllers", j)
            if c.key is not None:
                if c.key in keys:
                    r.error(
                        (*cpath, "key"),
                        f"duplicate controller key {c.key!r} "
                        f"(first at {r.where((*keys[c.key], 'key'))})",
                    )
                else:
                    keys[c.key] = cpath
            elif c.scope:
                r.error(
                    (*cpath, "scope"),
                    "a controller with a scope needs a key (assisted "
                    "requests, API keys and the portal name it)",
                )
            seen: set[str] = set()
            for k, sc in enumerate(c.scope):
                path = (*cpath, "scope", k)
                if not r.known(sc.system, systems, (*path, "system"), "system of the role"):
                    continue
                if sc.system in seen:
                    r.error((*path, "system"), f"system {sc.system!r} is scoped twice")
                seen.add(sc.system)
                for n, key in enumerate(sc.data_categories):
                    r.known(key, data, (*path, "data_categories", n), "data category")
                _scope(role.systems[systems[sc.system]], sc, r, path)


def _scope(spec: SystemSpec, sc: ControllerScope, r: Report, path: Path_) -> None:
    cols = {t.name: table_columns(t) for t in spec.tables}
    for name, cond in sc.tables.items():
        if not r.known(name, cols, (*path, "tables", name), f"table in system {spec.key!r}"):
            continue
        if cond is not None:
            r.known(
                cond.column,
                cols[name],
                (*path, "tables", name, "column"),
                f"column of table {name!r} (declare it as a field)",
            )
    if sc.tenant is not None:
        lacking = [
            t.name
            for t in spec.tables
            if t.name not in sc.tables and sc.tenant.column not in cols[t.name]
        ]
        if lacking:
            r.error(
                (*path, "tenant", "column"),
                f"table(s) {', '.join(map(repr, lacking))} declare no column "
                f"{sc.tenant.column!r}: declare it as a field, or give each table its own "
                "entry under `tables`",
            )
    if sc.url_env or sc.url_file or (sc.tenant is None and not sc.tables):
        return
    scoped = {t.name for t in spec.tables if sc.tenant_of(t.name) is not None}
    # A table without a tenant column is reached only through references from scoped rows.
    reach = set(scoped)
    grew = True
    while grew:
        grew = False
        for t in spec.tables:
            if t.name not in reach and any(ref.target_table in reach for ref in t.references):
                reach.add(t.name)
                grew = True
    for t in spec.tables:
        if t.name not in reach:
            r.error(
                (*path, "tables", t.name) if t.name in sc.tables else (*path, "system"),
                f"table {t.name!r} has no tenant column and no reference leading to a table "
                "that has one: this controller's rows in it cannot be told apart",
            )
