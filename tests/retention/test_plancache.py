"""The cached plans: counted on refresh, read from the store only, stale when the rule changes;
the console shows them "as of" their time and never queries the company's systems on load."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.helpers import csrf_from, login, make_client
from tests.retention import company as co
from tests.retention.conftest import engines_for
from tests.retention.test_sweep import NOW, fill_recruiting

from steward.retention import plancache
from steward.store.db import transaction

COUNTED = datetime(2025, 6, 1, 4, 30, tzinfo=UTC)


def test_refresh_then_read_without_the_company(
    tmp_path: Path, sqlite_company: str, store: sessionmaker[Session]
) -> None:
    fill_recruiting(sqlite_company)
    policy = co.make_policy()
    with transaction(store) as s:
        assert [e.plan for e in plancache.cached(s, policy)] == [None] * 4  # never counted
        assert plancache.as_of(plancache.cached(s, policy)) is None
    engines = engines_for(sqlite_company)
    with transaction(store) as s:
        plans = plancache.refresh(s, policy, engines=engines, today=NOW.date(), now=COUNTED)
    engines.dispose()
    assert [p.rule for p in plans] == [r.key for r in policy.retention_rules]
    # The company database is gone: the cached counts are still there, read from the store.
    Path(sqlite_company.removeprefix("sqlite:///")).unlink()
    with transaction(store) as s:
        entries = plancache.cached(s, policy)
    jobs = entries[0]
    assert jobs.rule.key == "job_applications" and jobs.plan is not None
    assert (jobs.plan.expired, jobs.plan.missing_trigger, jobs.plan.cutoff) == (2, 1, "2025-03-02")
    assert jobs.plan.dependants == ["application_emails"] and not jobs.stale
    assert jobs.refreshed_at == COUNTED and plancache.as_of(entries) == COUNTED

    # One rule refreshed while its system is down: stored with the error, the others kept.
    later = datetime(2025, 6, 2, tzinfo=UTC)
    engines = engines_for(sqlite_company.replace("company.db", "missing.db"))
    with transaction(store) as s:
        [down] = plancache.refresh(s, policy, engines=engines, rules=["customer_records"],
                                   now=later)
    assert down.error is not None and "does not exist" in down.error
    with transaction(store) as s:
        entries = {e.rule.key: e for e in plancache.cached(s, policy)}
        assert entries["customer_records"].plan.error == down.error  # type: ignore[union-attr]
        assert entries["customer_records"].refreshed_at == later
        assert entries["job_applications"].plan.expired == 2  # type: ignore[union-attr]
        assert plancache.as_of(list(entries.values())) == COUNTED  # the oldest count

    # The policy changes the rule: the old counts are marked stale, not shown as current.
    changed = co.make_policy([{**r, "period": {"months": 6}} if r["key"] == "job_applications"
                              else r for r in co.RULES])
    with transaction(store) as s:
        entries = {e.rule.key: e for e in plancache.cached(s, changed)}
    assert entries["job_applications"].stale and not entries["customer_records"].stale


def test_console_reads_the_cache_and_officers_refresh_it(
    tmp_path: Path, sqlite_engine: sa.Engine
) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    fill_recruiting(url)
    policy_path = co.write_policy(tmp_path / "policy", url)
    client = make_client(sqlite_engine, tmp_path, policy=policy_path)
    token = login(client, sqlite_engine, role="officer")
    page = client.get("/console/retention")
    assert page.status_code == 200
    assert "Not counted yet" in page.text and "not counted yet" in page.text
    expired = '<td>3<br><span class="muted">1 more with no trigger date'
    assert expired not in page.text
    assert client.post("/console/retention/refresh",
                       follow_redirects=False).status_code == 403  # no CSRF token
    r = client.post("/console/retention/refresh", data={"csrf_token": token},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/console/retention")
    page = client.get("/console/retention")
    assert "Counted 4 rule(s)." in page.text
    assert "Counts as of " in page.text and "not counted yet" not in page.text
    assert expired in page.text  # job_applications: all three ended processes expired
    # Gone the company database, the page still loads, from the cache, with no error.
    Path(tmp_path / "company.db").unlink()
    again = client.get("/console/retention")
    assert again.status_code == 200 and expired in again.text
    assert "does not exist" not in again.text and 'badge bad">error' not in again.text
    # A failed count is shown as such after the next refresh.
    page = client.post("/console/retention/refresh", data={"csrf_token": token})
    assert "could not be counted" in page.text and "does not exist" in page.text


def test_viewers_cannot_refresh(tmp_path: Path, sqlite_engine: sa.Engine) -> None:
    url = f"sqlite:///{tmp_path / 'company.db'}"
    co.create(url).dispose()
    client = make_client(sqlite_engine, tmp_path,
                         policy=co.write_policy(tmp_path / "policy", url))
    login(client, sqlite_engine, role="viewer")
    page = client.get("/console/retention")
    assert page.status_code == 200 and "Refresh counts" not in page.text
    r = client.post("/console/retention/refresh", data={"csrf_token": csrf_from(page.text)},
                    follow_redirects=False)
    assert r.status_code == 403

