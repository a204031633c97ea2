"""A fictional recruiting system for condition and trigger tests: candidates with yes/no
columns and e-mail addresses, their applications (several per candidate), and a table keyed
by two columns. People are made up; addresses use example.com (RFC 2606)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from steward.policy.models import Policy

md = sa.MetaData()
candidates = sa.Table(
    "candidates", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("email", sa.String(200)),
    # BOOLEAN: TINYINT(1) on MariaDB, BOOLEAN on PostgreSQL, an integer 0/1 on SQLite.
    sa.Column("rejected", sa.Boolean, nullable=True),
    sa.Column("talent_pool", sa.Boolean, nullable=True),
    sa.Column("status", sa.String(20)),
    sa.Column("archived", sa.Integer),  # a 0/1 flag kept in a plain INTEGER
    sa.Column("left_at", sa.DateTime),
)
applications = sa.Table(
    "applications", md,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("candidate_id", sa.Integer, sa.ForeignKey("candidates.id"), index=True),
    sa.Column("closed_at", sa.DateTime),
)
interviews = sa.Table(  # keyed by (candidate_id, round)
    "interviews", md,
    sa.Column("candidate_id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("round", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("notes", sa.Text),
    sa.Column("held_at", sa.DateTime),
)
BASE: dict[str, Any] = {
    "policy": {"id": "hrco", "version": "1", "effective": "2026-01-01"},
    "controller": {"name": "Hrco Oy", "lead_authority": "FI",
                   "address": {"street": "Testikatu 1", "postal_code": "00100",
                               "city": "Helsinki", "country": "FI"}},
    "subject_categories": [{"key": "candidates", "name": "Candidates"}],
    "data_categories": [{"key": "user.contact.email", "name": "E-mail"}],
    "purposes": [{"key": "recruiting", "title": "Recruiting", "description": "Recruiting",
                  "legal_bases": ["b"]}],
    "consent": {"purposes": [{"key": "talent_pool", "title": "Talent pool",
                              "purpose": "recruiting", "mode": "opt_in",
                              "legal_basis": "a", "channels": ["email"]}]},
}

SYSTEM: dict[str, Any] = {
    "key": "hr", "name": "HR", "connector": "sql", "url": "sqlite://", "storage_country": "DK",
    "tables": [
        {"name": "candidates", "identities": {"email": "email"},
         "fields": [{"name": "rejected"}, {"name": "talent_pool"}, {"name": "status"},
                    {"name": "archived"}, {"name": "left_at"}]},
        {"name": "applications",
         "references": [{"field": "candidate_id", "to": "candidates.id"}],
         "fields": [{"name": "closed_at"}]},
        {"name": "interviews", "primary_key": ["candidate_id", "round"],
         "fields": [{"name": "notes"}, {"name": "held_at"}]},
    ],
}


def rule(**extra: Any) -> dict[str, Any]:
    """A candidates rule: 6 months after leaving, with `extra` (e.g. a condition)."""
    return {"key": "candidates", "description": "6 months after the process", "system": "hr",
            "table": "candidates", "trigger": {"field": "candidates.left_at"},
            "period": {"months": 6}, **extra}


def make_policy(*rules: dict[str, Any], url: str = "sqlite://") -> Policy:
    return Policy.model_validate({**BASE, "systems": [{**SYSTEM, "url": url}],
                                  "retention_rules": list(rules)})


def create(url: str) -> sa.Engine:
    engine = sa.create_engine(url)
    md.drop_all(engine)
    md.create_all(engine)
    return engine


def ids(url: str, table: sa.Table = candidates) -> set[Any]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        if table is interviews:
            out: set[Any] = {(r[0], r[1]) for r in c.execute(
                sa.select(table.c.candidate_id, table.c.round))}
        else:
            out = {r[0] for r in c.execute(sa.select(table.c.id))}
    engine.dispose()
    return out
