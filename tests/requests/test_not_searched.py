"""Art. 15(1): "we hold no data about you" must be true. A system Steward could not search
(no table with an identity column, none for the identities known, a table missing from its
database, a Fides dataset that cannot be read) keeps the request open for the officer with
the reason; the letter never says "no data" while a system was not searched."""

from __future__ import annotations

import pytest
from tests.requests.conftest import code_from

from steward.mail import list_outbox
from steward.policy.fides import unreadable
from steward.policy.models import FieldSpec, Policy, SystemSpec, TableSpec
from steward.requests import execute, letters, workflow
from steward.requests.tables import DsrRequest
from steward.requests.verification import Check
from steward.store.db import transaction

NOBODY = "nobody.here@example.com"


def _with(policy: Policy, system: SystemSpec) -> Policy:
    return policy.model_copy(update={"systems": [*policy.systems, system]})


def _system(url: str, *tables: TableSpec, key: str = "archive") -> SystemSpec:
    return SystemSpec(key=key, name="Archive", connector="sql", url=url,
                      storage_country="DK", tables=list(tables))


def _run_access(dsm, settings, policy, email):  # type: ignore[no-untyped-def]
    out = workflow.submit_request(dsm, settings, policy, type="access", name="Test Person",
                                  email=email, country="DK", channel="api", actor="api")
    mine = [m for m in list_outbox(settings) if email.lower() in m.to.lower()]  # newest first
    code = code_from(mine[0].body)
    result, out = workflow.verify_code(dsm, settings, policy, out.public_id, code)
    assert result is Check.ok
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer@example.com")
    return out.id, execute.execute_request(dsm, settings, policy, out.id)


def _crm_url(company) -> str:  # type: ignore[no-untyped-def]
    return str(company.loc.urls["crm"])


@pytest.mark.parametrize("case", ["no_identity_table", "other_identity_only", "missing_table",
                                  "unreadable_dataset"])
def test_a_system_not_searched_keeps_the_request_open(
    case, sqlite_company, dsm, settings, policy
):  # type: ignore[no-untyped-def]
    url = _crm_url(sqlite_company)
    system, reason = {
        "no_identity_table": (
            _system(url, TableSpec(name="customers", fields=[FieldSpec(name="email")])),
            "no table with an identity column"),
        "other_identity_only": (
            _system(url, TableSpec(name="customers", identities={"phone": "phone"})),
            "it is searched by phone)"),
        "missing_table": (
            _system(url, TableSpec(name="ledger_2019", identities={"email": "email"})),
            "has no table 'ledger_2019'"),
        "unreadable_dataset": (
            unreadable(_system(url), "cannot load its Fides dataset (archive.yml: not found)"),
            "cannot load its Fides dataset (archive.yml: not found)"),
    }[case]
    policy = _with(policy, system)
    for email in (sqlite_company.who["email"], NOBODY):
        rid, state = _run_access(dsm, settings, policy, email)
        assert state == "waiting_on_system"
        with transaction(dsm) as s:
            req = s.get_one(DsrRequest, rid)
            assert req.completed_at is None and req.letter is None
            assert req.last_error.startswith("not searched: archive: ")
            assert reason in req.last_error
            if case == "other_identity_only":  # the identity types known, never values
                assert "no identity column for the identities given (" in req.last_error
                assert sqlite_company.who["email"] not in req.last_error
            assert NOBODY not in req.last_error


def test_once_every_system_is_searched_the_request_completes(
    sqlite_company, dsm, settings, policy
):  # type: ignore[no-untyped-def]
    broken = _with(policy, _system(_crm_url(sqlite_company),
                                   TableSpec(name="customers", fields=[FieldSpec(name="email")])))
    rid, state = _run_access(dsm, settings, broken, NOBODY)
    assert state == "waiting_on_system"
    # The officer fixes the declaration: the table is searched by its e-mail column.
    fixed = _with(policy, _system(_crm_url(sqlite_company), TableSpec(
        name="customers", identities={"email": "email"},
        fields=[FieldSpec(name="contact_name")])))
    state = execute.execute_request(dsm, settings, fixed, rid)
    with transaction(dsm) as s:
        assert state == "completed", s.get_one(DsrRequest, rid).last_error
    with transaction(dsm) as s:
        letter = workflow.sealer_for(settings).open_text(s.get_one(DsrRequest, rid).letter)
    assert "We hold no data about you" in letter


def test_the_letter_never_says_no_data_while_a_system_was_not_searched(policy) -> None:  # type: ignore[no-untyped-def]
    args = dict(name="A Person", type_="access", received="2026-12-01", lang="en",
                jurisdiction="DK")
    searched_all = letters.render_letter(policy, result={"systems_found": []}, **args)
    assert "We hold no data about you" in searched_all
    crm = policy.system("crm")
    partly = letters.render_letter(
        policy, result={"systems_found": [], "not_searched": {"crm": "unreachable"}}, **args)
    assert "We hold no data" not in partly
    assert f"We could not yet search: {crm.name}" in partly and "Art. 15(1)" in partly


