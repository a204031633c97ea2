"""The request workflow end to end through the domain functions, on the demo company's systems
(SQLite, PostgreSQL, MariaDB): erasure with the bookkeeping exception, rectification,
restriction, objection, access, unknown subjects, duplicates, codes."""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa
from tests.requests.conftest import code_from

from steward import audit
from steward.consent.subjects import email_ref
from steward.errors import Conflict, InvalidInput
from steward.mail import list_outbox
from steward.requests import execute, suppression, workflow
from steward.requests.tables import DsrProgress, DsrRequest
from steward.requests.verification import MAX_ATTEMPTS, Check
from steward.store.db import transaction


def _submit_verified(dsm, settings, policy, email, type_, **kw):  # type: ignore[no-untyped-def]
    out = workflow.submit_request(
        dsm,
        settings,
        policy,
        type=type_,
        name="Test Person",
        email=email,
        country="DK",
        channel="api",
        actor="api",
        **kw,
    )
    code = code_from(list_outbox(settings)[0].body)
    result, out = workflow.verify_code(dsm, settings, policy, out.public_id, code)
    assert result is Check.ok
    return out


def _approve_and_run(dsm, settings, policy, rid, *, plan=True):  # type: ignore[no-untyped-def]
    if plan:
        execute.prepare_plan(dsm, settings, policy, rid)
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, rid), "officer@steward.example")
    return execute.execute_request(dsm, settings, policy, rid)


def _count(url: str, sql: str, **params: object) -> int:
    eng = sa.create_engine(url)
    try:
        with eng.connect() as c:
            return int(c.execute(sa.text(sql), params).scalar_one())
    finally:
        eng.dispose()


def test_erasure_keeps_invoices_and_erases_the_rest(company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = company.who, company.loc.urls
    invoices = _count(
        urls["crm"],
        "SELECT count(*) FROM invoices i JOIN customers c ON "
        "c.id = i.customer_id WHERE c.customer_no = :n",
        n=who["customer_number"],
    )
    assert invoices > 0
    out = _submit_verified(dsm, settings, policy, who["email"], "erasure")
    assert out.state == "awaiting_approval"  # the policy asks for approval of erasures
    with transaction(dsm) as s, pytest.raises(Conflict, match="plan"):
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer")
    summary = execute.prepare_plan(dsm, settings, policy, out.id)
    crm_plan = summary["systems"]["crm"]
    assert any(k["table"] == "invoices" and "17(3)(b)" in k["reason"] for k in crm_plan["kept"])
    assert all("@" not in st["sql"] for p in summary["systems"].values() for st in p["statements"])
    state = _approve_and_run(dsm, settings, policy, out.id, plan=False)
    assert state == "completed"
    # Invoices inside the bookkeeping period stay; everything else about the person is gone.
    assert (
        _count(urls["crm"], "SELECT count(*) FROM customers WHERE email = :e", e=who["email"]) == 0
    )
    assert (
        _count(
            urls["crm"],
            "SELECT count(*) FROM invoices WHERE billing_name IS NOT NULL "
            "AND customer_id IN (SELECT id FROM customers WHERE email IS NULL)",
        )
        >= invoices
    )
    assert (
        _count(
            urls["portal"],
            "SELECT count(*) FROM logins WHERE customer_no = :n",
            n=who["customer_number"],
        )
        == 0
    )
    assert (
        _count(
            urls["support"],
            "SELECT count(*) FROM tickets WHERE customer_no = :n",
            n=who["customer_number"],
        )
        == 0
    )
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        letter = workflow.sealer_for(settings).open_text(req.letter)
        result = json.loads(req.result_json)
        assert "GDPR Art. 17(3)(b)" in letter and "Bogføringsloven" in letter
        assert " until 20" in letter  # says until when
        assert result["recipients_told"]  # Art. 19
        assert any("NordHost" in r for r in result["recipients_told"])
        # the kept records are restricted in Steward
        assert suppression.is_restricted(s, email_ref(settings.resolved_secret_key(), who["email"]))
        actions = [e.action for e in audit.events_for(s, f"dsr:{req.public_id}")]
        assert actions.count("dsr.system_erase") == 4 and "dsr.completed" in actions
        assert audit.verify(s).ok
    # nothing about the person's values in the audit log
    with transaction(dsm) as s:
        assert who["email"] not in json.dumps([e.details for e in audit.recent(s, limit=500)])


def test_rectification_and_restriction_visible_in_systems(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who, urls = sqlite_company.who, sqlite_company.loc.urls
    out = _submit_verified(
        dsm,
        settings,
        policy,
        who["email"],
        "rectification",
        changes={"crm.customers.title": "Chief Planner"},
    )
    assert _approve_and_run(dsm, settings, policy, out.id, plan=False) == "completed"
    assert (
        _count(
            urls["crm"],
            "SELECT count(*) FROM customers WHERE email = :e AND title = 'Chief Planner'",
            e=who["email"],
        )
        == 1
    )
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        ev = [
            e
            for e in audit.events_for(s, f"dsr:{req.public_id}")
            if e.action == "dsr.system_rectify"
        ][0]
        assert "Chief Planner" not in ev.details and '"title"' in ev.details  # hashes, not values
        assert "Chief Planner" not in (req.changes_enc or "")  # encrypted at rest
    # restriction: no approval needed by the policy -> runs straight after verification
    out = _submit_verified(dsm, settings, policy, who["email"], "restriction")
    assert out.run
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    assert (
        _count(
            urls["crm"],
            "SELECT count(*) FROM customers WHERE email = :e AND processing_restricted = 1",
            e=who["email"],
        )
        == 1
    )
    from steward.consent.checks import is_restricted as consent_sees_it

    with transaction(dsm) as s:
        assert consent_sees_it(s, email_ref(settings.resolved_secret_key(), who["email"]))


def test_objection_to_direct_marketing_is_recorded_at_once(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    who = sqlite_company.who
    out = _submit_verified(
        dsm, settings, policy, who["email"], "objection", objection_scope="direct_marketing"
    )
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    ref = email_ref(settings.resolved_secret_key(), who["email"])
    from steward.consent.tables import ConsentState

    with transaction(dsm) as s:
        assert suppression.has_objection(s, ref)
        states = {
            st.purpose: st.state
            for st in s.scalars(sa.select(ConsentState).where(ConsentState.subject_ref == ref))
        }
        dm = [p.key for p in policy.consent.purposes if p.direct_marketing]
        assert dm and all(states.get(k) == "objected" for k in dm)


def test_automated_decisions_question_goes_to_a_person(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    out = _submit_verified(dsm, settings, policy, "q@example.com", "automated_decisions")
    assert out.state == "awaiting_approval" and not out.run
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        workflow.decide(s, settings, policy, req, "officer@steward.example")
        letter = workflow.sealer_for(settings).open_text(req.letter)
    assert "automated" in letter and "Art. 22" in letter


def test_unknown_subject_gets_the_same_answer_shape(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    known = _submit_verified(dsm, settings, policy, sqlite_company.who["email"], "access")
    unknown = _submit_verified(dsm, settings, policy, "nobody.here@example.com", "access")
    for out in (known, unknown):
        assert out.state == "awaiting_approval"
        assert _approve_and_run(dsm, settings, policy, out.id, plan=False) == "completed"
    with transaction(dsm) as s:
        a, b = s.get_one(DsrRequest, known.id), s.get_one(DsrRequest, unknown.id)
        assert set(json.loads(a.result_json)) == set(json.loads(b.result_json))
        letter = workflow.sealer_for(settings).open_text(b.letter)
    assert "We hold no data about you" in letter


def test_duplicate_submission_is_one_request(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    args = dict(type="access", name="Dup", email="Dup.Person@Example.com", channel="api")
    a = workflow.submit_request(dsm, settings, policy, **args)
    b = workflow.submit_request(
        dsm, settings, policy, **{**args, "email": "dup.person@example.com"}
    )
    assert a.public_id == b.public_id and b.created is False
    # each submission mails a fresh code; only the newest works
    old, new = code_from(list_outbox(settings)[1].body), code_from(list_outbox(settings)[0].body)
    if old != new:
        assert workflow.verify_code(dsm, settings, policy, a.public_id, old)[0] is Check.wrong
    assert workflow.verify_code(dsm, settings, policy, a.public_id, new)[0] is Check.ok


def test_codes_expire_after_too_many_attempts(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    out = workflow.submit_request(
        dsm, settings, policy, type="access", name="A", email="guess@example.com"
    )
    code = code_from(list_outbox(settings)[0].body)
    wrong = "00000000" if code != "00000000" else "11111111"
    results = [
        workflow.verify_code(dsm, settings, policy, out.public_id, wrong)[0]
        for _ in range(MAX_ATTEMPTS)
    ]
    assert results[-1] is Check.exhausted and results[0] is Check.wrong
    assert workflow.verify_code(dsm, settings, policy, out.public_id, code)[0] is not Check.ok
    workflow.resend_code(dsm, settings, policy, out.public_id)
    fresh = code_from(list_outbox(settings)[0].body)
    assert workflow.verify_code(dsm, settings, policy, out.public_id, fresh)[0] is Check.ok
    with transaction(dsm) as s:
        hashes = list(s.scalars(sa.text("SELECT code_hash FROM dsr_codes")))
        assert len(hashes) == 2 and all(len(h) == 64 and fresh not in h for h in hashes)


@pytest.mark.parametrize(
    "field,value",
    [("email", "not-an-address"), ("name", ""), ("type", "everything"), ("country", "Denmark")],
)
def test_malformed_input_names_the_field(dsm, settings, policy, field, value):  # type: ignore[no-untyped-def]
    args = dict(type="access", name="A", email="a@example.com", country="DK")
    args[field] = value
    with pytest.raises(InvalidInput, match=field):
        workflow.submit_request(dsm, settings, policy, **args)


def test_hostile_strings_are_data(sqlite_company, dsm, settings, policy):  # type: ignore[no-untyped-def]
    out = _submit_verified(
        dsm,
        settings,
        policy,
        "o'brien'--or'1'='1@example.com",
        "access",
        details="<script>alert(1)</script>'); DROP TABLE customers;--",
    )
    assert _approve_and_run(dsm, settings, policy, out.id, plan=False) == "completed"
    assert _count(sqlite_company.loc.urls["crm"], "SELECT count(*) FROM customers") > 0


def test_system_down_waits_then_retries(
    sqlite_company, dsm, settings, policy, monkeypatch, tmp_path
):  # type: ignore[no-untyped-def]
    who = sqlite_company.who
    out = _submit_verified(dsm, settings, policy, who["email"], "restriction")
    monkeypatch.setenv("PROMARK_SUPPORT_URL", f"sqlite:///{tmp_path / 'gone.db'}")
    assert execute.execute_request(dsm, settings, policy, out.id) == "waiting_on_system"
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        assert req.retries == 1 and req.next_retry_at is not None and "support" in req.last_error
        assert req.completed_at is None
    monkeypatch.setenv("PROMARK_SUPPORT_URL", sqlite_company.env["PROMARK_SUPPORT_URL"])
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"


def test_interrupted_erasure_finishes_on_rerun(
    sqlite_company, dsm, settings, policy, monkeypatch, tmp_path
):  # type: ignore[no-untyped-def]
    """Recruiting goes down after discovery found everything: the other systems are erased and
    recorded, the request waits; the rerun finishes recruiting and repeats nothing."""
    who, urls = sqlite_company.who, sqlite_company.loc.urls
    out = _submit_verified(dsm, settings, policy, who["email"], "erasure")
    execute.prepare_plan(dsm, settings, policy, out.id)
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer")
    recruiting = sa.make_url(urls["recruiting"]).database
    moved = tmp_path / "recruiting.offline"
    # The systems are erased at the same time: recruiting's database goes away just as its
    # erasure starts, while the others run for real.
    from steward.connectors.sql import SqlConnector

    real_apply = SqlConnector.apply

    def apply_then_unplug(self, plan):  # type: ignore[no-untyped-def]
        if self.system.key == "recruiting":
            import os

            os.replace(recruiting, moved)  # the recruiting database goes away mid-run
        return real_apply(self, plan)

    monkeypatch.setattr(SqlConnector, "apply", apply_then_unplug)
    assert execute.execute_request(dsm, settings, policy, out.id) == "waiting_on_system"
    monkeypatch.setattr(SqlConnector, "apply", real_apply)
    with transaction(dsm) as s:
        done = {p.system for p in s.scalars(sa.select(DsrProgress))}
        assert done == {"crm", "portal", "support"}
    import os

    os.replace(moved, recruiting)
    assert execute.execute_request(dsm, settings, policy, out.id) == "completed"
    with transaction(dsm) as s:
        rows = list(s.scalars(sa.select(DsrProgress)))
        assert sorted(p.system for p in rows) == ["crm", "portal", "recruiting", "support"]
        req = s.get_one(DsrRequest, out.id)
        acts = [e.action for e in audit.events_for(s, f"dsr:{req.public_id}")]
        assert acts.count("dsr.system_erase") == 4
        assert "dsr.waiting_on_system" in acts and audit.verify(s).ok
    assert (
        _count(
            urls["recruiting"], "SELECT count(*) FROM applications WHERE email = :e", e=who["email"]
        )
        == 0
    )
