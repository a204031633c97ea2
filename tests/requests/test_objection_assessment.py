"""GDPR Art. 21(1): an objection to processing on legitimate interests restricts that processing
while it is assessed (Art. 18(1)(d): the rows' restriction flags and the consent blockers), the
officer's decision is recorded (with the compelling grounds when the processing continues), the
letter says what stopped and what continues, and the restriction is lifted after notice
(Art. 18(3)). An objection to direct marketing stays absolute and immediate (Art. 21(3)).
On the demo company and on a small gym company defined here."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from tests.requests.test_workflow import _count, _submit_verified

from steward.consent.checks import check
from steward.consent.checks import is_restricted as consent_blocked
from steward.consent.subjects import email_ref
from steward.mail import list_outbox
from steward.policy.models import Policy, Right, SystemSpec
from steward.requests import execute, lifting, suppression, workflow
from steward.requests.tables import DsrObjection, DsrRequest
from steward.store.db import transaction

FLAGGED = {
    "crm": "SELECT count(*) FROM customers WHERE email = :e AND processing_restricted = :t",
    "portal": "SELECT count(*) FROM logins WHERE email = :e AND processing_restricted = :t",
    "support": "SELECT count(*) FROM tickets WHERE requester_email = :e "
    "AND processing_restricted = :t",
}
GROUNDS = "Fraud prevention on the customer's open account, required by our card acquirer"


def _flags(urls, email: str) -> dict[str, int]:  # type: ignore[no-untyped-def]
    return {k: _count(urls[k], sql, e=email, t=True) for k, sql in FLAGGED.items()}


def _decide(dsm, settings, policy, rid, grounds=None):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        workflow.decide(s, settings, policy, req, "dpo@steward.example", compelling_grounds=grounds)
        return workflow.sealer_for(settings).open_text(req.letter)


def test_art21_1_objection_restricts_until_decided_then_stops(company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = company.who, company.loc.urls
    ref = email_ref(settings.resolved_secret_key(), who["email"])
    assert _flags(urls, who["email"]) == {"crm": 0, "portal": 0, "support": 0}
    out = _submit_verified(
        dsm, settings, policy, who["email"], "objection", objection_scope="legitimate_interest"
    )
    assert out.run  # restricted at once, no approval first
    assert execute.execute_request(dsm, settings, policy, out.id) == "awaiting_approval"
    # Art. 18(1)(d): the rows in the systems of the objected processing are flagged ...
    tickets = _count(urls["support"], "SELECT count(*) FROM tickets WHERE requester_email = :e",
                     e=who["email"])
    assert _flags(urls, who["email"]) == {"crm": 1, "portal": 1, "support": tickets}
    with transaction(dsm) as s:  # ... and the consent blockers stop the processing meanwhile
        assert consent_blocked(s, ref)
        assert not check(s, policy, ref, "satisfaction_surveys").allowed
    letter = _decide(dsm, settings, policy, out.id)
    assert ("What stopped: Administration of potential and existing customer relationships "
            "(Art. 6(1)(f)); Marketing, analyses and segmentation (Art. 6(1)(f)) "
            "(GDPR Art. 21(1))") in letter
    assert "CRM" in letter and "GDPR Art. 18(1)(d)" in letter
    assert "What continues, because it does not rely on our legitimate interests" in letter
    assert "Processing of job applications (Art. 6(1)(b))" in letter
    assert "GDPR Art. 18(3)" in letter
    # Art. 18(3): the subject is told before the assessment's restriction is lifted
    assert lifting.proceed(dsm, settings, policy, out.id) == "lifted"
    assert any("lift" in m.subject.lower() or "ophæv" in m.subject.lower()
               for m in list_outbox(settings))
    assert _flags(urls, who["email"]) == {"crm": 0, "portal": 0, "support": 0}
    with transaction(dsm) as s:  # the objection itself stays in force: the processing stopped
        assert not consent_blocked(s, ref)
        assert suppression.has_objection(s, ref, "legitimate_interest")
        assert not check(s, policy, ref, "satisfaction_surveys").allowed
        assert check(s, policy, ref, "satisfaction_surveys").basis["kind"] == "objection"


def test_art21_1_continued_on_compelling_grounds_is_recorded(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = sqlite_company.who, sqlite_company.loc.urls
    ref = email_ref(settings.resolved_secret_key(), who["email"])
    out = _submit_verified(
        dsm, settings, policy, who["email"], "objection", objection_scope="legitimate_interest"
    )
    assert execute.execute_request(dsm, settings, policy, out.id) == "awaiting_approval"
    letter = _decide(dsm, settings, policy, out.id, GROUNDS)
    assert f"Our grounds: {GROUNDS}" in letter
    assert "What continues, on compelling legitimate grounds" in letter
    assert "What stopped" not in letter
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        assert req.state == "completed" and req.compelling_grounds == GROUNDS
        assert s.scalars(sa.select(DsrObjection.overridden).where(
            DsrObjection.request_id == out.id)).all() == [True]
    assert lifting.proceed(dsm, settings, policy, out.id) == "lifted"
    assert _flags(urls, who["email"]) == {"crm": 0, "portal": 0, "support": 0}
    with transaction(dsm) as s:
        assert check(s, policy, ref, "satisfaction_surveys").allowed


def test_art21_3_direct_marketing_objection_is_immediate_even_with_approvals(
    sqlite_company, dsm, settings, policy
):  # type: ignore[no-untyped-def]
    rights = policy.rights.model_copy(update={"approval_required": [Right.objection]})
    strict = policy.model_copy(update={"rights": rights})
    who, urls = sqlite_company.who, sqlite_company.loc.urls
    out = _submit_verified(
        dsm, settings, strict, who["email"], "objection", objection_scope="direct_marketing"
    )
    assert out.run
    assert execute.execute_request(dsm, settings, strict, out.id) == "completed"
    ref = email_ref(settings.resolved_secret_key(), who["email"])
    with transaction(dsm) as s:
        assert suppression.has_objection(s, ref)
        assert not check(s, strict, ref, "newsletter").allowed
    assert _flags(urls, who["email"]) == {"crm": 0, "portal": 0, "support": 0}  # nothing else


# --- a second company: a gym, whose member app is used on legitimate interests --------------


def _gym(tmp_path: Path, policy: Policy) -> tuple[dict[str, str], Policy]:
    urls = {k: f"sqlite:///{tmp_path / (k + '.db')}" for k in ("members", "payroll")}
    for key, table in (("members", "members"), ("payroll", "staff")):
        eng = sa.create_engine(urls[key])
        t = sa.Table(table, sa.MetaData(), sa.Column("id", sa.Integer, primary_key=True),
                     sa.Column("mail", sa.Text), sa.Column("blocked", sa.Boolean, default=False))
        with eng.begin() as c:
            t.create(c)
            c.execute(t.insert(), [{"id": 1, "mail": "gina@example.com", "blocked": False},
                                   {"id": 2, "mail": "other@example.com", "blocked": False}])
        eng.dispose()

    def system(key: str, table: str) -> SystemSpec:
        return SystemSpec.model_validate({
            "key": key, "name": key.title(), "connector": "sql", "url": urls[key],
            "storage_country": "DK",
            "tables": [{"name": table, "identities": {"email": "mail"},
                        "restriction_flag": "blocked",
                        "fields": [{"name": "mail", "category": "user.contact.email"}]}],
        })

    acts = {a.key: a for a in policy.processing_activities}
    gym = policy.model_copy(update={
        "systems": [system("members", "members"), system("payroll", "staff")],
        # training statistics on legitimate interests; staff administration on a contract
        "processing_activities": [
            acts["website_analytics"].model_copy(update={"systems": ["members"]}),
            acts["recruitment"].model_copy(update={"systems": ["payroll"]}),
        ],
    })
    return urls, gym


def test_art21_1_only_the_objected_processing_is_restricted(tmp_path, dsm, settings, policy):  # type: ignore[no-untyped-def]
    urls, gym = _gym(tmp_path, policy)
    out = _submit_verified(
        dsm, settings, gym, "gina@example.com", "objection", objection_scope="legitimate_interest"
    )
    assert execute.execute_request(dsm, settings, gym, out.id) == "awaiting_approval"
    blocked = "SELECT id FROM {} WHERE blocked = :t ORDER BY id"
    eng = {k: sa.create_engine(u) for k, u in urls.items()}
    with eng["members"].connect() as c:
        assert c.execute(sa.text(blocked.format("members")), {"t": True}).scalars().all() == [1]
    with eng["payroll"].connect() as c:  # contract-based: not objected, not restricted
        assert c.execute(sa.text(blocked.format("staff")), {"t": True}).scalars().all() == []
    for e in eng.values():
        e.dispose()
    letter = _decide(dsm, settings, gym, out.id)
    assert "your data in Members was restricted" in letter
    assert ("What stopped: Administration and improvement of our digital services "
            "(Art. 6(1)(f)) (GDPR Art. 21(1))") in letter
    assert "Processing of job applications (Art. 6(1)(b))" in letter
