"""In the real Chromium, every page of tests/web/pages.py: axe-core (vendored, tests/web/assets)
finds no accessibility violation at desktop width (public pages at 390 px too), and no page
scrolls sideways on a phone (320 and 390 px, the privacy center) or at 768 px (the console).

The pages are filled with data first (a request, a breach, two earlier policy versions with an
announcement and a sub-processor notice, a retention run, a newsletter sign-up, a system
owner's task), so lists, details and signed-link pages are checked with content in them.
axe-core runs with all its default rules (WCAG 2.0-2.2 A/AA and best practices): none is
disabled. It is injected past the pages' Content Security Policy (`bypass_csp`), which the
other browser tests keep on.
"""

from __future__ import annotations

import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from tests.breaches.factories import breach_input
from tests.conftest import free_port
from tests.helpers import PASSWORD, PROMARK, add_user, csrf_from, settings_for
from tests.processors.test_subprocessor_notices import _with_mailwise
from tests.publication.factories import demo_company, policy_v2
from tests.requests.test_manual_systems import OWNER, manual_system
from tests.web.pages import CONSOLE_PAGES, PUBLIC_PAGES, Page

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "assets" / "axe.min.js"
# Fictional; a long address, as some are, that must wrap rather than widen a phone's page.
PERSON = "dana.lind.kristoffersen-abrahamsen.phonecheck@example.com"
# A long unbroken URL in a breach description, on the console at 768 px.
LONG_URL = "https://files.example.com/exports/support-desk/2026-11-26/tickets-full-export.csv"
PHONES = (320, 390)
PHONE_AXE = 390  # the public pages are checked by axe-core at this width too
CONSOLE_WIDTH = 768
DESKTOP = 1280
# A folder to save every page's screenshot at each small width in, to look at them by eye.
SHOTS = os.environ.get("STEWARD_SCREENSHOTS")


@dataclass
class Site:
    url: str
    settings: Any
    values: dict[str, str] = field(default_factory=dict)

    def fill(self, page: Page) -> str:
        return self.url + page.path.format(**self.values)


def _mail_link(settings: Any, pattern: str, to: str) -> str:
    from steward.mail import list_outbox

    for m in list_outbox(settings):
        if m.to == to and (found := re.search(pattern, m.body)):
            return found.group(1)
    raise AssertionError(f"no mail to {to} with {pattern}")


def _seed(url: str, engine: Any, settings: Any, policy: Any) -> dict[str, str]:
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
        values["confirm"] = _mail_link(settings, r"/privacy/newsletter/confirm\?(\S+)", PERSON)
        form = web.get("/privacy/preferences").text
        r = web.post(
            "/privacy/preferences/link",
            data={"csrf_token": csrf_from(form), "lang": "en", "email": PERSON},
        )
        assert r.status_code == 200, r.text
        values["prefs"] = _mail_link(settings, r"/privacy/preferences\?(\S+)", PERSON)
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
    values["link"] = _mail_link(settings, r"/system-tasks/(\S+)", OWNER)
    values["ref"] = quote(subject_ref(settings.resolved_secret_key(), PERSON), safe="")
    assert all(values.values()), values
    return values


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """Steward on a thread with the ProMark policy (plus a new purpose, announced), the demo
    company's systems and the data above; viewer, officer and admin users exist."""
    import uvicorn

    from steward.policy.loader import load_policy
    from steward.publication.versions import publish
    from steward.store.db import make_engine, make_sessionmaker, transaction
    from steward.store.migrate import upgrade_engine
    from steward.web.app import create_app

    tmp = tmp_path_factory.mktemp("pages")
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
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Site(url, settings, _seed(url, eng, settings, app.state.policy))
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        eng.dispose()


def _context(browser: Any, site: Site, role: str) -> Any:
    ctx = browser.new_context(bypass_csp=True, viewport={"width": DESKTOP, "height": 900})
    if role != "public":
        page = ctx.new_page()
        page.goto(f"{site.url}/console/login")
        page.get_by_label("E-mail").fill(f"{role}@steward.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{site.url}/console")
        page.close()
    return ctx


def _axe(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return list(found)


def _too_wide(page: Any) -> str | None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return None if width <= inner else f"{width} px wide in a {inner} px window"


def _visit(
    browser: Any, site: Site, pages: list[Page], widths: tuple[int, ...], tmp_path: Path
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    by_role: dict[str, list[Page]] = {}
    for p in pages:
        by_role.setdefault(p.role, []).append(p)
    for role, group in by_role.items():
        ctx = _context(browser, site, role)
        page = ctx.new_page()
        for p in group:
            url = site.fill(p)
            out: list[str] = []
            page.set_viewport_size({"width": DESKTOP, "height": 900})
            answer = page.goto(url)
            if answer is None or answer.status != p.status:
                out.append(f"answered {answer and answer.status}, not {p.status}")
            out += _axe(page)
            for w in widths:
                page.set_viewport_size({"width": w, "height": 800})
                page.goto(url)
                if w == PHONE_AXE:  # contrast and overlap as laid out on a phone
                    out += [f"at {w} px: {v}" for v in _axe(page)]
                name = re.sub(r"\W+", "_", p.path).strip("_") or "root"
                if (wide := _too_wide(page)) is not None:
                    out.append(f"at {w} px: {wide}")
                    page.screenshot(path=str(tmp_path / f"{name}-{w}.png"), full_page=True)
                if SHOTS:  # to look at every page by eye
                    page.screenshot(path=str(Path(SHOTS) / f"{name}-{w}.png"), full_page=True)
            if out:
                problems[f"{p.path} ({p.kind}, {role})"] = out
        ctx.close()
    return problems


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())


def test_public_pages_have_no_axe_violations_and_fit_phones(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    problems = _visit(browser, site, PUBLIC_PAGES, PHONES, tmp_path)
    assert not problems, _report(problems)


def test_console_pages_have_no_axe_violations_and_fit_768(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    problems = _visit(browser, site, CONSOLE_PAGES, (CONSOLE_WIDTH,), tmp_path)
    assert not problems, _report(problems)


def test_cookie_dialog_fits_a_small_phone_and_every_choice_is_in_view(
    browser: Any, site: Site
) -> None:
    # Mobile emulation: a page wider than the phone widens the layout viewport, and the
    # dialog with it, past the visible screen (what a phone shows; a desktop window would not).
    ctx = browser.new_context(
        viewport={"width": 320, "height": 568},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = ctx.new_page()
    page.goto(f"{site.url}/consent/demo")
    dialog = page.get_by_role("dialog")
    for state in ("first view", "every category shown"):
        if state == "every category shown":
            page.get_by_role("button", name="Choose").click()
        screen = page.evaluate("[visualViewport.width, visualViewport.height]")
        box = dialog.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["y"] >= 0, state
        assert box["x"] + box["width"] <= screen[0], f"{state}: wider than the screen"
        assert box["y"] + box["height"] <= screen[1], f"{state}: taller than the screen"
        for name in ("Reject all", "Accept all"):
            b = page.get_by_role("button", name=name).bounding_box()
            assert b is not None and b["y"] + b["height"] <= screen[1], f"{state}: {name}"
    ctx.close()
