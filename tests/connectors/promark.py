"""The ProMark example's systems and hand-written SQL that finds a subject's rows: the
independent answer the connectors' results are compared with."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from ruamel.yaml import YAML

from steward.connectors.conformance import Subject
from steward.policy.models import SystemSpec

ROOT = Path(__file__).resolve().parents[2]
SYSTEMS_YAML = ROOT / "examples" / "promark" / "systems.yaml"

# Per system: table -> SQL selecting the primary keys of the subject's rows, given
# :email, :phone and :customer_no (hand-written joins, as an engineer would).
HAND_SQL: dict[str, dict[str, str]] = {
    "crm": {
        "customers": "SELECT id FROM customers WHERE email = :email OR phone = :phone "
        "OR customer_no = :customer_no",
        "contacts": "SELECT c.id FROM contacts c JOIN customers k ON k.id = c.customer_id "
        "WHERE k.email = :email OR k.phone = :phone OR k.customer_no = :customer_no",
        "orders": "SELECT o.id FROM orders o JOIN customers k ON k.id = o.customer_id "
        "WHERE k.email = :email OR k.phone = :phone OR k.customer_no = :customer_no",
        "order_lines": "SELECT l.id FROM order_lines l JOIN orders o ON o.id = l.order_id "
        "JOIN customers k ON k.id = o.customer_id "
        "WHERE k.email = :email OR k.phone = :phone OR k.customer_no = :customer_no",
        "invoices": "SELECT i.id FROM invoices i JOIN customers k ON k.id = i.customer_id "
        "WHERE k.email = :email OR k.phone = :phone OR k.customer_no = :customer_no",
    },
    "portal": {
        "logins": "SELECT id FROM logins WHERE email = :email OR customer_no = :customer_no",
        "activity_log": "SELECT a.id FROM activity_log a JOIN logins l ON l.id = a.login_id "
        "WHERE l.email = :email OR l.customer_no = :customer_no",
    },
    "support": {
        "tickets": "SELECT id FROM tickets WHERE requester_email = :email "
        "OR customer_no = :customer_no",
        "messages": "SELECT m.id FROM messages m JOIN tickets t ON t.id = m.ticket_id "
        "WHERE t.requester_email = :email OR t.customer_no = :customer_no",
    },
    "recruiting": {
        "applications": "SELECT id FROM applications WHERE email = :email OR phone = :phone",
        "application_emails": "SELECT e.id FROM application_emails e "
        "JOIN applications a ON a.id = e.application_id "
        "WHERE a.email = :email OR a.phone = :phone",
    },
}


def systems() -> dict[str, SystemSpec]:
    doc = YAML(typ="safe").load(SYSTEMS_YAML.read_text(encoding="utf-8"))
    return {s["key"]: SystemSpec.model_validate(s) for s in doc["systems"]}


def hand_rows(conn: sa.Connection, system: str, who: dict[str, str]) -> dict[str, set[int]]:
    """table -> primary keys of `who`'s rows, by the hand-written SQL."""
    params = {"email": who.get("email"), "phone": who.get("phone"),
              "customer_no": who.get("customer_number")}
    out: dict[str, set[int]] = {}
    for table, query in HAND_SQL[system].items():
        pks = {r[0] for r in conn.execute(sa.text(query), params)}
        if pks:
            out[table] = pks
    return out


def customer(conn: sa.Connection, customer_id: int) -> dict[str, str]:
    """The identities of a demo customer, read from crm."""
    row = conn.execute(
        sa.text("SELECT email, phone, customer_no FROM customers WHERE id = :id"),
        {"id": customer_id},
    ).one()
    return {"email": row[0], "phone": row[1], "customer_number": row[2]}


def applicant(conn: sa.Connection, application_id: int) -> dict[str, str]:
    """The identities of a demo job applicant, read from recruiting."""
    row = conn.execute(
        sa.text("SELECT email, phone FROM applications WHERE id = :id"), {"id": application_id}
    ).one()
    return {"email": row[0], "phone": row[1]}


def subject(spec: SystemSpec, conn: sa.Connection, who: dict[str, str]) -> Subject:
    """The conformance subject for one system: the identity types it uses, expected rows."""
    kinds = {k for t in spec.tables for k in t.identities}
    return Subject(
        identities={k: [v] for k, v in who.items() if k in kinds},
        expected=hand_rows(conn, spec.key, who),
    )
