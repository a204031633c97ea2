"""Proof of consent for one subject (Art. 7(1)): every event, the exact notices shown, and
the hash-chain links that show the events were not altered.

Field names follow ISO/IEC TS 27560:2023 (consent record information structure) where it has
one: consent record, PII principal, processing purposes, notice, event type, timestamp.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from steward.consent import ledger, state
from steward.consent.purposes import all_purposes
from steward.consent.tables import ConsentEvent, ConsentSnapshot
from steward.i18n import N_
from steward.policy.models import Policy
from steward.store.db import as_utc

SCHEMA = "steward-consent-proof/1 (field names after ISO/IEC TS 27560:2023)"
# How each event's hash is made (`steward.consent.ledger`); shown in words in the console.
HASH_ALGORITHM = N_("sha256 over prev_hash + U+001F + canonical JSON of the event fields")


def _ts(at: datetime | None) -> str | None:
    return as_utc(at).isoformat() if at else None


def _principal_type(ref: str) -> str:
    return {"email": "email-address-hmac-sha256", "acct": "account-identifier",
            "cid": "browser-consent-identifier"}.get(ref.split(":", 1)[0], "other")


def _record(ev: ConsentEvent, titles: dict[str, str]) -> dict[str, Any]:
    return {
        "consent_record_id": ev.event_id,
        "sequence_number": ev.seq,
        "event_type": ev.action,
        "timestamp": _ts(ev.at),
        "processing_purposes": [{"purpose_id": ev.purpose, "purpose_version": ev.purpose_version,
                                 "purpose_title": titles.get(ev.purpose, ev.purpose)}],
        "notice": None if ev.notice_id is None else {
            "notice_id": ev.notice_id, "notice_version": ev.notice_version,
            "notice_language": ev.notice_language, "notice_sha256": ev.snapshot_sha256},
        "collection_method": ev.method,
        "ui_action": ev.ui_action,
        "source": {"page": ev.source_page, "form_id": ev.form_id,
                   "banner_revision": ev.banner_revision},
        "evidence": ev.evidence_ref,
        "recorded_by": ev.recorded_by,
        "valid_until": _ts(ev.valid_until),
        "gpc_signal": ev.gpc,
        "supersedes": ev.supersedes,
        "ip_address": ev.ip_address,
        "previous_hash": ev.prev_hash,
        "hash": ev.hash,
        "hash_verified": ledger.event_hash(ev.prev_hash, ev) == ev.hash,
    }


def export(session: Session, policy: Policy, subject_ref: str) -> dict[str, Any]:
    """The proof document (JSON-able) for `subject_ref`."""
    titles = {p.key: p.title for p in all_purposes(policy)}
    events = state.history(session, subject_ref)
    shas = sorted({e.snapshot_sha256 for e in events if e.snapshot_sha256})
    notices = {}
    for sha in shas:
        snap = session.get(ConsentSnapshot, sha)
        if snap is not None:
            notices[sha] = {"notice_id": snap.notice_id, "notice_version": snap.notice_version,
                            "notice_language": snap.language, "first_stored": _ts(snap.created_at),
                            "content": json.loads(snap.content)}
    current = [
        {"purpose_id": st.purpose, "state": state.effective(st), "consent_record_id": st.event_id,
         "since": _ts(st.updated_at), "valid_until": _ts(st.valid_until)}
        for st in sorted(state.for_subject(session, subject_ref).values(), key=lambda s: s.purpose)
    ]
    records = [_record(e, titles) for e in events]
    verdict = ledger.verify(session)
    return {
        "schema": SCHEMA,
        "controller": {"name": policy.controller.name,
                       "contact": policy.controller.email or policy.controller.phone},
        "pii_principal": {"pii_principal_id": subject_ref,
                          "id_type": _principal_type(subject_ref)},
        "consent_records": records,
        "current_state": current,
        "notices": notices,
        "hash_chain": {
            "algorithm": HASH_ALGORITHM,
            "segment": [{"sequence_number": r["sequence_number"], "previous_hash":
                         r["previous_hash"], "hash": r["hash"]} for r in records],
            "all_events_verified": all(r["hash_verified"] for r in records),
            "whole_chain": {"intact": verdict.ok, "events_checked": verdict.checked,
                            "first_broken": verdict.first_broken, "reason": verdict.reason},
        },
    }
