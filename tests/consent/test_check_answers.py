"""The whole answer of a consent check, written out by hand for each rule: what a caller (and
the privacy officer reading the proof) sees — allowed or not, the state, the kind of basis,
the article and the reason. Each row is one rule of GDPR Art. 6(1), 7, 18 and 21 or ePrivacy
Art. 5(3) applied to one purpose of the example policy."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from tests.consent.conftest import SECRET

from steward.consent import checks, ledger
from steward.consent import state as states
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.errors import InvalidInput
from steward.store.db import make_sessionmaker, transaction

AT = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LATER = AT + timedelta(days=10)
EMAIL = "answer@example.com"

OBJECTED_DM = "the subject objected; an objection to direct marketing is absolute"
NO_OBJECTION = "no objection recorded (GDPR Art. 21)"
NECESSARY = "strictly necessary: no consent needed (ePrivacy Directive Art. 5(3))"
CONSENT_ARTICLES = "GDPR Art. 6(1)(a), Art. 7(1)"
STATISTICS = (
    "visitor statistics counted without consent as the policy says: no cookie, "
    "nothing stored on the device, no identifier kept (ePrivacy Directive Art. 5(3))"
)

# (purpose, the subject's decisions in order, allowed, state, expected basis without event_id)
CASES = [
    (
        "newsletter",
        [],
        False,
        None,
        {"kind": "no_consent", "article": CONSENT_ARTICLES, "reason": "no consent recorded"},
    ),
    (
        "newsletter",
        ["given"],
        True,
        "given",
        {"kind": "consent", "article": "GDPR Art. 6(1)(a)", "valid_until": None},
    ),
    (
        "newsletter",
        ["given", "withdrawn"],
        False,
        "withdrawn",
        {"kind": "no_consent", "article": CONSENT_ARTICLES, "reason": "the consent was withdrawn"},
    ),
    (
        "e_marketing",
        ["refused"],
        False,
        "refused",
        {"kind": "no_consent", "article": CONSENT_ARTICLES, "reason": "the consent was refused"},
    ),
    (
        "post_marketing",
        [],
        True,
        None,
        {"kind": "legitimate_interest", "article": "GDPR Art. 6(1)(f)", "reason": NO_OBJECTION},
    ),
    (
        "post_marketing",
        ["objected"],
        False,
        "objected",
        {"kind": "objection", "article": "GDPR Art. 21(3)", "reason": OBJECTED_DM},
    ),
    (
        "post_marketing",
        ["refused"],
        False,
        "refused",
        {"kind": "objection", "article": "GDPR Art. 21(3)", "reason": OBJECTED_DM},
    ),
    (
        "event_photos",
        ["objected"],
        False,
        "objected",
        {"kind": "objection", "article": "GDPR Art. 21(1)", "reason": "the subject objected"},
    ),
    (
        "satisfaction_surveys",
        ["withdrawn"],
        False,
        "withdrawn",
        {"kind": "objection", "article": "GDPR Art. 21(1)", "reason": "the subject objected"},
    ),
    # A Global Privacy Control signal is an objection by automated means (Art. 21(5)).
    (
        "event_photos",
        ["gpc_opt_out"],
        False,
        "gpc_opt_out",
        {"kind": "objection", "article": "GDPR Art. 21(1)", "reason": "the subject objected"},
    ),
    (
        "post_marketing",
        ["gpc_opt_out"],
        False,
        "gpc_opt_out",
        {"kind": "objection", "article": "GDPR Art. 21(3)", "reason": OBJECTED_DM},
    ),
    # An objection taken back: the legitimate interest applies again.
    (
        "event_photos",
        ["objected", "given"],
        True,
        "given",
        {"kind": "legitimate_interest", "article": "GDPR Art. 6(1)(f)", "reason": NO_OBJECTION},
    ),
    # The example policy counts visitor statistics without consent, whatever was recorded.
    (
        "cookie.analytics",
        [],
        True,
        None,
        {
            "kind": "statistics_without_consent",
            "article": "GDPR Art. 6(1)(f)",
            "reason": STATISTICS,
        },
    ),
    (
        "cookie.analytics",
        ["refused"],
        True,
        "refused",
        {
            "kind": "statistics_without_consent",
            "article": "GDPR Art. 6(1)(f)",
            "reason": STATISTICS,
        },
    ),
    # Cookie categories without a validity of their own last 365 days; the end is in UTC.
    (
        "cookie.preferences",
        ["given"],
        True,
        "given",
        {
            "kind": "consent",
            "article": "GDPR Art. 6(1)(a)",
            "valid_until": "2027-03-02T10:00:00+00:00",
        },
    ),
    ("cookie.necessary", [], True, None, {"kind": "strictly_necessary", "reason": NECESSARY}),
    (
        "cookie.necessary",
        ["refused"],
        True,
        "refused",
        {"kind": "strictly_necessary", "reason": NECESSARY},
    ),
]


def _decide(sm, policy, purpose: str, actions: list[str]) -> tuple[checks.CheckResult, str | None]:
    ref = email_ref(SECRET, EMAIL)
    info = resolve(policy, purpose)
    event_id = None
    with transaction(sm) as s:
        for i, action in enumerate(actions):
            event_id = ledger.record(
                s,
                policy,
                subject_ref=ref,
                purpose=info,
                action=action,
                method="test",
                recorded_by="test",
                at=AT + timedelta(minutes=i),
            ).event_id
    with transaction(sm) as s:
        return checks.check(s, policy, EMAIL, purpose, secret=SECRET, at=LATER), event_id


@pytest.mark.parametrize(("purpose", "actions", "allowed", "state", "basis"), CASES)
def test_the_whole_answer(sqlite_engine, policy, purpose, actions, allowed, state, basis) -> None:
    sm = make_sessionmaker(sqlite_engine)
    result, event_id = _decide(sm, policy, purpose, actions)
    expected = dict(basis)
    if expected["kind"] not in ("strictly_necessary", "statistics_without_consent"):
        expected["event_id"] = event_id  # the decision the answer rests on
    assert result.as_dict() == {
        "allowed": allowed,
        "subject_ref": email_ref(SECRET, EMAIL),
        "purpose": purpose,
        "state": state,
        "basis": expected,
    }
    # The batch filter (mail sends) answers exactly as the single check does, both asked now.
    with transaction(sm) as s:
        single = checks.check(s, policy, EMAIL, purpose, secret=SECRET)
        ((_, batch),) = checks.filter_rows(s, policy, SECRET, [{"email": EMAIL}], purpose)
    assert batch is not None and batch.as_dict() == single.as_dict()


def test_a_consent_past_its_validity_has_expired(sqlite_engine, policy) -> None:
    # The example policy's marketing cookies are valid for 180 days (EDPB: renew periodically).
    sm = make_sessionmaker(sqlite_engine)
    ref = email_ref(SECRET, EMAIL)
    info = resolve(policy, "cookie.marketing")
    with transaction(sm) as s:
        event = ledger.record(
            s,
            policy,
            subject_ref=ref,
            purpose=info,
            action="given",
            method="test",
            recorded_by="test",
            at=AT,
        )
    until = AT + timedelta(days=180)
    with transaction(sm) as s:
        inside = checks.check(s, policy, ref, "cookie.marketing", at=until - timedelta(seconds=1))
        past = checks.check(s, policy, ref, "cookie.marketing", at=until)
    assert inside.allowed and inside.basis == {
        "kind": "consent",
        "article": "GDPR Art. 6(1)(a)",
        "event_id": event.event_id,
        "valid_until": "2026-08-29T10:00:00+00:00",
    }
    assert (
        not past.allowed
        and past.state == "expired"
        and past.basis
        == {
            "kind": "no_consent",
            "article": CONSENT_ARTICLES,
            "event_id": event.event_id,
            "reason": "the consent has expired",
        }
    )


def test_a_restriction_wins_over_a_given_consent(sqlite_engine, policy) -> None:
    sm = make_sessionmaker(sqlite_engine)
    ref = email_ref(SECRET, EMAIL)
    with transaction(sm) as s:
        ledger.record(
            s,
            policy,
            subject_ref=ref,
            purpose=resolve(policy, "newsletter"),
            action="given",
            method="test",
            recorded_by="test",
            at=AT,
        )
    with sqlite_engine.begin() as conn:
        # A stand-alone table of the shape the built-in blocker reads (here ended_at).
        conn.execute(text("DROP TABLE IF EXISTS restrictions"))
        conn.execute(
            text(
                "CREATE TABLE restrictions (id INTEGER PRIMARY KEY, "
                "subject_ref VARCHAR(120), ended_at TIMESTAMP NULL)"
            )
        )
        conn.execute(text("INSERT INTO restrictions (id, subject_ref) VALUES (1, :s)"), {"s": ref})
    checks._plans.clear()
    try:
        with transaction(sm) as s:
            result = checks.check(s, policy, ref, "newsletter", at=LATER)
            among = checks.restricted_among(s, [ref, email_ref(SECRET, "free@example.com")])
            assert checks.is_restricted(s, ref)
            assert not checks.is_restricted(s, email_ref(SECRET, "free@example.com"))
        assert result.as_dict() == {
            "allowed": False,
            "subject_ref": ref,
            "purpose": "newsletter",
            "state": "given",
            "basis": {
                "kind": "blocked",
                "reason": "processing is restricted (GDPR Art. 18(1)): only storage is allowed",
            },
        }
        assert among == {ref}
        with sqlite_engine.begin() as conn:
            conn.execute(text("UPDATE restrictions SET ended_at = CURRENT_TIMESTAMP"))
        with transaction(sm) as s:
            assert checks.check(s, policy, ref, "newsletter", at=LATER).allowed
            assert checks.restricted_among(s, [ref]) == set()
    finally:
        checks._plans.clear()


def test_a_restricted_answer_shows_the_state_at_the_time_asked_about(sqlite_engine, policy) -> None:
    # Marketing cookies accepted on 2 March 2026 are valid for 180 days: on 12 March the
    # consent stands (processing is still restricted), from 29 August it has expired.
    sm = make_sessionmaker(sqlite_engine)
    ref = email_ref(SECRET, EMAIL)
    info = resolve(policy, "cookie.marketing")
    with transaction(sm) as s:
        ledger.record(
            s,
            policy,
            subject_ref=ref,
            purpose=info,
            action="given",
            method="test",
            recorded_by="test",
            at=AT,
        )
    with sqlite_engine.begin() as conn:
        # No end column at all: every row is an active restriction.
        conn.execute(text("DROP TABLE IF EXISTS restrictions"))
        conn.execute(text("CREATE TABLE restrictions (subject_ref VARCHAR(120))"))
        conn.execute(text("INSERT INTO restrictions (subject_ref) VALUES (:s)"), {"s": ref})
    checks._plans.clear()
    try:
        with transaction(sm) as s:
            during = checks.check(s, policy, ref, "cookie.marketing", at=LATER)
            past = checks.check(s, policy, ref, "cookie.marketing", at=AT + timedelta(days=180))
            # The preference center decides on the state row without reading the restriction
            # first: the registered restriction blocker reads it.
            centre = checks.decide(s, info, ref, states.get(s, ref, "cookie.marketing"), LATER)
        with sqlite_engine.connect() as conn:  # the API's hot path: a plain connection
            api = checks.check(conn, policy, ref, "cookie.marketing", at=LATER)
    finally:
        checks._plans.clear()
    blocked = {
        "kind": "blocked",
        "reason": "processing is restricted (GDPR Art. 18(1)): only storage is allowed",
    }
    assert (during.allowed, during.state, during.basis) == (False, "given", blocked)
    assert (past.allowed, past.state, past.basis) == (False, "expired", blocked)
    assert centre == during
    assert api == during


def test_without_a_restrictions_table_nobody_is_restricted(sqlite_engine, policy) -> None:
    with sqlite_engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS restrictions"))
    checks._plans.clear()
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        assert checks.restricted_among(s, [email_ref(SECRET, EMAIL)]) == set()
        assert not checks.is_restricted(s, email_ref(SECRET, EMAIL))
    # A table of that name but another shape (no subject_ref) is not the requests
    # capability's: nobody is restricted by it.
    with sqlite_engine.begin() as conn:
        conn.execute(
            text("CREATE TABLE restrictions (id INTEGER PRIMARY KEY, lifted_at TIMESTAMP NULL)")
        )
        conn.execute(text("INSERT INTO restrictions (id) VALUES (1)"))
    checks._plans.clear()
    with transaction(sm) as s:
        assert checks.restricted_among(s, [email_ref(SECRET, EMAIL)]) == set()
        assert not checks.is_restricted(s, email_ref(SECRET, EMAIL))
        assert checks.check(s, policy, EMAIL, "event_photos", secret=SECRET).allowed
    checks._plans.clear()


def test_filter_rows_reads_in_batches_and_keeps_every_row(sqlite_engine, policy) -> None:
    # 1,203 rows: three batches of at most 500. Every third address gave consent.
    sm = make_sessionmaker(sqlite_engine)
    emails = [f"reader{i}@example.com" for i in range(1203)]
    info = resolve(policy, "newsletter")
    with transaction(sm) as s:
        for e in emails[::3]:
            ledger.record(
                s,
                policy,
                subject_ref=email_ref(SECRET, e),
                purpose=info,
                action="given",
                method="test",
                recorded_by="test",
                at=AT,
            )
    rows = [{"email": e, "n": str(i)} for i, e in enumerate(emails)]
    rows.append({"email": "", "n": "blank"})
    with transaction(sm) as s:
        answers = list(checks.filter_rows(s, policy, SECRET, rows, "newsletter"))
    assert [r["n"] for r, _ in answers] == [r["n"] for r in rows]  # every row, in order
    kept = [r["email"] for r, res in answers if res and res.allowed]
    assert kept == emails[::3]
    assert answers[-1][1] is None  # no usable address: no answer
    refused = answers[1][1]
    assert refused is not None and refused.basis["reason"] == "no consent recorded"


def test_filter_rows_needs_the_address_column(sqlite_engine, policy) -> None:
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s, pytest.raises(InvalidInput, match="^the file has no 'mail' column$"):
        list(
            checks.filter_rows(
                s, policy, SECRET, [{"email": EMAIL}], "newsletter", email_column="mail"
            )
        )
