"""Both hash chains (audit log, consent ledger) go through `steward.audit.chain`: one format,
the same digest for the same event shape, and rows stored in the format verify."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.audit import chain
from steward.audit.log import event_hash as audit_hash
from steward.audit.tables import AuditEvent, AuditHead
from steward.consent import ledger
from steward.store.db import transaction

AT = datetime(2026, 3, 1, 9, 30, 0, 123456, tzinfo=UTC)
PREV = "ab" * 32


def _sha(text: str) -> str:
    # The format written out by hand: sha256 over the fields joined by U+001F.
    return hashlib.sha256(text.encode()).hexdigest()


def test_audit_event_hash_is_the_documented_format() -> None:
    details = '{"note":"æøå","step":3}'
    expected = _sha("\x1f".join(
        [PREV, "7", "2026-03-01T09:30:00.123456", "officer:1", "dsr.verified", "dsr:1", details]))
    assert audit_hash(PREV, 7, AT, "officer:1", "dsr.verified", "dsr:1", details) == expected
    # The same wall time without tzinfo (as SQLite returns it) hashes the same.
    assert audit_hash(PREV, 7, AT.replace(tzinfo=None), "officer:1", "dsr.verified", "dsr:1",
                      details) == expected


def _consent_values() -> dict[str, object]:
    values: dict[str, object] = dict.fromkeys(ledger.HASHED)
    values.update(seq=7, event_id="5f0c6f2e-0000-4000-8000-000000000001", at=AT,
                  subject_ref="sub:1", purpose="newsletter", purpose_version=2, action="given",
                  method="banner", recorded_by="test", gpc=0)
    return values


def test_consent_event_hash_is_the_documented_format() -> None:
    fields = dict(_consent_values())
    fields["at"], fields["gpc"] = "2026-03-01T09:30:00.123456", False
    payload = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert ledger.hash_values(PREV, _consent_values()) == _sha(PREV + "\x1f" + payload)


def test_both_chains_hash_the_same_event_shape_identically() -> None:
    # One event shape: a previous hash and a list of text parts. Each chain reduces its event
    # to parts; the shared link turns the parts into the digest.
    audit_parts = ["7", chain.iso(AT), "officer:1", "dsr.verified", "dsr:1", "{}"]
    assert audit_hash(PREV, 7, AT, "officer:1", "dsr.verified", "dsr:1", "{}") == chain.link(
        PREV, *audit_parts)
    consent_payload = ledger._payload(_consent_values())
    assert ledger.hash_values(PREV, _consent_values()) == chain.link(PREV, consent_payload)
    # An audit event whose parts are the consent event's parts hashes to the same digest.
    assert chain.link(PREV, consent_payload) == _sha(PREV + "\x1f" + consent_payload)
    assert chain.canonical({"b": 1, "a": "ø"}) == '{"a":"ø","b":1}'


def test_rows_stored_in_the_format_verify(sm: sessionmaker[Session]) -> None:
    # Rows written straight to the table, hashed by hand (as a chain stored by an earlier
    # release would be), verify; a changed actor names its event.
    prev, rows = "0" * 64, []
    for seq in (1, 2, 3):
        at = datetime(2026, 1, seq, 8, 0, tzinfo=UTC)
        digest = _sha("\x1f".join([prev, str(seq), at.replace(tzinfo=None).isoformat(
            timespec="microseconds"), "system", "policy.loaded", "", "{}"]))
        rows.append({"seq": seq, "at": at, "actor": "system", "action": "policy.loaded",
                     "subject_ref": None, "details": "{}", "prev_hash": prev, "hash": digest})
        prev = digest
    with transaction(sm) as s:
        s.execute(insert(AuditEvent), rows)
        head = s.get(AuditHead, 1)
        if head is None:
            s.add(AuditHead(id=1, seq=3, hash=prev))
        else:
            head.seq, head.hash = 3, prev
    with transaction(sm) as s:
        v = audit.verify(s)
    assert v.ok and v.checked == 3
    with transaction(sm) as s:
        s.get_one(AuditEvent, 2).actor = "someone"
    with transaction(sm) as s:
        v = audit.verify(s)
    assert not v.ok and v.first_broken == 2 and v.reason == "event content does not match its hash"
