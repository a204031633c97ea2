"""In the real Chromium: an officer sees a rule awaiting approval with its plan, approves and
runs it, and the run appears with its evidence (the in-process job worker runs it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.conftest import free_port
from tests.connectors.servers import serve
from tests.helpers import PASSWORD, add_user, settings_for
from tests.retention import company as co
from tests.retention.test_approval import RULES
from tests.retention.test_sweep import fill_recruiting

from steward.store.db import make_engine
from steward.store.migrate import upgrade_engine

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, sa.Engine, str]]:
    """Steward on uvicorn with the test company's policy (job worker in-process)."""
    from steward.web.app import create_app

    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    eng = make_engine(f"sqlite:///{tmp_path / 'steward.db'}")
    upgrade_engine(eng)
    port = free_port()
    settings = settings_for(eng, tmp_path, cookie_secure=False,
                            base_url=f"http://127.0.0.1:{port}",
                            policy=co.write_policy(tmp_path / "policy", url, RULES))
    app = create_app(settings, engine=eng)
    with serve(app, port=port, lifespan="auto") as base:
        yield base, eng, url
    eng.dispose()


def test_officer_approves_and_runs_a_rule(server: tuple[str, sa.Engine, str],
                                          page: Any) -> None:
    base, eng, company_url = server
    add_user(eng, "officer@steward.example", "officer")
    page.goto(f"{base}/console/login")
    page.get_by_label("E-mail").fill("officer@steward.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/console")

    page.goto(f"{base}/console/retention")
    page.get_by_role("button", name="Refresh counts").click()
    page.wait_for_url(f"{base}/console/retention#rules-h")
    row = page.locator("tr", has=page.locator('[data-awaiting="job_applications"]'))
    assert row.count() == 1
    assert "awaiting approval" in row.inner_text()
    # The plan beside the button: today every ended process has expired (three of four).
    assert "3 row(s) to delete" in row.inner_text()

    page.get_by_role("button", name="Approve and run job_applications").click()
    page.wait_for_url(f"{base}/console/retention#runs-h")
    assert "Approved: rule job_applications is queued" in page.content()

    # The in-process worker runs the job; reload until its run shows as done.
    runs = page.locator("#runs-h + table tbody tr", has_text="job_applications")
    for _ in range(60):
        if runs.count() and "done" in runs.first.inner_text():
            break
        page.wait_for_timeout(500)
        page.reload()
    assert "done" in runs.first.inner_text()
    assert "officer@steward.example" in runs.first.inner_text()
    assert page.locator('[data-awaiting="job_applications"]').count() == 0
    company = sa.create_engine(company_url)
    assert co.ids(company, co.applications) == {4}
    company.dispose()

    runs.first.get_by_role("link").click()
    assert "applications: 3" in page.content()
