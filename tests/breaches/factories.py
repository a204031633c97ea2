"""Factories for breach tests: the ProMark policy, a breach input, a support-desk database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from tests.helpers import PROMARK

from steward.breaches.inputs import BreachInput
from steward.policy.loader import load_policy
from steward.policy.models import Policy

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


@cache
def promark() -> Policy:
    return load_policy(PROMARK)


def breach_input(**over: Any) -> BreachInput:
    values: dict[str, Any] = {
        "title": "Support desk export left on a public share",
        "aware_at": NOW - timedelta(hours=2),
        "discovery_source": "Internal monitoring",
        "description": "A CSV export of support tickets was readable without login.",
        "nature": ["confidentiality"],
        "systems": ["support"],
        "data_categories": ["user.contact.email", "user.content.private.customer_care"],
        "subject_categories": [promark().subject_categories[0].key],
        "countries": ["DK"],
        "subjects_approx": 120,
        "records_approx": 480,
        "consequences": "Recipients could read support correspondence.",
        "measures_taken": "The share was closed and access logs reviewed.",
        "measures_proposed": "Exports are now encrypted.",
    }
    values.update(over)
    return BreachInput(**values)


# --- a support-desk-shaped company database (docs/demo-schema.md), fictional people ----------

PEOPLE = [
    ("C-1001", "astrid.holm@example.com"),
    ("C-1002", "bjorn.lund@example.com"),
    ("C-1003", "carla.moreau@example.org"),
    ("C-1004", "dorte.vinter@example.net"),
    ("C-1005", None),  # a ticket without an address
]


def support_metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("tickets", md,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_no", sa.String(20)),
             sa.Column("requester_email", sa.String(200)),
             sa.Column("subject", sa.String(200)),
             sa.Column("status", sa.String(10)),
             sa.Column("opened_at", sa.DateTime),
             sa.Column("closed_at", sa.DateTime, nullable=True))
    sa.Table("messages", md,
             sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("ticket_id", sa.Integer, sa.ForeignKey("tickets.id")),
             sa.Column("author", sa.String(100)),
             sa.Column("body", sa.Text),
             sa.Column("sent_at", sa.DateTime))
    return md


def make_support_db(url: str, *, tickets_per_person: int = 3) -> None:
    """Tickets opened on 1-10 March 2026 (one per day per person, round robin), two messages
    each. Astrid's tickets are the first of each round."""
    engine = sa.create_engine(url)
    md = support_metadata()
    md.drop_all(engine)
    md.create_all(engine)
    tickets, messages = [], []
    tid = 0
    for day in range(tickets_per_person):
        for i, (cno, email) in enumerate(PEOPLE):
            tid += 1
            opened = datetime(2026, 3, 1 + day * 3, 8 + i)
            tickets.append({"id": tid, "customer_no": cno, "requester_email": email,
                            "subject": f"Question {tid}", "status": "open" if i % 2 else "closed",
                            "opened_at": opened, "closed_at": None})
            for m in range(2):
                messages.append({"id": tid * 10 + m, "ticket_id": tid, "author": "Support",
                                 "body": f"Reply {m}", "sent_at": opened})
    with engine.begin() as conn:
        conn.execute(md.tables["tickets"].insert(), tickets)
        conn.execute(md.tables["messages"].insert(), messages)
    engine.dispose()


def with_support_url(policy: Policy, url: str) -> Policy:
    systems = [s.model_copy(update={"url": url, "url_env": None, "url_file": None})
               if s.key == "support" else s for s in policy.systems]
    return policy.model_copy(update={"systems": systems})
