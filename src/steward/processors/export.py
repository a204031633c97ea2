"""The processor register as data (GDPR Art. 28, Art. 30(1)(d)): one row per processor and
sub-processor with its DPA, transfer safeguard, the activities listing it, and its DPA alerts;
as CSV (for a spreadsheet) or JSON. The Art. 30(2) record is `steward.processors.record`."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from steward.errors import InvalidInput
from steward.policy.models import Policy
from steward.processors.alerts import dpa_alerts
from steward.processors.register import Entry, register

CSV_FIELDS: tuple[tuple[str, str], ...] = (
    ("ref", "Key"), ("name", "Processor"), ("parent", "Sub-processor of"),
    ("service", "Service"), ("country", "Country"),
    ("transfer_mechanism", "Transfer mechanism (Arts. 44-46)"),
    ("data_categories", "Categories of personal data"), ("systems", "Systems"),
    ("dpa_signed", "DPA signed (Art. 28(3))"), ("dpa_reference", "DPA document"),
    ("dpa_review_due", "DPA review due"), ("activities", "Activities (Art. 30(1)(d))"),
    ("added", "Added"), ("removed", "Removed"), ("alerts", "Alerts"),
)


def register_rows(session: Session, policy: Policy, today: date) -> list[dict[str, Any]]:
    """Every entry as a dict (`Entry.to_dict`) with `ref`, readable category and activity
    names, and the list of its DPA alerts (`level`, `message`)."""
    entries = register(session, policy)
    alerts: dict[str, list[dict[str, str]]] = {}
    for a in dpa_alerts(entries, today):
        alerts.setdefault(a.ref, []).append({"level": a.level, "message": a.message})
    cats = {c.key: policy.text(c.name) for c in policy.data_categories}
    acts = {a.key: policy.text(a.name) for a in policy.processing_activities}
    systems = {s.key: policy.text(s.name) for s in policy.systems}
    parents = {e.key: e.name for e in entries if e.parent is None}
    return [_row(e, alerts.get(e.ref, []), cats, acts, systems, parents) for e in entries]


def _row(e: Entry, alerts: list[dict[str, str]], cats: dict[str, str], acts: dict[str, str],
         systems: dict[str, str], parents: dict[str, str]) -> dict[str, Any]:
    out = e.to_dict()
    out.update({
        "ref": e.ref, "parent_name": parents.get(e.parent) if e.parent else None,
        "data_category_names": [f"{cats.get(k, k)} ({k})" for k in e.data_categories],
        "activity_names": [acts.get(k, k) for k in e.activities],
        "system_names": [systems.get(k, k) for k in e.systems],
        "alerts": alerts,
    })
    return out


def _cell(key: str, r: dict[str, Any]) -> str:
    value: Any = {
        "parent": r["parent_name"], "dpa_signed": r["dpa"]["signed"],
        "dpa_reference": r["dpa"]["reference"], "dpa_review_due": r["dpa"]["review_due"],
        "data_categories": r["data_category_names"], "activities": r["activity_names"],
        "systems": r["system_names"],
        "alerts": [f"{a['level']}: {a['message']}" for a in r["alerts"]],
    }.get(key, r.get(key))
    if isinstance(value, list):
        return "; ".join(value)
    return "" if value is None else str(value)


def export_register(session: Session, policy: Policy, fmt: str, today: date
                    ) -> tuple[bytes, str, str]:
    """(bytes, media type, file name) of the processor register as CSV or JSON."""
    rows = register_rows(session, policy, today)
    if fmt == "json":
        return (json.dumps(rows, indent=2, ensure_ascii=False).encode(), "application/json",
                "processor-register.json")
    if fmt != "csv":
        raise InvalidInput(f"Unknown export format {fmt!r}: use csv or json.")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([h for _, h in CSV_FIELDS])
    for r in rows:
        w.writerow([_cell(k, r) for k, _ in CSV_FIELDS])
    return (("\ufeff" + buf.getvalue()).encode(), "text/csv; charset=utf-8",
            "processor-register.csv")
