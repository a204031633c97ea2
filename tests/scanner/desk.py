"""A small fictional support desk for scanner tests: tickets (open and closed) and their
messages, with generated-valid CPR numbers and sick-leave notes planted at known places.

`messages.body` is annotated in the policy with a special category (health, Art. 9(1)) and
may contain CPR numbers (`may_contain`, redacted at case close by the retention rule);
`messages.internal_note` is free text without a category: a policy gap when it holds CPR
numbers. People and numbers are made up (e-mail addresses on example.com, RFC 2606).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml

from steward.policy.models import Policy
from steward.scanner.fakes import fake_cpr

md = sa.MetaData()
tickets = sa.Table(
    "tickets", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("requester_email", sa.String(254)),
    sa.Column("subject", sa.String(200)),
    sa.Column("status", sa.String(10)),
    sa.Column("closed_at", sa.DateTime, nullable=True),
)
messages = sa.Table(
    "messages", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id"), index=True),
    sa.Column("author", sa.String(200)),
    sa.Column("body", sa.Text),
    sa.Column("internal_note", sa.Text, nullable=True),
)

CPR_LINE = "Mit CPR-nummer er {cpr}, hvis I skal bruge det til at finde mig."
SICK_DA = "Jeg har været sygemeldt i to uger, derfor svarer jeg først nu."
SICK_EN = "I was on sick leave last week, sorry for the late reply."
REPLY = "Thank you, we are looking into it. Best regards, Support"
NOTE = "Kunden oplyste CPR {cpr} i telefonen."
KEPT = "hvis I skal bruge det til at finde mig"  # the readable rest of a redacted CPR line

POLICY: dict[str, Any] = {
    "policy": {"id": "deskco", "version": "1", "effective": "2026-01-01"},
    "controller": {"name": "Deskco ApS", "lead_authority": "DK",
                   "address": {"street": "Testvej 1", "postal_code": "2800", "city": "Lyngby",
                               "country": "DK"}},
    "authorities": {"DK": {"name": "Datatilsynet", "website": "https://www.datatilsynet.dk",
                           "breach_channel": "form"}},
    "subject_categories": [{"key": "customer", "name": "Customers"}],
    "data_categories": [
        {"key": "user.contact.email", "name": "E-mail"},
        {"key": "user.name", "name": "Name"},
        {"key": "user.content.private", "name": "Correspondence"},
        {"key": "user.health_and_medical", "name": "Health", "special": True},
        {"key": "user.government_id.national_identification_number", "name": "CPR",
         "national_id": True},
    ],
    "purposes": [{"key": "support", "title": "Support", "description": "Customer support",
                  "legal_bases": ["b"]}],
    "systems": [{
        "key": "support", "name": "Support desk", "connector": "sql", "url": "sqlite://",
        "storage_country": "DK", "tables": [
            {"name": "tickets", "identities": {"email": "requester_email"}, "fields": [
                {"name": "requester_email", "category": "user.contact.email"},
                {"name": "subject", "category": "user.content.private", "free_text": True},
                {"name": "status"}, {"name": "closed_at"}]},
            {"name": "messages", "references": [{"field": "ticket_id", "to": "tickets.id"}],
             "fields": [
                 {"name": "author", "category": "user.name"},
                 {"name": "body", "category": "user.health_and_medical", "free_text": True,
                  "may_contain": ["user.government_id.national_identification_number"]},
                 {"name": "internal_note", "free_text": True}]},
        ]}],
    "retention_rules": [{
        "key": "support_sensitive_data", "description": "Redact sensitive data at case close.",
        "system": "support", "table": "messages",
        "trigger": {"field": "tickets.closed_at", "event": "case_closed"}, "period": {},
        "action": "redact", "fields": ["body", "internal_note"]}],
}


def policy() -> Policy:
    return Policy.model_validate(POLICY)


def write_policy(path: Path, url: str) -> Path:
    """The policy as a YAML file whose support system lives at `url`."""
    data = yaml.safe_load(yaml.safe_dump(POLICY))
    data["systems"][0]["url"] = url
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


@dataclass
class Desk:
    """What was planted: per field, counts by type in all rows and in closed tickets' rows;
    the planted CPR numbers; the original message rows."""

    counts: dict[str, Counter[str]] = field(default_factory=dict)
    closed_counts: dict[str, Counter[str]] = field(default_factory=dict)
    cprs: list[str] = field(default_factory=list)
    rows: dict[int, dict[str, Any]] = field(default_factory=dict)
    closed: set[int] = field(default_factory=set)  # ticket ids


def fill(url: str, *, tickets_n: int = 6, seed: int = 7) -> Desk:
    """Create the tables at `url` and fill them. Odd tickets are closed, even ones open.
    Every ticket: a CPR line, a sick-leave note (Danish or English) and a reply; every third
    message carries an internal note with another CPR number."""
    rng = random.Random(seed)
    desk = Desk(counts={"body": Counter(), "internal_note": Counter()},
                closed_counts={"body": Counter(), "internal_note": Counter()})
    t_rows, m_rows = [], []
    mid = 0
    for t in range(1, tickets_n + 1):
        closed = t % 2 == 1
        if closed:
            desk.closed.add(t)
        t_rows.append({"id": t, "requester_email": f"person{t}@example.com",
                       "subject": "Login problem", "status": "closed" if closed else "open",
                       "closed_at": datetime(2026, 3, 1) + timedelta(hours=t) if closed else None})
        for kind in ("cpr", "sick", "reply"):
            mid += 1
            planted: dict[str, Counter[str]] = {"body": Counter(), "internal_note": Counter()}
            if kind == "cpr":
                cpr = fake_cpr(rng, dashed=mid % 2 == 0)
                desk.cprs.append(cpr)
                body = CPR_LINE.format(cpr=cpr)
                planted["body"]["DK_CPR"] += 1
            elif kind == "sick":
                body = SICK_DA if t % 3 else SICK_EN
                planted["body"]["ABSENCE"] += 1
            else:
                body = REPLY
            note = None
            if mid % 3 == 1:
                cpr = fake_cpr(rng)
                desk.cprs.append(cpr)
                note = NOTE.format(cpr=cpr)
                planted["internal_note"]["DK_CPR"] += 1
            for f, c in planted.items():
                desk.counts[f].update(c)
                if closed:
                    desk.closed_counts[f].update(c)
            row = {"id": mid, "ticket_id": t, "author": "Ada Testperson", "body": body,
                   "internal_note": note}
            m_rows.append(row)
            desk.rows[mid] = row
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        md.drop_all(conn)
        md.create_all(conn)
        conn.execute(tickets.insert(), t_rows)
        conn.execute(messages.insert(), m_rows)
    engine.dispose()
    return desk


def read_messages(url: str) -> dict[int, dict[str, Any]]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {r["id"]: dict(r) for r in conn.execute(
            sa.select(messages).order_by(messages.c.id)).mappings()}
    engine.dispose()
    return out
