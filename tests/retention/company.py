"""Fictional company systems for retention tests: a policy with recruiting, support and CRM
systems on any SQLAlchemy URL, and helpers to fill their tables. People are made up; e-mail
addresses use example.com (RFC 2606)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from steward.policy.models import Policy

md = sa.MetaData()
applications = sa.Table(
    "applications", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("name", sa.String(200)), sa.Column("email", sa.String(200)),
    sa.Column("cv_text", sa.Text), sa.Column("process_ended_at", sa.DateTime, index=True),
)
application_emails = sa.Table(
    "application_emails", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("application_id", sa.Integer, sa.ForeignKey("applications.id"), index=True),
    sa.Column("body", sa.Text),
)
tickets = sa.Table(
    "tickets", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("requester_email", sa.String(200)), sa.Column("closed_at", sa.DateTime),
)
messages = sa.Table(
    "messages", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), index=True),
    sa.Column("author", sa.String(200)), sa.Column("body", sa.Text),
)
customers = sa.Table(
    "customers", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(200)), sa.Column("contact_name", sa.String(200)),
    sa.Column("relationship_ended_at", sa.DateTime),
)
orders = sa.Table(
    "orders", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), index=True),
)
order_lines = sa.Table(
    "order_lines", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), index=True),
)
invoices = sa.Table(
    "invoices", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("customer_id", sa.Integer, sa.ForeignKey("customers.id"), index=True),
    sa.Column("order_id", sa.Integer, sa.ForeignKey("orders.id"), nullable=True),
    sa.Column("issued_at", sa.DateTime),
)

BASE: dict[str, Any] = {
    "policy": {"id": "testco", "version": "1", "effective": "2026-01-01"},
    "controller": {"name": "Testco ApS", "lead_authority": "DK",
                   "address": {"street": "Testvej 1", "postal_code": "2800",
                               "city": "Lyngby", "country": "DK"}},
    "authorities": {"DK": {"name": "Datatilsynet", "website": "https://www.datatilsynet.dk",
                           "breach_channel": "form"}},
    "subject_categories": [{"key": "customers", "name": "Customers"}],
    "data_categories": [{"key": "user.contact.email", "name": "E-mail"}],
    "purposes": [{"key": "admin", "title": "Admin", "description": "Administration",
                  "legal_bases": ["b"]}],
}

SYSTEMS: list[dict[str, Any]] = [
    {"key": "recruiting", "name": "Recruiting", "connector": "sql", "url": "sqlite://",
     "storage_country": "DK", "tables": [
         {"name": "applications", "identities": {"email": "email"},
          "fields": [{"name": "name"}, {"name": "email"}, {"name": "cv_text"},
                     {"name": "process_ended_at"}]},
         {"name": "application_emails",
          "references": [{"field": "application_id", "to": "applications.id"}],
          "fields": [{"name": "body"}]}]},
    {"key": "support", "name": "Support", "connector": "sql", "url": "sqlite://",
     "storage_country": "DK", "tables": [
         {"name": "tickets", "identities": {"email": "requester_email"},
          "fields": [{"name": "closed_at"}]},
         {"name": "messages", "references": [{"field": "ticket_id", "to": "tickets.id"}],
          "fields": [{"name": "author"}, {"name": "body", "free_text": True}]}]},
    {"key": "crm", "name": "CRM", "connector": "sql", "url": "sqlite://",
     "storage_country": "DK", "tables": [
         {"name": "customers", "identities": {"email": "email"},
          "fields": [{"name": "contact_name"}, {"name": "relationship_ended_at"}]},
         {"name": "orders", "references": [{"field": "customer_id", "to": "customers.id"}]},
         {"name": "order_lines", "references": [{"field": "order_id", "to": "orders.id"}]},
         {"name": "invoices", "retention": "invoices_bookkeeping", "erase": "keep",
          "references": [{"field": "customer_id", "to": "customers.id"},
                         {"field": "order_id", "to": "orders.id"}],
          "fields": [{"name": "issued_at"}]}]},
]

RULES: list[dict[str, Any]] = [
    {"key": "job_applications", "description": "3 months after the process",
     "system": "recruiting", "table": "applications",
     "trigger": {"field": "applications.process_ended_at"}, "period": {"months": 3}},
    {"key": "support_sensitive_data", "description": "at case close", "system": "support",
     "table": "messages", "trigger": {"field": "tickets.closed_at"}, "period": {},
     "action": "redact", "fields": ["body"]},
    {"key": "customer_records", "description": "10 years plus the current year",
     "system": "crm", "table": "customers",
     "trigger": {"field": "customers.relationship_ended_at"},
     "period": {"years": 10, "anchor": "end_of_year"}},
    {"key": "invoices_bookkeeping", "description": "bookkeeping", "system": "crm",
     "table": "invoices", "trigger": {"field": "invoices.issued_at"},
     "period": {"years": 10, "anchor": "end_of_year"}, "legal_obligation": True,
     "record_kind": "accounting", "statutory_basis": "Bogføringsloven § 12"},
]


def make_policy(rules: list[dict[str, Any]] | None = None) -> Policy:
    return Policy.model_validate({**BASE, "systems": SYSTEMS, "retention_rules": rules or RULES})


def create(url: str) -> sa.Engine:
    """Create the company tables at `url` (empty) and return an engine."""
    engine = sa.create_engine(url)
    md.drop_all(engine)
    md.create_all(engine)
    return engine


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as c:
        return int(c.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def ids(engine: sa.Engine, table: sa.Table) -> set[int]:
    with engine.connect() as c:
        return {r[0] for r in c.execute(sa.select(table.c.id))}


def write_policy(folder: Path, url: str, rules: list[dict[str, Any]] | None = None) -> Path:
    """The test policy as a file (JSON is YAML) with every system at `url`, for subprocesses."""
    import json

    systems = [{**s, "url": url} for s in SYSTEMS]
    doc = {**BASE, "systems": systems, "retention_rules": rules or RULES}
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "policy.yaml"
    path.write_text(json.dumps(doc, indent=1), encoding="utf-8")
    return path


def applications_connection(
    url: str, ended: dict[int, datetime | None], emails: dict[int, int]
) -> Iterator[sa.Connection]:
    """A connection (in a transaction) to the company at `url` after inserting the applications
    (id -> process ended at) and their e-mails (e-mail id -> application id), for fixtures."""
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(
            applications.insert(),
            [
                {
                    "id": i,
                    "name": f"Test Person {i}",
                    "email": f"p{i}@example.com",
                    "process_ended_at": at_,
                }
                for i, at_ in ended.items()
            ],
        )
        c.execute(
            application_emails.insert(),
            [{"id": e, "application_id": a, "body": "text"} for e, a in emails.items()],
        )
    with eng.begin() as c:
        yield c
    eng.dispose()
