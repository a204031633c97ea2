"""The console's announcement pages (countdown, who will and will not be told, send) and the
public versions page showing the announcement."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import PROMARK, login, make_client, settings_for
from tests.publication.factories import demo_company, policy_v2

from steward.policy.loader import load_policy
from steward.publication import announcements
from steward.publication.versions import publish
from steward.store.db import make_sessionmaker, transaction

# The same purpose, but its activity names no system: nobody can be told by mail.
NO_SYSTEM = """
purposes:
  - key: product_research
    title: {en: Product research interviews}
    description: {en: We invite customers to short interviews.}
    legal_bases: [f]
    legitimate_interests: [{en: Improving our products}]
processing_activities:
  - key: product_research
    name: {en: Product research}
    purposes: [product_research]
    subjects: [customer]
    data_categories: [user.contact.email]
"""


@pytest.fixture
def web(sqlite_engine: Engine, tmp_path: Path,
        smtp_server: tuple[str, int, list[object]]) -> Iterator[tuple[TestClient, str, int]]:
    v2 = policy_v2(tmp_path)
    settings = settings_for(sqlite_engine, tmp_path, policy=v2)
    demo = demo_company(settings.data_dir)
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        publish(s, load_policy(PROMARK))
    client = make_client(sqlite_engine, tmp_path, policy=v2, smtp_host=smtp_server[0],
                         smtp_port=smtp_server[1], smtp_starttls=False)
    eng = sa.create_engine(f"sqlite:///{demo / 'crm.db'}")
    with eng.connect() as c:
        people = c.execute(sa.text("SELECT count(DISTINCT lower(email)) FROM customers")).scalar()
    eng.dispose()
    assert isinstance(people, int)
    yield client, login(client, sqlite_engine, "officer"), people


def test_console_countdown_plan_and_send(web: tuple[TestClient, str, int],
                                         sqlite_engine: Engine,
                                         smtp_server: tuple[str, int, list[object]]) -> None:
    client, csrf, people = web
    index = client.get("/console/announcements")
    assert index.status_code == 200 and "product_research" in index.text
    [aid] = re.findall(r'href="/console/announcements/(\d+)"', index.text)
    page = client.get(f"/console/announcements/{aid}")
    assert "nobody has been told yet" in page.text
    assert people > 1  # the plural (ngettext) form
    assert f"{people} people with an e-mail address" in page.text
    public = client.get("/privacy/versions")
    assert "product_research (not started)" in public.text

    r = client.post(f"/console/announcements/{aid}/send", data={"csrf_token": csrf},
                    follow_redirects=False)
    assert r.status_code == 303
    assert len(smtp_server[2]) == people  # the mail run ran after the response
    page = client.get(f"/console/announcements/{aid}")
    assert "starts in 29 day(s)" in page.text and f"{people} sent, 0 failed" in page.text
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        a = announcements.get(s, int(aid))
        assert a.starts_at is not None
        version_id, start = a.version_id, a.starts_at.strftime("%Y-%m-%d")
    version = client.get(f"/privacy/versions/{version_id}")
    assert "Product research interviews" in version.text
    assert f"processing may start on {start}" in version.text
    # A second send is refused with a message, nothing is sent again.
    again = client.post(f"/console/announcements/{aid}/send", data={"csrf_token": csrf})
    assert "is already sent" in again.text
    assert len(smtp_server[2]) == people


def test_viewer_cannot_send(web: tuple[TestClient, str, int], sqlite_engine: Engine,
                            tmp_path: Path) -> None:
    client, _, _ = web
    viewer = make_client(sqlite_engine, tmp_path, policy=tmp_path / "promark-v2")
    csrf = login(viewer, sqlite_engine, "viewer")
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        [a] = announcements.listing(s)
        aid = a.id
    r = viewer.post(f"/console/announcements/{aid}/send", data={"csrf_token": csrf})
    assert r.status_code == 403
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        assert announcements.get(s, aid).status == "planned"


def test_no_affected_system_is_told_before_sending(tmp_path: Path) -> None:
    from steward.config import Settings

    v2 = load_policy(policy_v2(tmp_path, NO_SYSTEM))
    plan = announcements.plan(Settings(data_dir=tmp_path), v2, "product_research")
    assert plan.people == 0 and plan.tables == []
    assert any("nobody will be told by mail" in w for w in plan.warnings)


def test_http_system_is_listed_as_not_readable(tmp_path: Path) -> None:
    from steward.config import Settings

    extra = NO_SYSTEM.replace("data_categories: [user.contact.email]",
                              "data_categories: [user.contact.email]\n    systems: [newsletter]")
    v2 = load_policy(policy_v2(tmp_path, extra))
    plan = announcements.plan(Settings(data_dir=tmp_path), v2, "product_research")
    assert [(t.system, t.table) for t in plan.tables] == [("newsletter", "subscribers")]
    assert "cannot list everyone" in (plan.tables[0].reason or "")
    assert any(w.startswith("newsletter.subscribers:") for w in plan.warnings)


def test_consent_api_answers_not_yet(web: tuple[TestClient, str, int],
                                     sqlite_engine: Engine) -> None:
    from steward.consent import apikeys

    client, _, _ = web
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        key = apikeys.create(s, name="crm", actor="test")[1]
    h = {"Authorization": f"Bearer {key}"}
    r = client.get("/api/consent/check?subject=someone@example.com"
                   "&purpose=product_research_invites", headers=h)
    assert r.status_code == 200
    body = r.json()
    assert body["allowed"] is False and body["basis"]["kind"] == "not_yet"
    assert body["basis"]["starts_at"] is None and "Art. 13(3)" in body["basis"]["reason"]
    f = client.post("/api/consent/filter", headers=h, json={
        "purpose": "product_research_invites", "emails": ["a@example.com", "b@example.com"]})
    assert f.status_code == 200 and f.json()["kept"] == [] and f.json()["dropped"] == 2
    # An existing purpose is not held back.
    ok = client.get("/api/consent/check?subject=someone@example.com"
                    "&purpose=satisfaction_surveys", headers=h)
    assert ok.json()["allowed"] is True


def test_send_goes_through_the_job_queue(sqlite_engine: Engine, tmp_path: Path,
                                         smtp_server: tuple[str, int, list[object]]) -> None:
    """With the job runner up (the app's lifespan), the console queues `announcements.send`
    and the in-process worker mails everyone."""
    import time

    v2 = policy_v2(tmp_path)
    settings = settings_for(sqlite_engine, tmp_path, policy=v2)
    demo_company(settings.data_dir, customers=6)
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        publish(s, load_policy(PROMARK))
    client = make_client(sqlite_engine, tmp_path, policy=v2, smtp_host=smtp_server[0],
                         smtp_port=smtp_server[1], smtp_starttls=False)
    with client:  # runs the lifespan: the job worker starts
        assert client.app.state.extras["jobs"].send_announcement is not None  # type: ignore[attr-defined]
        csrf = login(client, sqlite_engine, "officer")
        r = client.post("/console/announcements/1/send", data={"csrf_token": csrf},
                        follow_redirects=False)
        assert r.status_code == 303
        deadline = time.monotonic() + 60
        while len(smtp_server[2]) < 6 and time.monotonic() < deadline:
            time.sleep(0.1)
    assert len(smtp_server[2]) == 6
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        assert announcements.counts(s, 1)["sent"] == 6


# The announcement's status and change in words, by language (written here by hand).
STATUS_WORDS = {
    "da": {"planned": "planlagt: ingen har fået besked endnu", "sent": "sendt til alle",
           "added": "nyt formål"},
    "en": {"planned": "planned: nobody told yet", "sent": "sent to everyone",
           "added": "new purpose"},
}


@pytest.mark.parametrize("lang", ["da", "en"])
def test_status_and_change_are_words_not_codes(web: tuple[TestClient, str, int],
                                               lang: str) -> None:
    client, csrf, _ = web
    words = STATUS_WORDS[lang]
    index = client.get(f"/console/announcements?lang={lang}").text
    assert f'<td data-status="planned">{words["planned"]}</td>' in index
    assert f"<td>{words['added']}</td>" in index
    assert "<td>planned</td>" not in index and "<td>added</td>" not in index
    [aid] = re.findall(r'href="/console/announcements/(\d+)"', index)
    page = client.get(f"/console/announcements/{aid}").text
    assert f'<dd data-status="planned">{words["planned"]}</dd>' in page
    assert f"<dd>{words['added']}" in page and "<dd>added" not in page
    client.post(f"/console/announcements/{aid}/send", data={"csrf_token": csrf})
    page = client.get(f"/console/announcements/{aid}").text
    assert f'<dd data-status="sent">{words["sent"]}</dd>' in page
    assert "<dd>sent</dd>" not in page
