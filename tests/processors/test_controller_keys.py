"""Controllers' API keys share the consent keys' mechanism (steward.store.apikeys) but never
their use: a key of one kind is refused as the other; keys are stored as hashes, shown once,
scoped to one controller the policy serves, revocable, and every change is audited."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import Engine, select
from tests.helpers import PROMARK

from steward.audit.tables import AuditEvent
from steward.consent import apikeys as consent_keys
from steward.errors import NotFound
from steward.policy.loader import load_policy
from steward.processors import apikeys
from steward.processors.tables import ControllerApiKey
from steward.store.db import make_sessionmaker, transaction


def test_keys_are_per_controller_hashed_and_not_interchangeable(sqlite_engine: Engine) -> None:
    policy = load_policy(PROMARK)
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        row, key = apikeys.create(s, policy, controller="nordlys", name="HR", actor="user:1")
        _, consent_key = consent_keys.create(s, name="shop", actor="user:1")
        with pytest.raises(NotFound):
            apikeys.create(s, policy, controller="nobody", name="HR", actor="user:1")
    with transaction(sm) as s:
        stored = s.scalars(select(ControllerApiKey)).one()
        assert key not in (stored.key_hash, stored.prefix) and stored.controller == "nordlys"
        assert apikeys.verify(s, key) is not None
        assert apikeys.verify(s, consent_key) is None
        assert consent_keys.verify(s, key) is None
        assert apikeys.verify(s, key[:-1] + ("A" if key[-1] != "A" else "B")) is None
        apikeys.revoke(s, row.prefix, actor="user:1")
    with transaction(sm) as s:
        assert apikeys.verify(s, key) is None
        audit = [
            (e.action, e.subject_ref, json.loads(e.details))
            for e in s.scalars(
                select(AuditEvent)
                .where(AuditEvent.action.like("controllers.%"))
                .order_by(AuditEvent.seq)
            )
        ]
    assert [(a, ref) for a, ref, _ in audit] == [
        ("controllers.api_key_created", "controller:nordlys"),
        ("controllers.api_key_revoked", "controller:nordlys"),
    ]
    assert all(key not in json.dumps(d) for _, _, d in audit)
