"""The `redact` action is the scanner's in-place redaction: re-scanned until clean, the mask
when a tag would not fit the column, and values the scanner cannot read counted in the run's
evidence (`skipped_unscannable`) instead of being left silently."""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.retention import company as co
from tests.retention.conftest import engines_for
from tests.retention.test_sweep import CPR_TEXT, NOW

from steward import audit
from steward.policy.models import Policy
from steward.retention import evidence
from steward.retention.sweep import run_rule
from steward.retention.tables import RetentionRun
from steward.scanner import scan
from steward.store.db import transaction

RULE = "support_sensitive_data"
HUGE = "x" * 1_000_001  # over the scanner's 1,000,000-character limit


def _tickets(url: str, messages: list[dict[str, Any]]) -> sa.Engine:
    eng = sa.create_engine(url)
    with eng.begin() as c:
        c.execute(co.tickets.insert(), [
            {"id": 1, "requester_email": "ada@example.com", "closed_at": co.at("2025-05-31")}])
        c.execute(co.messages.insert(), [{"ticket_id": 1, "author": "Ada", **m}
                                         for m in messages])
    return eng


def _bodies(eng: sa.Engine) -> dict[int, Any]:
    with eng.connect() as c:
        return dict(c.execute(sa.select(co.messages.c.id, co.messages.c.body)).all())


def test_unscannable_values_are_counted_in_the_evidence(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    eng = _tickets(sqlite_company, [
        {"id": 1, "body": CPR_TEXT},
        {"id": 2, "body": "pdf\x00\x01binary"},          # NUL bytes: binary in a text column
        {"id": 3, "body": b"\xff\xfe not utf-8 at all"},  # bytes that are not text
        {"id": 4, "body": HUGE},
        {"id": 5, "body": None},                          # nothing to read: not counted
    ])
    before = _bodies(eng)
    engines = engines_for(sqlite_company)
    result = run_rule(store, co.make_policy(), RULE, engines=engines, now=NOW, batch_size=2)
    assert result.status == "done" and result.counts == {"messages": 1}
    assert result.skipped_unscannable == 3
    after = _bodies(eng)
    assert scan(after[1]) == [] and "[DK_CPR]" in after[1]  # rescanned until clean
    assert {k: after[k] for k in (2, 3, 4, 5)} == {k: before[k] for k in (2, 3, 4, 5)}
    with transaction(store) as s:
        run = s.get(RetentionRun, result.run_id)
        assert run is not None
        summary = evidence.summary(s, run)
        [event] = audit.events_for(s, f"retention_run:{run.id}")
    assert summary["skipped_unscannable"] == 3
    assert summary["skipped_by_reason"] == {"binary": 2, "too_large": 1}
    details = json.loads(event.details)
    assert details["skipped_unscannable"] == 3 and "070761" not in event.details

    # Idempotent: the rerun changes nothing and says again what it could not read.
    again = run_rule(store, co.make_policy(), RULE, engines=engines, now=NOW)
    assert again.counts == {"messages": 0} and again.skipped_unscannable == 3
    assert _bodies(eng) == after
    engines.dispose()
    eng.dispose()


def test_redaction_keeps_to_the_column_length(
    sqlite_company: str, store: sessionmaker[Session]
) -> None:
    # `author` is VARCHAR(200) in the test schema; a rule redacting it with a value whose tags
    # would overflow falls back to the length-keeping mask (the scanner's own behaviour).
    rules = [{**r, "fields": ["author"]} if r["key"] == RULE else r for r in co.RULES]
    policy = co.make_policy(rules)
    assert isinstance(policy, Policy)
    text = " ".join(["I was ill."] * 18)  # 197 characters; 18 `[HEALTH]` tags would need 287
    assert len(text) <= 200
    eng = _tickets(sqlite_company, [{"id": 1, "body": "kept", "author": None}])
    with eng.begin() as c:
        c.execute(sa.update(co.messages).values(author=text))
    engines = engines_for(sqlite_company)
    result = run_rule(store, policy, RULE, engines=engines, now=NOW)
    engines.dispose()
    assert result.counts == {"messages": 1}
    with eng.connect() as c:
        author = c.execute(sa.select(co.messages.c.author)).scalar_one()
    eng.dispose()
    assert len(author) == len(text) and " ill." not in author and "*" in author
    assert scan(author) == []
