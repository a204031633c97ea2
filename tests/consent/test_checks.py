"""Checks and filtering: consent, legitimate interest with objections, restriction blockers."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from tests.consent.conftest import SECRET

from steward.consent import checks, ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.errors import InvalidInput
from steward.store.db import make_sessionmaker, transaction


def _record(s, policy, email, key, action):
    ledger.record(s, policy, subject_ref=email_ref(SECRET, email), purpose=resolve(policy, key),
                  action=action, method="test", recorded_by="test")


def test_rules(sqlite_engine, policy):
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        _record(s, policy, "yes@example.com", "newsletter", "given")
        _record(s, policy, "gone@example.com", "newsletter", "given")
        _record(s, policy, "gone@example.com", "newsletter", "withdrawn")
        _record(s, policy, "gone@example.com", "post_marketing", "objected")
        _record(s, policy, "gone@example.com", "event_photos", "objected")
    with transaction(sm) as s:
        def c(email, purpose):
            return checks.check(s, policy, email, purpose, secret=SECRET)

        ok = c("yes@example.com", "newsletter")
        assert ok.allowed and ok.basis["kind"] == "consent" and ok.basis["event_id"]
        assert not c("nobody@example.com", "newsletter").allowed
        gone = c("gone@example.com", "newsletter")
        assert not gone.allowed and gone.state == "withdrawn"
        # legitimate interest: allowed until objected; direct marketing objection is absolute
        assert c("nobody@example.com", "post_marketing").basis["kind"] == "legitimate_interest"
        post = c("gone@example.com", "post_marketing")
        assert not post.allowed and post.basis["article"] == "GDPR Art. 21(3)"
        photos = c("gone@example.com", "event_photos")
        assert not photos.allowed and photos.basis["article"] == "GDPR Art. 21(1)"
        assert c("yes@example.com", "event_photos").allowed
        assert c("x@example.com", "cookie.necessary").allowed
        with pytest.raises(InvalidInput) as err:
            c("yes@example.com", "telemarketing")
        assert "newsletter" in err.value.detail and "cookie.analytics" in err.value.detail


def test_restriction_table_blocks(engine, policy):
    sm = make_sessionmaker(engine)
    checks._plans.clear()
    with transaction(sm) as s:
        _record(s, policy, "held@example.com", "newsletter", "given")
        assert checks.check(s, policy, "held@example.com", "newsletter", secret=SECRET).allowed
    # The requests capability's table has this shape (subject_ref, lifted_at, plus a foreign
    # key to its requests); a stand-alone copy keeps this test to the consent capability.
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS restrictions"))
        conn.execute(text("CREATE TABLE restrictions (id INTEGER PRIMARY KEY, "
                          "subject_ref VARCHAR(120), lifted_at TIMESTAMP NULL)"))
        conn.execute(text("INSERT INTO restrictions (id, subject_ref) VALUES (1, :s)"),
                     {"s": email_ref(SECRET, "held@example.com")})
    checks._plans.clear()
    with transaction(sm) as s:
        r = checks.check(s, policy, "held@example.com", "newsletter", secret=SECRET)
        assert not r.allowed and "Art. 18" in r.basis["reason"]
        assert checks.check(s, policy, "free@example.com", "post_marketing",
                            secret=SECRET).allowed
    with engine.begin() as conn:
        conn.execute(text("UPDATE restrictions SET lifted_at = CURRENT_TIMESTAMP"))
    with transaction(sm) as s:
        assert checks.check(s, policy, "held@example.com", "newsletter", secret=SECRET).allowed
    checks._plans.clear()


def test_registered_blocker(sqlite_engine, policy):
    sm = make_sessionmaker(sqlite_engine)

    def legal_hold(session, ref):
        return "on legal hold" if ref == "acct:9" else None

    checks.register_blocker(legal_hold)
    try:
        with transaction(sm) as s:
            assert not checks.check(s, policy, "acct:9", "event_photos").allowed
            assert checks.check(s, policy, "acct:8", "event_photos").allowed
    finally:
        checks.BLOCKERS.remove(legal_hold)


def test_filter_rows(sqlite_engine, policy):
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        _record(s, policy, "a@example.com", "e_marketing", "given")
        _record(s, policy, "b@example.com", "e_marketing", "refused")
    rows = [{"email": "a@example.com", "name": "A"}, {"email": "b@example.com", "name": "B"},
            {"email": "c@example.com", "name": "C"}, {"email": "not-an-address", "name": "D"}]
    with transaction(sm) as s:
        kept = [r["name"] for r, res in checks.filter_rows(s, policy, SECRET, rows, "e_marketing")
                if res and res.allowed]
    assert kept == ["A"]


def test_statistics_category_follows_the_policy(sqlite_engine, policy):
    """ProMark counts statistics without consent: the check allows them on Art. 6(1)(f) and a
    refusal sent for them records nothing. A policy keeping them behind the banner records the
    refusal and the check refuses (Art. 6(1)(a))."""
    from steward.consent import banner

    sm = make_sessionmaker(sqlite_engine)
    asked = policy.model_copy(update={"analytics": policy.analytics.model_copy(
        update={"without_consent": False})})
    cid = "0b0b0b0b-0000-4000-8000-000000000001"
    for pol in (policy, asked):
        with transaction(sm) as s:
            banner.record(s, pol, {"cid": cid, "v": 1, "lang": "en", "ui": "reject_all",
                                   "sha": banner.notice(pol, "en").sha256,
                                   "choices": {"analytics": False}})
            r = checks.check(s, pol, f"cid:{cid}", "cookie.analytics")
            answer = (r.allowed, r.basis["kind"], r.basis.get("article"))
        if pol is policy:
            assert answer == (True, "statistics_without_consent", "GDPR Art. 6(1)(f)")
        else:
            assert answer == (False, "no_consent", "GDPR Art. 6(1)(a), Art. 7(1)")
    with transaction(sm) as s:
        from sqlalchemy import select

        from steward.consent.tables import ConsentEvent

        assert [(e.purpose, e.action) for e in s.scalars(select(ConsentEvent))] == [
            ("cookie.analytics", "refused")]  # only the policy that asks recorded it
