"""A manual system's owner completes their task through the mailed page in Chromium; the link
is read-only afterwards."""

from __future__ import annotations

import re

import pytest
from tests.requests.test_manual_systems import OWNER, manual_system

from steward.connectors.manual import ManualConnector
from steward.connectors.tasks import Awaiting, Ledger, SystemTask
from steward.mail import list_outbox
from steward.store.db import make_sessionmaker, transaction

pytestmark = pytest.mark.browser
PERSON = "maja.holm@example.com"


def test_owner_answers_a_task_in_chromium(live_server, page, tmp_path) -> None:  # type: ignore[no-untyped-def]
    s = live_server.settings
    env = {"STEWARD_DATABASE_URL": s.database_url, "STEWARD_SECRET_KEY": s.secret_key,
           "STEWARD_DATA_DIR": str(s.data_dir), "STEWARD_BASE_URL": live_server.url}
    conn = ManualConnector(manual_system(), url=f"mailto:{OWNER}", env=env)
    with pytest.raises(Awaiting):
        conn.find({"email": [PERSON]})
    [mail] = [m for m in list_outbox(s) if m.to == OWNER]
    link = re.search(r"(http://127\.0\.0\.1:\d+/system-tasks/\S+)", mail.body).group(1)  # type: ignore[union-attr]

    page.goto(link)
    assert page.get_by_text(PERSON).is_visible()  # whom to look for
    page.get_by_label("Yes").check()
    page.get_by_label("What you found or did").fill("Two paper timesheets from 2023, box 9")
    page.get_by_label("A file (optional; kept encrypted)").set_input_files(
        files=[{"name": "timesheet.txt", "mimeType": "text/plain", "buffer": b"week 12"}])
    page.get_by_role("button", name="Send the answer").click()
    assert page.locator("#answered").is_visible()
    page.goto(link)  # read-only now: no form
    assert page.get_by_role("button", name="Send the answer").count() == 0
    assert page.get_by_text("Two paper timesheets from 2023, box 9").is_visible()

    records = conn.find({"email": [PERSON]})
    assert records.count() == 1
    assert records.tables["folders"][0]["note"] == "Two paper timesheets from 2023, box 9"
    with transaction(make_sessionmaker(live_server.engine)) as ses:
        task = ses.query(SystemTask).one()
        assert task.file_name == "timesheet.txt"
        assert Ledger.sealer_for(s).open(task.file_sealed) == b"week 12"  # type: ignore[arg-type]
    conn.close()
