"""The breach register as data: one dict per breach (JSON) and a CSV of the register
(Art. 33(5): the documentation the authority may ask to see)."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from steward.breaches.assessment import duties
from steward.breaches.register import clock, list_breaches, notifications
from steward.breaches.tables import Breach, BreachNotification
from steward.errors import InvalidInput
from steward.policy.models import Policy
from steward.store.db import as_utc

CSV_FIELDS: tuple[tuple[str, str], ...] = (
    ("id", "Breach"), ("title", "Title"), ("status", "Status"),
    ("aware_at", "Became aware (UTC)"),
    ("deadline", "Notification deadline (UTC; Art. 33(1): 72 hours or the policy's promise)"),
    ("deadline_local", "Deadline (authority's local time)"),
    ("first_notified_at", "Authority notified (UTC)"), ("late", "Late (Art. 33(1))"),
    ("occurred_at", "Occurred (UTC)"),
    ("discovery_source", "Discovered through"), ("description", "What happened (Art. 33(3)(a))"),
    ("nature", "Type (confidentiality / integrity / availability)"),
    ("systems", "Systems"), ("data_categories", "Categories of personal data"),
    ("special_categories", "Special categories / national ids"),
    ("subject_categories", "Categories of data subjects"), ("countries", "Countries"),
    ("subjects_approx", "Approx. data subjects"), ("records_approx", "Approx. records"),
    ("consequences", "Likely consequences (Art. 33(3)(c))"),
    ("measures_taken", "Measures taken (Art. 33(3)(d))"),
    ("measures_proposed", "Measures proposed (Art. 33(3)(d))"),
    ("risk", "Risk"), ("risk_reasoning", "Risk reasoning (Art. 33(5))"),
    ("exception_34_3", "Art. 34(3) exception"), ("exception_reason", "Why the exception applies"),
    ("contact", "Contact point (Art. 33(3)(b))"),
    ("processor_key", "Reported by processor"),
    ("processor_reported_at", "Processor reported at (UTC, Art. 33(2))"),
    ("notifications", "Notifications sent (UTC)"), ("closed_at", "Closed (UTC)"),
    ("version", "Version"),
)


def _iso(dt: datetime | None) -> str | None:
    return as_utc(dt).isoformat() if dt else None


def notification_dict(n: BreachNotification) -> dict[str, Any]:
    return {"id": n.id, "kind": n.kind, "authority": n.authority, "phase": n.phase,
            "sent_at": _iso(n.sent_at), "channel": n.channel, "reference": n.reference,
            "late_reason": n.late_reason, "content": n.content,
            "recorded_at": _iso(n.recorded_at), "recorded_by": n.recorded_by}


def breach_dict(session: Session, policy: Policy, row: Breach, now: datetime | None = None,
                *, full: bool = True) -> dict[str, Any]:
    """One breach with its clock, tasks and (with `full`) notifications."""
    c = clock(session, policy, row, now)
    sent = notifications(session, row.id)
    out = {k: v for k, v in row.snapshot().items()}
    out.update({
        "deadline": c.deadline.isoformat(), "deadline_local": c.deadline_local.isoformat(),
        "timezone": c.timezone, "hours_left": round(c.hours_left, 2),
        "first_notified_at": _iso(c.notified_at), "overdue": c.overdue, "late": c.late,
        "tasks": [t.as_dict() for t in duties(policy, row, sent)],
    })
    if full:
        out["notifications"] = [notification_dict(n) for n in sent]
    return out


def _cell(key: str, r: dict[str, Any]) -> str:
    """One CSV cell: lists joined with '; ', yes/no for flags, notifications summarized."""
    if key == "contact":
        return ", ".join(x for x in (r["contact_name"], r["contact_email"], r["contact_phone"])
                         if x)
    if key == "notifications":
        return "; ".join(
            f"{n['sent_at']} {n['kind']}{' ' + n['authority'] if n['authority'] else ''} "
            f"({n['phase']}{', late: ' + n['late_reason'] if n['late_reason'] else ''})"
            for n in r.get("notifications", []))
    v = r.get(key)
    if isinstance(v, list):
        return "; ".join(str(x) for x in v)
    if isinstance(v, bool):
        return "yes" if v else "no"
    return "" if v is None else str(v)


def export_register(session: Session, policy: Policy, fmt: str,
                    now: datetime | None = None) -> tuple[bytes, str, str]:
    """(bytes, media type, file name): the register as CSV or JSON."""
    rows = [breach_dict(session, policy, b, now) for b in list_breaches(session)]
    if fmt == "json":
        return (json.dumps(rows, indent=2, ensure_ascii=False).encode(), "application/json",
                "breach-register.json")
    if fmt != "csv":
        raise InvalidInput(f"Unknown export format {fmt!r}: use csv or json.")
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow([h for _, h in CSV_FIELDS])
    for r in rows:
        w.writerow([_cell(k, r) for k, _ in CSV_FIELDS])
    return (("\ufeff" + buf.getvalue()).encode(), "text/csv; charset=utf-8",
            "breach-register.csv")
