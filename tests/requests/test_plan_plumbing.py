"""How `Systems` reaches a policy's systems: the URL from the environment given (else the
process environment), relative SQLite paths under the base folder (else the working folder),
`url_file`s under the policy folder; connectors pooled per declaration and URL unless asked
not to, and a pooled one left open when one of the requests sharing it ends. And which tables
an erasure plans to delete: a table kept because of a retention rule with a legal obligation
is planned row by row (Art. 17(3)(b)), other kept tables stay kept. The expected URLs and
erase actions are written out by hand."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest
from tests.requests.conftest import Company, sql_policy

from steward.policy.models import EraseAction, Policy, SystemSpec
from steward.requests.plan import Systems, systems_for, unsearchable_reason

GIVEN = "sqlite:////srv/given/crm.db"
PROCESS = "sqlite:////srv/process/crm.db"


@pytest.fixture
def policy(monkeypatch: pytest.MonkeyPatch) -> Policy:
    monkeypatch.delenv("PROMARK_CRM_URL", raising=False)
    return sql_policy()


def _url_file_policy(policy: Policy) -> Policy:
    crm = policy.system("crm").model_copy(
        update={"url": None, "url_env": None, "url_file": "crm.url"}
    )
    return policy.model_copy(update={"systems": [crm]})


def test_the_environment_given_wins_over_the_process_environment(
    policy: Policy, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMARK_CRM_URL", PROCESS)
    for pooled in (True, False):
        conn = Systems(policy, env={"PROMARK_CRM_URL": GIVEN}, pooled=pooled).get("crm")
        assert conn.url == GIVEN  # type: ignore[attr-defined]
        assert Systems(policy, pooled=pooled).get("crm").url == PROCESS  # type: ignore[attr-defined]


def test_a_relative_sqlite_path_is_under_the_base_folder_else_the_working_folder(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = tmp_path / "data"
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    for pooled in (True, False):
        given = Systems(policy, env={}, base_dir=base, pooled=pooled).get("crm")
        assert given.url == f"sqlite:///{tmp_path.resolve()}/data/crm.db"  # type: ignore[attr-defined]
        default = Systems(policy, env={}, pooled=pooled).get("crm")
        assert default.url == f"sqlite:///{tmp_path.resolve()}/cwd/crm.db"  # type: ignore[attr-defined]


def test_a_url_file_is_read_under_the_policy_folder(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "crm.url").write_text("sqlite:////srv/from-file/crm.db\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # not the policy folder: a wrong anchor finds no file
    conn = Systems(_url_file_policy(policy), env={}, policy_dir=folder).get("crm")
    assert conn.url == "sqlite:////srv/from-file/crm.db"  # type: ignore[attr-defined]


def test_connectors_are_pooled_per_url_unless_asked_not_to(policy: Policy) -> None:
    first = Systems(policy, env={"PROMARK_CRM_URL": GIVEN}).get("crm")
    again = Systems(policy, env={"PROMARK_CRM_URL": GIVEN}).get("crm")
    assert again is first  # the default: one connector per declaration and URL
    moved = Systems(policy, env={"PROMARK_CRM_URL": PROCESS}).get("crm")
    assert moved is not first and moved.url == PROCESS  # type: ignore[attr-defined]
    own = Systems(policy, env={"PROMARK_CRM_URL": GIVEN}, pooled=False)
    fresh = own.get("crm")
    assert fresh is not first and fresh.url == GIVEN  # type: ignore[attr-defined]
    assert own.get("crm") is fresh  # one connector per system within one `Systems`
    own.close()
    assert own.get("crm") is not fresh  # closed: the next use makes a new one


def test_a_request_ending_leaves_the_connectors_it_shares_open(
    full_company: Company, full_policy: Policy
) -> None:
    # Two requests at once share the pooled connector of the newsletter's API; the first one
    # to end must not close it under the other.
    email = full_company.who["email"]
    first, second = Systems(full_policy), Systems(full_policy)
    shared = first.get("newsletter")
    assert second.get("newsletter") is shared
    assert len(shared.find({"email": [email]}).tables["subscribers"]) == 1
    first.close()
    assert len(second.get("newsletter").find({"email": [email]}).tables["subscribers"]) == 1
    second.close()


def test_systems_for_uses_the_data_folder_and_the_policy_folder(
    policy: Policy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "crm.url").write_text("sqlite:////srv/from-file/crm.db", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    as_file = SimpleNamespace(policy=str(folder / "policy.yml"), data_dir=str(tmp_path / "d"))
    as_dir = SimpleNamespace(policy=str(folder), data_dir=str(tmp_path / "d"))
    for settings in (as_file, as_dir):
        conn = systems_for(_url_file_policy(policy), settings, env={}).get("crm")
        assert conn.url == "sqlite:////srv/from-file/crm.db"  # type: ignore[attr-defined]
    demo = systems_for(policy, as_file, env={}).get("crm")
    assert demo.url == f"sqlite:///{tmp_path.resolve()}/d/demo/crm.db"  # type: ignore[attr-defined]
    other = systems_for(policy, as_file, env={}, base_dir=tmp_path / "b").get("crm")
    assert other.url == f"sqlite:///{tmp_path.resolve()}/b/crm.db"  # type: ignore[attr-defined]
    given = systems_for(policy, as_file, env={"PROMARK_CRM_URL": GIVEN}).get("crm")
    assert given.url == GIVEN  # type: ignore[attr-defined]


# (table, erase as declared, retention rule) -> erase as planned. `invoices_bookkeeping` is a
# legal obligation (bookkeeping acts), `customer_records` is not.
ERASE = [
    ("customers", EraseAction.keep, None, EraseAction.keep),
    ("contacts", EraseAction.keep, "customer_records", EraseAction.keep),
    ("orders", EraseAction.keep, "invoices_bookkeeping", EraseAction.delete_row),
]


def test_a_table_kept_for_a_legal_obligation_is_planned_row_by_row(policy: Policy) -> None:
    crm = policy.system("crm")
    by_name = {t.name: t for t in crm.tables}
    tables = [
        by_name[name].model_copy(update={"erase": erase, "retention": rule})
        for name, erase, rule, _ in ERASE
    ]
    policy = policy.model_copy(update={"systems": [crm.model_copy(update={"tables": tables})]})
    planned: SystemSpec = Systems(policy, env={}, pooled=False).get("crm").system  # type: ignore[attr-defined]
    assert {t.name: t.erase for t in planned.tables} == {n: e for n, _, _, e in ERASE}


def test_a_table_anonymised_under_a_legal_rule_stays_anonymised(policy: Policy) -> None:
    crm = policy.system("crm")
    tables = [
        t.model_copy(update={"erase": EraseAction.mask, "retention": "invoices_bookkeeping"})
        if t.name == "orders"
        else t
        for t in crm.tables
    ]
    policy = policy.model_copy(update={"systems": [crm.model_copy(update={"tables": tables})]})
    planned: SystemSpec = Systems(policy, env={}, pooled=False).get("crm").system  # type: ignore[attr-defined]
    erase = {t.name: t.erase for t in planned.tables}
    assert (erase["orders"], erase["customers"]) == (EraseAction.mask, EraseAction.delete_row)


def test_why_a_system_was_not_searched_names_every_kind_it_is_searched_by(
    policy: Policy,
) -> None:
    crm = policy.system("crm")
    assert unsearchable_reason(crm, {"national_id": ["010190-1238"], "phone": []}) == (
        "no identity column for the identities given (national_id; it is searched by "
        "customer_number, email, phone)"
    )
