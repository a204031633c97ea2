"""A purpose announced as new waits for its start date (GDPR Art. 13(3), Art. 14(4)): the
consent check and the batch filter both answer "not yet" before the ledger is read, for every
consent purpose that serves the announced policy purpose and for no other.

In the example policy the newsletter and marketing by post serve the policy purpose
`marketing`; event photos serve `customer_relationship`; cookie categories serve no policy
purpose. The expected answers are written out by hand."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from tests.consent.conftest import SECRET

from steward.consent import checks, ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.policy.models import Policy
from steward.publication.tables import Announcement, AnnouncementRecipient, PolicyVersion
from steward.store.db import make_sessionmaker, transaction

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
STARTS = datetime(2026, 4, 1, 0, 0, tzinfo=UTC)
ARTICLE = "GDPR Art. 13(3), Art. 14(4)"
NOT_TOLD = (
    "the new purpose 'marketing' is announced before its processing starts: the people "
    "concerned have not been told yet (GDPR Art. 13(3), Art. 14(4))"
)


def _waits(starts_at: datetime | None, reason: str = NOT_TOLD) -> dict[str, object]:
    return {
        "kind": "not_yet",
        "article": ARTICLE,
        "purpose": "marketing",
        "starts_at": starts_at.isoformat() if starts_at else None,
        "reason": reason,
    }


def _announce(
    engine: Engine,
    *,
    status: str,
    starts_at: datetime | None = None,
    all_on_time: bool = False,
    told: dict[str, tuple[str, datetime | None]] | None = None,
) -> None:
    """An announcement that the policy purpose `marketing` is new; `told`: address ->
    (the recipient's status, their own start date)."""
    with transaction(make_sessionmaker(engine)) as s:
        version = PolicyVersion(
            policy_id="promark",
            version="2",
            effective=AT.date(),
            sha256="c" * 64,
            published_at=AT,
            document="{}",
        )
        s.add(version)
        s.flush()
        ann = Announcement(
            version_id=version.id,
            purpose="marketing",
            change="added",
            details="",
            status=status,
            notice_days=30,
            created_at=AT,
            starts_at=starts_at,
            all_on_time=all_on_time,
            subjects=len(told or {}),
            without_address=0,
        )
        s.add(ann)
        s.flush()
        for address, (state, own_start) in (told or {}).items():
            s.add(
                AnnouncementRecipient(
                    announcement_id=ann.id,
                    subject_ref=email_ref(SECRET, address),
                    language="en",
                    status=state,
                    attempts=1,
                    starts_at=own_start,
                )
            )


def _give(engine: Engine, policy: Policy, address: str, purpose: str) -> None:
    with transaction(make_sessionmaker(engine)) as s:
        ledger.record(
            s,
            policy,
            subject_ref=email_ref(SECRET, address),
            purpose=resolve(policy, purpose),
            action="given",
            method="test",
            recorded_by="test",
            at=AT - timedelta(days=1),
        )


def test_nobody_told_yet_holds_back_every_purpose_serving_the_new_one(
    sqlite_engine, policy
) -> None:
    address = "eager@example.com"
    for purpose in ("newsletter", "cookie.marketing"):
        _give(sqlite_engine, policy, address, purpose)
    _announce(sqlite_engine, status="planned")
    ref = email_ref(SECRET, address)
    with transaction(make_sessionmaker(sqlite_engine)) as s:

        def answer(purpose: str) -> dict[str, object]:
            return checks.check(s, policy, address, purpose, secret=SECRET, at=AT).as_dict()

        # Consent given, yet the purpose it serves may not start: not yet, no ledger state.
        assert answer("newsletter") == {
            "allowed": False,
            "subject_ref": ref,
            "purpose": "newsletter",
            "state": None,
            "basis": _waits(None),
        }
        assert answer("post_marketing") == {
            "allowed": False,
            "subject_ref": ref,
            "purpose": "post_marketing",
            "state": None,
            "basis": _waits(None),
        }
        # Photos serve another policy purpose; a cookie category serves none.
        assert answer("event_photos")["allowed"] is True
        marketing_cookies = answer("cookie.marketing")
        assert marketing_cookies["allowed"] is True
        assert marketing_cookies["basis"]["kind"] == "consent"  # type: ignore[index]


def test_the_start_date_passes_at_the_time_asked_about(sqlite_engine, policy) -> None:
    # Everyone was told on time; the purpose starts on 1 April 2026 at 00:00 UTC.
    address = "patient@example.com"
    _give(sqlite_engine, policy, address, "newsletter")
    _announce(sqlite_engine, status="sent", starts_at=STARTS, all_on_time=True)
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        before = checks.check(
            s, policy, address, "newsletter", secret=SECRET, at=STARTS - timedelta(seconds=1)
        )
        on = checks.check(s, policy, address, "newsletter", secret=SECRET, at=STARTS)
    assert (before.allowed, before.state) == (False, None)
    assert before.basis == _waits(
        STARTS,
        "the new purpose 'marketing' is announced before its "
        "processing starts: it may start on 2026-04-01 "
        "(GDPR Art. 13(3), Art. 14(4))",
    )
    assert (on.allowed, on.state, on.basis["kind"]) == (True, "given", "consent")


def test_the_batch_filter_holds_back_the_people_not_yet_told(sqlite_engine, policy) -> None:
    # The mails went out ten days ago, not all on time: one failed, one was told late and
    # waits until its own date, one was told on time, one was never on the list.
    now = datetime.now(UTC).replace(microsecond=0)
    started, late = now - timedelta(days=10), now + timedelta(days=20)
    people = ["failed@example.com", "late@example.com", "told@example.com", "unlisted@example.com"]
    for address in people:
        _give(sqlite_engine, policy, address, "newsletter")
    _announce(
        sqlite_engine,
        status="sent",
        starts_at=started,
        told={
            "failed@example.com": ("failed", None),
            "late@example.com": ("sent", late),
            "told@example.com": ("sent", started),
        },
    )
    rows = [{"email": a} for a in people] + [{"email": ""}]
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        batch = [
            (row["email"], r and (r.allowed, r.state, r.basis.get("starts_at")))
            for row, r in checks.filter_rows(s, policy, SECRET, rows, "newsletter")
        ]
        single = [
            (a, (r.allowed, r.state, r.basis.get("starts_at")))
            for a in people
            for r in [checks.check(s, policy, a, "newsletter", secret=SECRET)]
        ]
    assert batch == [
        ("failed@example.com", (False, None, None)),
        ("late@example.com", (False, None, late.isoformat())),
        ("told@example.com", (True, "given", None)),
        ("unlisted@example.com", (True, "given", None)),
        ("", None),
    ]
    assert single == batch[:-1]


def test_the_batch_filter_holds_back_everyone_before_anyone_is_told(sqlite_engine, policy) -> None:
    _give(sqlite_engine, policy, "keen@example.com", "newsletter")
    _give(sqlite_engine, policy, "keen@example.com", "cookie.preferences")
    _announce(sqlite_engine, status="planned")
    rows = [
        {"email": "keen@example.com"},
        {"email": "fresh@example.com"},
        {"email": "not-an-address"},
    ]
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        held = [
            (r and r.as_dict())
            for _, r in checks.filter_rows(s, policy, SECRET, rows, "newsletter")
        ]
        cookies = [
            (r and (r.allowed, r.basis["kind"]))
            for _, r in checks.filter_rows(s, policy, SECRET, rows, "cookie.preferences")
        ]
    assert held == [
        {
            "allowed": False,
            "subject_ref": email_ref(SECRET, "keen@example.com"),
            "purpose": "newsletter",
            "state": None,
            "basis": _waits(None),
        },
        {
            "allowed": False,
            "subject_ref": email_ref(SECRET, "fresh@example.com"),
            "purpose": "newsletter",
            "state": None,
            "basis": _waits(None),
        },
        None,
    ]  # no usable address: no answer, held back or not
    # The cookie category serves no policy purpose: the announcement does not concern it.
    assert cookies == [(True, "consent"), (False, "no_consent"), None]
