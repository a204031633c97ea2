"""Systems nobody can connect: a `manual` system's owner is mailed a task with a signed link;
the request waits (not searched, Art. 15(1)) until they answer on the page, and then the
answer is part of the request's result. A used link is read-only."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from tests.helpers import make_client
from tests.requests.test_copy_own_and_others import _copy
from tests.requests.test_not_searched import _run_access, _with

from steward.connectors.manual import ManualConnector
from steward.connectors.tasks import SystemTask
from steward.errors import InvalidInput
from steward.mail import list_outbox
from steward.policy.models import Policy, SystemSpec, TableSpec
from steward.requests import execute
from steward.requests.tables import DsrRequest
from steward.store.db import transaction

OWNER = "archive.keeper@example.com"
LINK = re.compile(r"https://testserver(/system-tasks/\S+)")


def manual_system() -> SystemSpec:
    return SystemSpec(key="paper", name="Paper archive", connector="manual",
                      url=f"mailto:{OWNER}", storage_country="DK",
                      tables=[TableSpec(name="folders", identities={"email": "email"})])


@pytest.fixture
def steward_env(monkeypatch, settings, tmp_path):  # type: ignore[no-untyped-def]
    """The connectors find Steward's store, secret and base URL in the environment."""
    monkeypatch.setenv("STEWARD_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("STEWARD_SECRET_KEY", settings.secret_key)
    monkeypatch.setenv("STEWARD_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("STEWARD_BASE_URL", "https://testserver")


def _owner_mails(settings):  # type: ignore[no-untyped-def]
    return [m for m in list_outbox(settings) if m.to == OWNER]


def test_a_manual_system_waits_for_its_owner_and_includes_the_answer(
    steward_env, sqlite_company, sqlite_engine, dsm, settings, policy: Policy, tmp_path
):  # type: ignore[no-untyped-def]
    policy = _with(policy, manual_system())
    with pytest.raises(InvalidInput, match="mailto:"):  # a manual system names its owner
        ManualConnector(manual_system(), url="https://example.com", env={})
    email = sqlite_company.who["email"]
    rid, state = _run_access(dsm, settings, policy, email)
    assert state == "waiting_on_system"
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert "not searched: paper: waiting for the owner of paper" in req.last_error
        assert email not in req.last_error
    mails = _owner_mails(settings)
    assert len(mails) == 1 and "Art. 15(1)" in mails[0].body
    path = LINK.search(mails[0].body).group(1)  # type: ignore[union-attr]

    # Running again before the owner answers: still waiting, no second mail yet.
    assert execute.execute_request(dsm, settings, policy, rid) == "waiting_on_system"
    assert len(_owner_mails(settings)) == 1
    # Two days on, the next run reminds the owner once.
    with transaction(dsm) as s:
        task = s.query(SystemTask).one()
        task.sent_at = task.sent_at - timedelta(days=2, minutes=1)  # type: ignore[operator]
    assert execute.execute_request(dsm, settings, policy, rid) == "waiting_on_system"
    assert execute.execute_request(dsm, settings, policy, rid) == "waiting_on_system"
    subjects = sorted(m.subject for m in _owner_mails(settings))
    assert len(subjects) == 2 and subjects[1].startswith("Reminder: ")
    assert LINK.search(_owner_mails(settings)[0].body).group(1) == path  # type: ignore[union-attr]

    client = make_client(sqlite_engine, tmp_path)
    page = client.get(path)
    assert page.status_code == 200 and email in page.text  # the owner sees whom to look for
    tampered = client.get(path[:-2] + ("aa" if not path.endswith("aa") else "bb"))
    assert tampered.status_code == 404
    bad = client.post(path, data={"note": "forgot to choose"})
    assert bad.status_code == 422
    done = client.post(path, data={"found": "yes", "note": "Box 14: signed contract 2019"},
                       files={"file": ("scan.txt", b"scanned contract", "text/plain")})
    assert done.status_code == 200 and 'id="answered"' in done.text
    with transaction(dsm) as s:
        task = s.query(SystemTask).one()
        assert task.state == "done"
        # Encrypted at rest: neither the note nor the file is stored in clear.
        assert b"scanned contract" not in (task.file_sealed or b"")
        assert "Box 14" not in (task.answer_sealed or "")

    # Read-only after completion: a second answer changes nothing.
    again = client.post(path, data={"found": "no", "note": "nothing"})
    assert again.status_code == 422 and "already answered" in again.text
    assert "Box 14: signed contract 2019" in client.get(path).text

    state = execute.execute_request(dsm, settings, policy, rid)
    assert state not in ("waiting_on_system", "in_progress"), state
    letter, result, files = _copy(dsm, settings, rid)
    assert result["rows_found"]["paper"] == 1
    owner_part = "\n".join(v for k, v in files.items() if "paper" in k)
    assert "Box 14: signed contract 2019" in owner_part, sorted(files)
    assert "Paper archive" in letter or "paper" in letter
