"""The demo's workforce-management product: customer companies as tenants, their employees'
shifts, absences with reasons and wages, all fictional, on SQLite and PostgreSQL."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path

import sqlalchemy as sa
from tests.demo.test_cli import _steward

from steward.demo.workforce import ABSENCE_REASONS, build_workforce

TODAY = dt.date(2026, 3, 2)


def _check(url: str) -> None:
    summary = build_workforce(url, tenants=2, employees=10, seed=7, today=TODAY)
    assert len(summary.tenants) == 2
    eng = sa.create_engine(url)
    with eng.connect() as c:
        q = lambda sql: c.execute(sa.text(sql)).all()  # noqa: E731
        assert q("SELECT tenant_id, count(*) FROM employees GROUP BY tenant_id "
                 "ORDER BY tenant_id") == [(1, 10), (2, 10)]
        # Every shift, absence and wage row belongs to its employee's tenant.
        for table in ("shifts", "absences", "wages"):
            sql = (f"SELECT count(*) FROM {table} t "  # noqa: S608 - fixed names
                   "JOIN employees e ON e.id = t.employee_id WHERE e.tenant_id <> t.tenant_id")
            assert q(sql) == [(0,)]
        assert q("SELECT count(*) FROM shifts") == [(2 * 10 * 8 * 4,)]
        assert q("SELECT count(*) FROM wages") == [(2 * 10 * 6,)]
        reasons = {r for (r,) in q("SELECT DISTINCT reason FROM absences")}
        assert reasons and reasons <= set(ABSENCE_REASONS)
        emails = [e for (e,) in q("SELECT email FROM employees")]
        assert len(set(emails)) == 20 and all(e.endswith(".example.com") for e in emails)
        # Each tenant's employees use that tenant's (fictional) domain.
        assert q("SELECT count(*) FROM employees e JOIN tenants t ON t.id = e.tenant_id "
                 "WHERE e.email NOT LIKE '%@' || substr(t.admin_email, 4)") == [(0,)]
        assert q("SELECT count(*) FROM absences WHERE last_day < first_day") == [(0,)]
    eng.dispose()
    # A second customer set in the same schema (tenant ids after the first) keeps apart.
    more = build_workforce(url, tenants=1, employees=3, seed=8, today=TODAY, first_tenant=3,
                           first_serial=950_000)
    assert list(more.tenants) == [3] and more.counts["employees"] == 3


def test_workforce_on_sqlite(tmp_path: Path) -> None:
    _check(f"sqlite:///{tmp_path / 'workforce.db'}")


def test_workforce_on_postgresql(pg_server_url: str) -> None:
    from tests.conftest import _fresh_pg_schema

    with contextlib.contextmanager(_fresh_pg_schema)(pg_server_url) as url:
        _check(url)


def test_steward_demo_builds_the_workforce_product(tmp_path: Path) -> None:
    made = _steward("demo", "--customers", "3", data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "GDPR Art. 28" in made.stdout
    eng = sa.create_engine(f"sqlite:///{tmp_path / 'demo' / 'workforce.db'}")
    with eng.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM tenants")).scalar_one() == 3
    eng.dispose()
