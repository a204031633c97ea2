"""The officer's queue on SQLite and PostgreSQL: search by requester, identity or number;
filters by due window, jurisdiction, type, state and assignee; days left to the statutory date
(dates worked out by hand from GDPR Art. 12(3) and Reg. 1182/71: one month, a deadline on a
holiday or weekend moves to the next working day); assignees, sealed notes and bulk actions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session, sessionmaker
from tests.conftest import PROMARK
from tests.helpers import settings_for

from steward.audit.tables import AuditEvent
from steward.policy.loader import load_policy
from steward.requests import desk, intake, queue
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction
from steward.store.sealing import Sealer

TODAY = date(2026, 12, 6)
SEALER = Sealer("test-secret-key-not-for-production")


def _submit(
    sm: sessionmaker[Session], received: datetime, name: str, email: str, **kw: object
) -> int:
    policy = load_policy(PROMARK)
    with transaction(sm) as s:
        sub = intake.submit(
            s,
            policy,
            SEALER,
            type=kw.pop("type", "access"),
            name=name,
            email=email,
            country=kw.pop("country", "DK"),
            now=received,
            **kw,
        )  # type: ignore[arg-type]
        return sub.request.id


def _people(sm: sessionmaker[Session]) -> dict[str, int]:
    return {
        # due 2026-12-02 (Wed): four days overdue on 6 December
        "late": _submit(
            sm,
            datetime(2026, 11, 2, 9, tzinfo=UTC),
            "Karla Jensen",
            "karla@example.com",
            identities={"phone": ["+45 20 12 34 56"]},
        ),
        # due 2026-12-10 (Thu): four days left
        "soon": _submit(
            sm,
            datetime(2026, 11, 10, 9, tzinfo=UTC),
            "Jonas Holm",
            "jonas@example.com",
            type="erasure",
        ),
        # one month ends 2027-01-01 (New Year's Day, a holiday): due Monday 2027-01-04
        "later": _submit(
            sm, datetime(2026, 12, 1, 9, tzinfo=UTC), "Olga Berg", "olga@example.com", country="SE"
        ),
    }


def _search(sm: sessionmaker[Session], **f: str) -> queue.Page:
    with sm() as s:
        return queue.search(s, load_policy(PROMARK), SEALER, queue.Filters(**f), today=TODAY)


def test_search_finds_by_requester_identity_and_number(engine: Engine) -> None:
    sm = make_sessionmaker(engine)
    ids = _people(sm)
    with sm() as s:
        public_id = s.get_one(DsrRequest, ids["soon"]).public_id

    def found(q: str) -> set[int]:
        return {r.req.id for r in _search(sm, q=q).rows}

    assert found("karla") == {ids["late"]}  # part of the name, any case
    assert found("JONAS@example.com") == {ids["soon"]}
    assert found(public_id) == {ids["soon"]}
    assert found(f"#{ids['later']}") == {ids["later"]}
    # The phone number as given in another form: found by its keyed hash, never decrypted.
    assert found("20 12 34 56") == {ids["late"]}
    assert found("%") == set()  # a LIKE wildcard is a character, not "everything"
    assert found("nobody@example.com") == set()


def test_due_windows_and_days_left(engine: Engine) -> None:
    sm = make_sessionmaker(engine)
    ids = _people(sm)
    everything = _search(sm)
    assert [r.req.id for r in everything.rows] == [ids["late"], ids["soon"], ids["later"]]
    left = {r.req.id: (r.due, r.days_left) for r in everything.rows}
    assert left == {
        ids["late"]: (date(2026, 12, 2), -4),
        ids["soon"]: (date(2026, 12, 10), 4),
        ids["later"]: (date(2027, 1, 4), 29),
    }
    assert [r.req.id for r in _search(sm, due="overdue").rows] == [ids["late"]]
    assert [r.req.id for r in _search(sm, due="week").rows] == [ids["soon"]]
    assert [r.req.id for r in _search(sm, due="later").rows] == [ids["later"]]
    assert [r.req.id for r in _search(sm, jurisdiction="SE").rows] == [ids["later"]]
    assert [r.req.id for r in _search(sm, type="erasure").rows] == [ids["soon"]]
    assert _search(sm, state="completed").total == 0


def test_pages(engine: Engine) -> None:
    sm = make_sessionmaker(engine)
    for i in range(5):
        _submit(sm, datetime(2026, 11, 20 + i, 9, tzinfo=UTC), f"Person {i}", f"p{i}@example.com")
    with sm() as s:
        pol = load_policy(PROMARK)
        first = queue.search(s, pol, SEALER, queue.Filters(), page=1, per_page=2, today=TODAY)
        last = queue.search(s, pol, SEALER, queue.Filters(), page=9, per_page=2, today=TODAY)
    assert (first.total, first.pages, len(first.rows)) == (5, 3, 2)
    assert (last.page, [r.req.name for r in last.rows]) == (3, ["Person 4"])


def test_assignee_and_sealed_notes_are_audited(engine: Engine) -> None:
    sm = make_sessionmaker(engine)
    ids = _people(sm)
    out = desk.bulk_assign(sm, [ids["late"], ids["soon"], 999999], "user:7", "user:1")
    assert [(o.request_id, o.done) for o in out] == [
        (ids["late"], True),
        (ids["soon"], True),
        (999999, False),
    ]
    assert {r.req.id for r in _search(sm, assignee="user:7").rows} == {ids["late"], ids["soon"]}
    assert {r.req.id for r in _search(sm, assignee="none").rows} == {ids["later"]}
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, ids["late"])
        assert desk.assign(s, req, "user:7", "user:1") is False  # no change, no event
        desk.assign(s, req, None, "user:1")
        desk.add_note(s, SEALER, req, "Called Karla Jensen, she will send ID", "user:7")
    with sm() as s:
        notes = desk.notes(s, SEALER, s.get_one(DsrRequest, ids["late"]))
        stored = s.execute(text("SELECT text_enc FROM dsr_notes")).scalar_one()
        events = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action.in_(["dsr.assigned", "dsr.unassigned", "dsr.note_added"]))
            .order_by(AuditEvent.seq)
        ).all()
    assert [n.text for n in notes] == ["Called Karla Jensen, she will send ID"]
    assert "Karla" not in stored  # sealed at rest
    assert [e.action for e in events] == [
        "dsr.assigned",
        "dsr.assigned",
        "dsr.unassigned",
        "dsr.note_added",
    ]
    assert json.loads(events[-1].details)["length"] == 37
    assert all("Karla" not in e.details for e in events)
    assert {r.req.id for r in _search(sm, assignee="none").rows} == {ids["late"], ids["later"]}


def test_bulk_extend_only_where_article_12_3_allows(engine: Engine, tmp_path: Path) -> None:
    sm = make_sessionmaker(engine)
    ids = _people(sm)
    fresh = _submit(sm, datetime.now(UTC), "Nina Dahl", "nina@example.com")
    settings = settings_for(engine, tmp_path)
    policy = load_policy(PROMARK)
    with sm() as s:
        before = s.get_one(DsrRequest, fresh).due_on
    out = desk.bulk_extend(
        sm, settings, policy, [ids["late"], fresh], "many systems to search", "user:1"
    )
    refused = {o.request_id: o.reason for o in out if not o.done}
    assert [o.request_id for o in out if o.done] == [fresh]
    assert "Art. 12(3)" in (refused[ids["late"]] or "")  # past its first month
    with sm() as s:
        late, done = s.get_one(DsrRequest, ids["late"]), s.get_one(DsrRequest, fresh)
        assert (late.extended, late.due_on) == (False, date(2026, 12, 2))  # left as it was
        assert done.extended and done.extension_reason == "many systems to search"
        assert (done.due_on - before).days >= 58  # two further months
    again = desk.bulk_extend(sm, settings, policy, [fresh], "again", "user:1")
    assert not again[0].done and "already extended" in (again[0].reason or "")
