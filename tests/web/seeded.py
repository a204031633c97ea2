"""Steward on a thread, filled with data, for the tests that open every page of
tests/web/pages.py (tests/web/test_axe.py in Chromium, tests/web/test_page_language.py over
HTTP).

The data: a request, a breach, two earlier policy versions with an announcement and a
sub-processor notice, a retention run, a newsletter sign-up, a system owner's task, so lists,
details and signed-link pages are opened with content in them. Viewer, officer and admin users
exist (password `tests.helpers.PASSWORD`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from tests.breaches.factories import breach_input
from tests.conftest import free_port
from tests.connectors.servers import serve
from tests.helpers import PROMARK, add_user, csrf_from, settings_for
from tests.processors.test_subprocessor_notices import _with_mailwise
from tests.publication.factories import demo_company, policy_v2
from tests.requests.test_manual_systems import OWNER, manual_system
from tests.web.pages import Page

# Fictional; a long address, as some are, that must wrap rather than widen a phone's page.
PERSON = "dana.lind.kristoffersen-abrahamsen.phonecheck@example.com"
# A long unbroken URL in a breach description, on the console at 768 px.
LONG_URL = "https://files.example.com/exports/support-desk/2026-11-26/tickets-full-export.csv"


@dataclass
class Site:
    url: str
    settings: Any
    values: dict[str, str] = field(default_factory=dict)
    engine: Any = None  # the database the server uses
    policy: Any = None  # the policy in force (the server's)

    def fill(self, page: Page) -> str:
        return self.url + page.path.format(**self.values)


def mail_link(settings: Any, pattern: str, to: str) -> str:
    from steward.mail import list_outbox

    for m in list_outbox(settings):
        if m.to == to and (found := re.search(pattern, m.body)):
            return found.group(1)
    raise AssertionError(f"no mail to {to} with {pattern}")


def seed(url: str, engine: Any, settings: Any, policy: Any) -> dict[str, str]:
    """Create through the API, the forms and the domain what the pages show; returns the
    values of tests/web/pages.py's placeholders."""
    import sqlalchemy as sa

    from steward.breaches.register import register_breach
    from steward.connectors.engines import SystemEngines
    from steward.connectors.manual import ManualConnector
    from steward.connectors.tasks import Awaiting
    from steward.consent.subjects import subject_ref
    from steward.consent.tables import ConsentSnapshot
    from steward.processors.tables import SubprocessorNotice
    from steward.publication.tables import Announcement
    from steward.publication.versions import history
    from steward.requests import workflow
    from steward.retention.sweep import run_rule
    from steward.store.db import make_sessionmaker, transaction

    sm = make_sessionmaker(engine)
    values: dict[str, str] = {}
    with httpx.Client(base_url=url) as web:
        r = web.post(
            "/api/requests",
            json={"type": "access", "name": "Dana Lind", "email": PERSON, "country": "DK"},
        )
        assert r.status_code == 202, r.text
        values["public_id"] = r.json()["public_id"]
        # The newsletter sign-up and the preferences link, through the forms.
        form = web.get("/privacy/newsletter").text
        purpose = re.search(r'name="purpose" value="([^"]+)"', form)
        assert purpose, "no newsletter on the form"
        r = web.post(
            "/privacy/newsletter",
            data={
                "csrf_token": csrf_from(form),
                "lang": "en",
                "email": PERSON,
                "purpose": purpose.group(1),
            },
        )
        assert r.status_code == 200, r.text
        values["confirm"] = mail_link(settings, r"/privacy/newsletter/confirm\?(\S+)", PERSON)
        form = web.get("/privacy/preferences").text
        r = web.post(
            "/privacy/preferences/link",
            data={"csrf_token": csrf_from(form), "lang": "en", "email": PERSON},
        )
        assert r.status_code == 200, r.text
        values["prefs"] = mail_link(settings, r"/privacy/preferences\?(\S+)", PERSON)
        # Confirming the sign-up records the consent with the notice it showed.
        page = web.get(f"/privacy/newsletter/confirm?{values['confirm']}").text
        hidden = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
        r = web.post("/privacy/newsletter/confirm", data=hidden)
        assert r.status_code == 200, r.text

    with transaction(sm) as s:
        req = workflow.by_public_id(s, values["public_id"])
        values["req_id"] = str(req.id)
        values["breach_id"] = str(
            register_breach(
                s,
                policy,
                breach_input(description=f"The export {LONG_URL} was public."),
                actor="test",
            ).id
        )
        values["version_id"] = str(history(s)[1].id)  # the version with changes and news
        values["announcement_id"] = str(s.scalars(sa.select(Announcement.id)).first())
        values["token"] = s.scalars(sa.select(SubprocessorNotice.token)).first() or ""
        values["sha"] = s.scalars(sa.select(ConsentSnapshot.sha256)).first() or ""

    engines = SystemEngines.for_settings(settings)
    try:
        run = run_rule(sm, policy, "job_applications", engines=engines, actor="test")
    finally:
        engines.dispose()
    values["run_id"] = str(run.run_id)

    env = {
        "STEWARD_DATABASE_URL": settings.database_url,
        "STEWARD_SECRET_KEY": settings.secret_key,
        "STEWARD_DATA_DIR": str(settings.data_dir),
        "STEWARD_BASE_URL": url,
    }
    conn = ManualConnector(manual_system(), url=f"mailto:{OWNER}", env=env)
    with pytest.raises(Awaiting):
        conn.find({"email": [PERSON]})
    conn.close()
    values["link"] = mail_link(settings, r"/system-tasks/(\S+)", OWNER)
    values["ref"] = quote(subject_ref(settings.resolved_secret_key(), PERSON), safe="")
    assert all(values.values()), values
    return values


@contextmanager
def running_site(tmp: Path) -> Iterator[Site]:
    """Steward on a thread with the ProMark policy (plus a new purpose, announced), the demo
    company's systems and the data above; viewer, officer and admin users exist."""
    from steward.policy.loader import load_policy
    from steward.publication.versions import publish
    from steward.store.db import make_engine, make_sessionmaker, transaction
    from steward.store.migrate import upgrade_engine
    from steward.web.app import create_app

    eng = make_engine(f"sqlite:///{tmp / 'steward.db'}")
    upgrade_engine(eng)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    v2 = policy_v2(tmp)
    settings = settings_for(eng, tmp, cookie_secure=False, base_url=url, policy=v2)
    demo_company(settings.data_dir)
    with transaction(make_sessionmaker(eng)) as s:
        # Earlier versions: the first, then one adding a sub-processor (controllers are told).
        publish(s, load_policy(PROMARK))
        publish(s, _with_mailwise(load_policy(PROMARK), {}))
    for role in ("viewer", "officer", "admin"):
        add_user(eng, f"{role}@steward.example", role)
    app = create_app(settings, engine=eng)
    try:
        with serve(app, port=port, lifespan="auto"):
            policy = app.state.policy
            yield Site(url, settings, seed(url, eng, settings, policy), eng, policy)
    finally:
        eng.dispose()
