"""Affected people in an HTTP system: the demo newsletter API served for real by uvicorn on a
free port, selected by identity values and ids; what its API cannot answer is refused."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import NOW, breach_input, promark
from tests.connectors.servers import free_port, serve

from steward.breaches.affected import Selection, find_affected, record_lookup
from steward.breaches.register import get_breach, register_breach
from steward.demo import build
from steward.demo.newsletter import newsletter_app
from steward.errors import InvalidInput, Unavailable
from steward.policy.models import Policy
from steward.store.db import transaction

TOKEN = "test-token-not-a-secret"


@pytest.fixture
def newsletter(tmp_path: Path) -> Iterator[tuple[Policy, Path, list[tuple[int, str]]]]:
    """(policy pointing at the live API, base_dir holding its token, [(id, email)] subscribers)"""
    loc = build.in_dir(tmp_path / "demo")
    build.build(loc, customers=20, seed=5)
    engine = sa.create_engine(f"sqlite:///{loc.newsletter_db}")
    with engine.connect() as c:
        subs = [(int(i), str(e)) for i, e in c.execute(
            sa.text("SELECT id, email FROM subscribers ORDER BY id"))]
    engine.dispose()
    (tmp_path / "newsletter.token").write_text(TOKEN + "\n")
    with serve(newsletter_app(loc.newsletter_db, TOKEN)) as base:
        yield _pointed(f"{base}/api"), tmp_path, subs


def _pointed(url: str) -> Policy:
    policy = promark()
    systems = [s.model_copy(update={"url": url, "url_env": None}) if s.key == "newsletter"
               else s for s in policy.systems]
    return policy.model_copy(update={"systems": systems})


def test_by_identity_values_and_ids(
    newsletter: tuple[Policy, Path, list[tuple[int, str]]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy, base_dir, subs = newsletter
    monkeypatch.delenv("PROMARK_NEWSLETTER_TOKEN", raising=False)
    assert len(subs) >= 4
    (id1, e1), (id2, e2), (id3, e3) = subs[0], subs[1], subs[2]
    by_email = find_affected(policy, Selection(
        system="newsletter", table="subscribers",
        identities={"email": [e1, e2, "nobody@example.com"]}), secret="k", base_dir=base_dir)
    assert by_email.records == 2
    assert [p.email for p in by_email.people] == sorted([e1.lower(), e2.lower()])
    # ids through the export endpoint; an unknown id is skipped, a repeated one counted once
    by_id = find_affected(policy, Selection(
        system="newsletter", table="subscribers", ids=[id3, id1, id1, 999_999]),
        secret="k", base_dir=base_dir)
    assert by_id.records == 2
    assert [p.email for p in by_id.people] == sorted([e1.lower(), e3.lower()])
    # both criteria: a record must match both
    both = find_affected(policy, Selection(
        system="newsletter", table="subscribers", ids=[id2, id3],
        identities={"email": [e1, e2]}), secret="k", base_dir=base_dir)
    assert [p.email for p in both.people] == [e2.lower()]


def test_what_the_api_cannot_answer(
    newsletter: tuple[Policy, Path, list[tuple[int, str]]], monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy, base_dir, _ = newsletter
    monkeypatch.delenv("PROMARK_NEWSLETTER_TOKEN", raising=False)
    base = {"system": "newsletter", "table": "subscribers"}
    for extra, message in [
        ({"date_column": "subscribed_at", "since": datetime(2026, 1, 1, tzinfo=UTC)},
         "cannot select by time"),
        ({"ids": [1], "filters": [{"field": "source", "value": "web"}]}, "cannot filter"),
        ({}, "Give ids or identity values"),
        ({"identities": {"phone": ["+4512345678"]}}, "no 'phone' identity"),
        ({"ids": [1], "country_column": "password"}, "not a field the policy declares"),
        ({"table": "customers", "ids": [1]}, "no table 'customers'"),
    ]:
        with pytest.raises(InvalidInput, match=message):
            find_affected(policy, Selection(**{**base, **extra}), secret="k", base_dir=base_dir)
    down = _pointed(f"http://127.0.0.1:{free_port()}/api")
    with pytest.raises(Unavailable, match="'newsletter' is unavailable"):
        find_affected(down, Selection(**base, ids=[1]), secret="k", base_dir=base_dir)
    monkeypatch.setenv("PROMARK_NEWSLETTER_TOKEN", "wrong-token")
    with pytest.raises(Unavailable, match="refused Steward's credentials"):
        find_affected(policy, Selection(**base, ids=[1]), secret="k", base_dir=base_dir)


def test_counts_from_an_http_lookup_feed_the_register(
    newsletter: tuple[Policy, Path, list[tuple[int, str]]], sm: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    policy, base_dir, subs = newsletter
    monkeypatch.delenv("PROMARK_NEWSLETTER_TOKEN", raising=False)
    sel = Selection(system="newsletter", table="subscribers", ids=[i for i, _ in subs[:3]])
    found = find_affected(policy, sel, secret="k", base_dir=base_dir)
    with transaction(sm) as s:
        bid = register_breach(s, policy, breach_input(systems=["newsletter"]),
                              actor="officer", now=NOW).id
        lookup = record_lookup(s, bid, sel, found, actor="officer", now=NOW)
        assert lookup.selection["ids"] == 3 and lookup.selection["identities"] == {}
        row = get_breach(s, bid)
        assert (row.subjects_approx, row.records_approx) == (len(found.people), 3)
