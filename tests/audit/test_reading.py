"""Reading the log back: a request's timeline (`events_for`) lists that request's events and no
other's, oldest first; the console's audit page (`recent`) pages through the newest events,
strictly before a given one, optionally of one action. The rows are placed by hand, stored out of
sequence order, so the order shown can only come from the sequence numbers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.audit.tables import AuditEvent
from steward.store.db import transaction

# seq: (subject, action), written to the table in the order listed (not in seq order).
ROWS = {
    5: ("dsr:1", "dsr.completed"),
    1: ("dsr:1", "dsr.received"),
    4: ("dsr:2", "dsr.note_added"),
    2: ("dsr:2", "dsr.received"),
    6: (None, "console.login"),
    3: ("dsr:1", "dsr.note_added"),
}


def _place(sm: sessionmaker[Session]) -> None:
    # Reading does not check the chain; the hashes are placeholders.
    with transaction(sm) as s:
        s.execute(
            insert(AuditEvent),
            [
                {
                    "seq": seq,
                    "at": datetime(2026, 5, seq, 9, 0, tzinfo=UTC),
                    "actor": "user:3",
                    "action": action,
                    "subject_ref": subject,
                    "details": "{}",
                    "prev_hash": "0" * 64,
                    "hash": "0" * 64,
                }
                for seq, (subject, action) in ROWS.items()
            ],
        )


def test_a_requests_timeline_is_its_own_events_oldest_first(sm: sessionmaker[Session]) -> None:
    _place(sm)
    with transaction(sm) as s:
        one = [(e.seq, e.action) for e in audit.events_for(s, "dsr:1")]
        two = [(e.seq, e.action) for e in audit.events_for(s, "dsr:2")]
        none = audit.events_for(s, "dsr:9")
    assert one == [(1, "dsr.received"), (3, "dsr.note_added"), (5, "dsr.completed")]
    assert two == [(2, "dsr.received"), (4, "dsr.note_added")]
    assert none == []


def test_the_audit_page_lists_the_newest_first_and_pages_back(sm: sessionmaker[Session]) -> None:
    _place(sm)
    with transaction(sm) as s:
        assert [e.seq for e in audit.recent(s, limit=3)] == [6, 5, 4]
        # the next page starts strictly before the last event shown
        assert [e.seq for e in audit.recent(s, limit=3, before=4)] == [3, 2, 1]
        assert [e.seq for e in audit.recent(s, limit=3, before=2)] == [1]
        assert [e.seq for e in audit.recent(s, limit=10)] == [6, 5, 4, 3, 2, 1]


def test_the_audit_page_filters_by_action(sm: sessionmaker[Session]) -> None:
    _place(sm)
    with transaction(sm) as s:
        assert [e.seq for e in audit.recent(s, limit=10, action="dsr.note_added")] == [4, 3]
        assert [e.seq for e in audit.recent(s, limit=10, action="dsr.received", before=2)] == [1]
        assert [e.seq for e in audit.recent(s, limit=10, action="dsr.refused")] == []
        # no action (or an empty one) means every action
        assert [e.seq for e in audit.recent(s, limit=2, action="")] == [6, 5]
        assert [e.seq for e in audit.recent(s, limit=2, action=None)] == [6, 5]
