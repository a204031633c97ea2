"""Published policy versions: kept once per content, earlier ones viewable, changes listed."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import PROMARK, make_client

from steward.policy.loader import load_policy
from steward.publication.versions import changes_since_previous, history, publish
from steward.store.db import make_sessionmaker, transaction


def test_versions_are_kept_and_new_purposes_listed(engine: Engine) -> None:
    sm = make_sessionmaker(engine)
    old = load_policy(PROMARK)
    purpose = old.purposes[0].model_copy(update={"key": "ai_assistant", "title": "AI assistant"})
    new = old.model_copy(update={
        "purposes": [*old.purposes, purpose],
        "policy": old.policy.model_copy(update={"version": "2026-12-01"}),
    })
    with transaction(sm) as s:
        first = publish(s, old)
        assert publish(s, old).id == first.id  # same content: stored once
        second = publish(s, new)
    with transaction(sm) as s:
        assert [v.version for v in history(s)] == ["2026-12-01", old.policy.version]
        diff = changes_since_previous(s, second.id)
        assert diff is not None and diff.new_purposes == ["ai_assistant"]
        assert changes_since_previous(s, first.id) is None


def test_earlier_versions_are_public(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    listing = client.get("/privacy/versions")
    assert listing.status_code == 200 and "2020-02-20" in listing.text
    page = client.get("/privacy/versions/1")
    assert page.status_code == 200 and "ProMark A/S" in page.text
    assert client.get("/privacy/versions/999").status_code == 404
