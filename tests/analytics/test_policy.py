"""The policy's analytics section: its checks (line-numbered), the notice's statistics section
with the Art. 6(1)(f) interest, and the cookie banner's treatment of the category."""

from __future__ import annotations

import uuid
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from tests.analytics.conftest import promark, with_analytics
from tests.helpers import settings_for
from tests.policy.policy_helpers import BASE, edit, one_problem

from steward.consent import banner
from steward.consent.tables import ConsentEvent
from steward.policy.loader import load_policy_text_report
from steward.policy.render import render_notice

SECTION = """\
analytics:
  purpose: stats
  interest: to see which pages are read
  banner_category: stats
  sites:
    - key: web
      name: our website
      hosts: [www.acme.example]
"""
PURPOSE = """\
  - key: stats
    title: Statistics
    description: Counting visits
    legal_bases: [f]
    legitimate_interests: [to see which pages are read]
processing_activities:
"""
COOKIES = """\
  cookies:
    categories:
      - key: stats
        title: Statistics
        description: Visit counts without cookies
"""


def _policy_text(section: str = SECTION, purpose: str = PURPOSE) -> str:
    text = edit(BASE, "processing_activities:\n", purpose)
    return text + COOKIES + section


def test_a_valid_section_loads() -> None:
    loaded = load_policy_text_report(_policy_text(), "acme.yaml")
    assert loaded.policy.analytics is not None
    assert loaded.policy.analytics.site("web") is not None


def test_the_purpose_must_rest_on_legitimate_interests() -> None:
    text = _policy_text(purpose=PURPOSE.replace("legal_bases: [f]", "legal_bases: [b]").replace(
        "    legitimate_interests: [to see which pages are read]\n", ""))
    msg = one_problem(text, "purpose: stats")
    assert msg.endswith("analytics.purpose: statistics without consent rest on legitimate "
                        "interests: the purpose needs legal basis 'f' (GDPR Art. 6(1)(f))")


def test_unknown_references_and_duplicate_sites_are_reported() -> None:
    msg = one_problem(_policy_text(SECTION.replace("purpose: stats", "purpose: stat")),
                      "purpose: stat")
    assert "analytics.purpose: undefined purpose 'stat'" in msg
    msg = one_problem(_policy_text(SECTION.replace("banner_category: stats",
                                                   "banner_category: statistics")),
                      "banner_category: statistics")
    assert "unknown cookie category 'statistics'" in msg
    bad = SECTION + "    - key: web  # again\n      name: again\n      hosts: [acme.example]\n"
    msg = one_problem(_policy_text(bad), "key: web  # again")
    assert "analytics.sites[web].key: duplicate key 'web' in sites" in msg


def test_hosts_may_not_be_urls() -> None:
    text = _policy_text(SECTION.replace("[www.acme.example]", "[https://www.acme.example/]"))
    msg = one_problem(text, "hosts:")
    assert "analytics.sites[web].hosts" in msg or "analytics.sites[0].hosts" in msg


def test_the_notice_states_the_interest_and_article() -> None:
    html = render_notice(promark(), lang="en")
    assert '<section id="analytics">' in html
    assert ("Our legal basis is our legitimate interest (GDPR Art. 6(1)(f)): to develop and "
            "improve our digital services and the user experience.") in html
    assert "deleted after 25 months" in html and "Do Not Track" in html
    da = render_notice(promark(), lang="da", fmt="md")
    assert "art. 6, stk. 1, litra f): at udvikle og forbedre vores digitale tjenester" in da
    quiet = with_analytics(honour_dnt=False, honour_gpc=False, retention_months=13)
    html = render_notice(quiet, lang="en")
    assert "deleted after 13 months" in html and "Do Not Track" not in html
    assert 'id="analytics"' not in render_notice(
        promark().model_copy(update={"analytics": None}), lang="en")


def test_the_notice_says_whether_statistics_need_consent() -> None:
    free = render_notice(promark(), lang="en")
    assert ("These statistics need no consent: they set no cookie, store nothing on your device "
            "and identify no one, so the cookie banner shows &#34;Statistics&#34; as always on."
            ) in free
    assert "<h3>Statistics (always on)</h3>" in free  # the cookie list says it as the banner
    da = render_notice(promark(), lang="da", fmt="md")
    assert "Statistikken kræver ikke samtykke" in da and "### Statistik (altid slået til)" in da
    asked = render_notice(with_analytics(without_consent=False), lang="en")
    assert ("Your visit is counted only if you accept &#34;Statistics&#34; in the cookie "
            "banner.") in asked
    assert "need no consent" not in asked and "<h3>Statistics</h3>" in asked


def test_the_banner_treats_statistics_as_without_consent_only_where_the_policy_says(
        sqlite_engine: Engine, tmp_path: Path) -> None:
    def flag(policy: object) -> bool:
        cats = {c["k"]: c["r"] for c in banner.core(policy)["cats"]}  # type: ignore[arg-type]
        return bool(cats["analytics"])

    assert flag(with_analytics(without_consent=False)) is False  # statistics as a choice
    exempt = promark()  # ProMark as shipped: statistics without consent
    assert flag(exempt) is True
    cats = banner.notice(exempt, "en").content["categories"]
    shown = {c["key"]: c["required"] for c in cats}
    assert shown == {"necessary": True, "analytics": True, "marketing": False,
                     "preferences": False}
    # the banner says why no consent is asked, for this category only
    assert [c["key"] for c in cats if "why" in c] == ["analytics"]
    assert next(c for c in cats if c["key"] == "analytics")["why"].startswith(
        "No consent needed: counted as totals only, without cookies")
    assert not any("why" in c for c in banner.notice(
        with_analytics(without_consent=False), "da").content["categories"])
    # A decision sent for an always-on category records nothing for it.
    from steward.web.app import create_app

    app = create_app(settings_for(sqlite_engine, tmp_path), policy=exempt, engine=sqlite_engine)
    client = TestClient(app, base_url="https://testserver")
    n = banner.notice(exempt, "en")
    r = client.post("/consent/events", json={
        "cid": str(uuid.uuid4()), "v": 1, "lang": "en", "sha": n.sha256, "ui": "save",
        "choices": {"analytics": False, "marketing": False}})
    assert r.status_code == 204
    with app.state.sessionmaker() as s:
        assert [e.purpose for e in s.scalars(select(ConsentEvent))] == ["cookie.marketing"]


def test_the_demo_page_carries_the_script_as_the_policy_says(sqlite_engine: Engine,
                                                             tmp_path: Path) -> None:
    from steward.web.app import create_app

    def page(policy: object) -> str:
        app = create_app(settings_for(sqlite_engine, tmp_path), policy=policy,  # type: ignore[arg-type]
                         engine=sqlite_engine)
        return TestClient(app, base_url="http://127.0.0.1").get("/consent/demo").text

    guarded = page(with_analytics(without_consent=False))
    assert ('<script type="text/plain" data-category="analytics" '
            'data-src="/analytics/script.js" data-site="demo"></script>') in guarded
    assert 'counted only once “Statistics” is accepted' in guarded
    assert 'data-mark="analytics"' in guarded  # a stand-in waits for the category too
    direct = page(promark())
    assert '<script src="/analytics/script.js" data-site="demo" nonce="' in direct
    assert 'data-category="analytics"' not in direct  # nothing waits for an always-on category
    assert "No consent needed: counted as totals only" in direct
    # the categories that still need consent keep their guarded stand-ins
    for key in ("marketing", "preferences"):
        assert f'<template data-category="{key}"><script src="/static/consent/demo-guarded.js" ' \
               f'data-mark="{key}"' in direct
    assert 'data-cookies="_am_id _am_session"' in direct
