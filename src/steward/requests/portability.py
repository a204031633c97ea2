"""What a portability package holds (GDPR Art. 20), and what it leaves out and why.

Art. 20(1): the data the subject *provided* (which includes what was *observed* of their use of
a service), processed by automated means under their consent or a contract with them
(Art. 20(1)(a)). Not what the company made (`derived`: invoices, scores) or its staff wrote
(`staff`: case notes, internal assessments), and not credentials (`secret`), nor data from
systems processed on another basis. `select` keeps, per table, the portable fields and the key
columns that link rows; `explain` lists what was included and left out for the letter and report.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from steward.policy.models import LegalBasis, Policy, TableSpec

Rows = list[dict[str, Any]]

# Why something is left out; the letters word each reason in the subject's language.
BASIS, SECRET = "basis", "secret"


def portable_systems(policy: Policy) -> set[str]:
    """Art. 20(1)(a): systems of activities processed under consent or contract (6(1)(a)/(b))."""
    out: set[str] = set()
    for act in policy.processing_activities:
        bases = {b for p in act.purposes for b in policy.purpose(p).legal_bases}
        if bases & {LegalBasis.consent, LegalBasis.contract}:
            out |= set(act.systems)
    return out


def _links(table: TableSpec) -> set[str]:
    return set(table.key_columns) | {c for r in table.references for c in r.fields}


def portable_fields(table: TableSpec) -> list[str]:
    return [f.name for f in table.fields if f.portable and not f.secret]


def select(policy: Policy, system: str, data: dict[str, Rows]) -> dict[str, Rows]:
    """The exported tables of `system` cut to what is portable: tables with no portable field
    are dropped; rows keep the portable fields and the key columns linking them."""
    out: dict[str, Rows] = {}
    for table in policy.system(system).tables:
        if table.name not in data:
            continue
        fields = portable_fields(table)
        if not fields:
            continue
        keep = set(fields) | _links(table)
        out[table.name] = [{k: v for k, v in r.items() if k in keep} for r in data[table.name]]
    return out


def explain(
    policy: Policy, found: Mapping[str, Iterable[str]], exported: dict[str, dict[str, Rows]]
) -> dict[str, list[dict[str, Any]]]:
    """`included`: system, table, fields, rows; `left_out`: system, table, fields, reason
    (`basis`, `secret`, `derived` or `staff`). `found` is system -> tables where the
    subject's rows were found."""
    included: list[dict[str, Any]] = []
    left_out: list[dict[str, Any]] = []
    allowed = portable_systems(policy)
    for system, tables in found.items():
        spec = policy.system(system)
        for table in spec.tables:
            if table.name not in set(tables):
                continue
            if system not in allowed:
                left_out.append(_gap(system, table.name, [f.name for f in table.fields], BASIS))
                continue
            rows = exported.get(system, {}).get(table.name)
            if rows is not None:
                included.append(
                    {
                        "system": system,
                        "table": table.name,
                        "fields": portable_fields(table),
                        "rows": len(rows),
                    }
                )
            by_reason: dict[str, list[str]] = {}
            for f in table.fields:
                reason = SECRET if f.secret else None if f.portable else f.source.value
                if reason:
                    by_reason.setdefault(reason, []).append(f.name)
            for reason, names in by_reason.items():
                left_out.append(_gap(system, table.name, names, reason))
    return {"included": included, "left_out": left_out}


def _gap(system: str, table: str, fields: list[str], reason: str) -> dict[str, Any]:
    return {"system": system, "table": table, "fields": fields, "reason": reason}
