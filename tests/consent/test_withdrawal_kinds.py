"""A withdrawal (or objection) refuses every kind of purpose: consent (Art. 7(3)), legitimate
interest (Art. 21(1)) and opt-out (Art. 21(1), absolute for direct marketing under Art. 21(3)).

The expected answers are written by hand from the articles, one row per purpose of the example
policy and per action, not derived from the purpose's own settings."""

from __future__ import annotations

import pytest
from tests.consent.conftest import SECRET

from steward.consent import checks, ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.store.db import make_sessionmaker, transaction

# (purpose, what the subject did, allowed afterwards?, article the refusal names or None)
CASES = [
    # opt-in consent, Art. 6(1)(a): only a given consent allows; withdrawing ends it (Art. 7(3)).
    ("newsletter", "given", True, None),
    ("newsletter", "withdrawn", False, None),
    ("portrait_images", "withdrawn", False, None),
    # opt-out, direct marketing by post on Art. 6(1)(f): any withdrawal or objection is absolute.
    ("post_marketing", "withdrawn", False, "GDPR Art. 21(3)"),
    ("post_marketing", "objected", False, "GDPR Art. 21(3)"),
    # opt-out on Art. 6(1)(f), not direct marketing: an objection under Art. 21(1).
    ("satisfaction_surveys", "withdrawn", False, "GDPR Art. 21(1)"),
    ("event_photos", "withdrawn", False, "GDPR Art. 21(1)"),
    ("event_photos", "objected", False, "GDPR Art. 21(1)"),
]


@pytest.mark.parametrize(("purpose", "action", "allowed", "article"), CASES)
def test_withdrawal_refuses_every_purpose_kind(
    sqlite_engine, policy, purpose, action, allowed, article
) -> None:
    sm = make_sessionmaker(sqlite_engine)
    ref = email_ref(SECRET, "withdrawer@example.com")
    info = resolve(policy, purpose)
    with transaction(sm) as s:
        if info.mode == "opt_in" and action != "given":
            ledger.record(s, policy, subject_ref=ref, purpose=info, action="given",
                          method="test", recorded_by="test")
        ledger.record(s, policy, subject_ref=ref, purpose=info, action=action,
                      method="test", recorded_by="test")
    with transaction(sm) as s:
        result = checks.check(s, policy, "withdrawer@example.com", purpose, secret=SECRET)
        # The batch path (mail sends) must give the same answer as the single check.
        batch = [r for _, r in checks.filter_rows(
            s, policy, SECRET, [{"email": "withdrawer@example.com"}], purpose)]
    assert result.allowed is allowed, (purpose, action, result.basis)
    assert result.state == action
    if article is not None:
        assert result.basis["kind"] == "objection" and result.basis["article"] == article
    assert len(batch) == 1 and batch[0] is not None and batch[0].allowed is allowed
