"""The sweep's statements on hand-placed rows at the cutoff boundaries, on every dialect: which
rows are due, due soon, the oldest, without a date; how batches walk the key; what a batch
deletes with its dependants; the statements a plan shows; and the errors naming what the
policy declares but the database lacks.

Recruiting keeps applications 3 months after the process (`job_applications`). Swept on
1 June 2025 the cutoff is 2 March 2025 (due: ended before it); a week later it is 9 March."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import Connection
from tests.retention import company as co

from steward.errors import InvalidInput
from steward.retention.rules import resolve
from steward.retention.statements import RuleSql, batch_keys, reflect, show, tables_needed

CUTOFF = date(2025, 3, 2)
SOON = date(2025, 3, 9)

# id -> process end, placed by hand around the two dates above.
ENDED = {
    1: datetime(2025, 3, 1, 23, 59, 59),  # the last second before the cutoff day: due
    2: datetime(2025, 3, 2, 0, 0),  # midnight of the cutoff day: not due yet, due soon
    3: datetime(2025, 3, 8, 23, 59, 59),  # due soon
    4: datetime(2025, 3, 9, 0, 0),  # midnight of the day a week on: not due soon
    5: None,  # process still open: never due
    6: datetime(2025, 1, 15, 10, 0),  # the oldest, due
    7: datetime(2024, 12, 31, 9, 0),  # due: ended the year before
}
DUE = [1, 6, 7]
EMAILS = {10: 1, 11: 1, 12: 2, 13: 6, 14: 7, 15: 5}  # e-mail id -> application id


@pytest.fixture
def conn(company_url: str) -> Iterator[Connection]:
    yield from co.applications_connection(company_url, ENDED, EMAILS)


def _sql(conn: Connection, rule: str = "job_applications") -> RuleSql:
    return reflect(conn, resolve(co.make_policy(), rule))


def _keys(conn: Connection, stmt: sa.Select[object]) -> list[int]:
    return [r[0] for r in conn.execute(stmt)]


def test_due_rows_are_those_ended_before_the_cutoff_day(conn: Connection) -> None:
    sql = _sql(conn)
    assert _keys(conn, sql.candidates(CUTOFF)) == DUE
    assert conn.execute(sql.count_expired(CUTOFF)).scalar_one() == len(DUE)
    assert sorted(_keys(conn, sql.expired_keys(CUTOFF))) == DUE
    # Due soon: ended on the cutoff day or later, before the day a week on.
    assert conn.execute(sql.count_between(CUTOFF, SOON)).scalar_one() == 2
    oldest = conn.execute(sql.oldest(CUTOFF)).scalar_one()
    assert str(oldest).startswith("2024-12-31 09:00")
    assert conn.execute(sql.count_missing_trigger()).scalar_one() == 1
    # A day later the midnight row is due too; a day earlier the last-second one is not.
    assert _keys(conn, sql.candidates(date(2025, 3, 3))) == [1, 2, 6, 7]
    assert _keys(conn, sql.candidates(date(2025, 3, 1))) == [6, 7]


def test_batches_walk_the_key_after_and_up_to(conn: Connection) -> None:
    sql = _sql(conn)
    assert _keys(conn, sql.candidates(CUTOFF, limit=2)) == [1, 6]
    assert _keys(conn, sql.candidates(CUTOFF, after=1)) == [6, 7]
    assert _keys(conn, sql.candidates(CUTOFF, after=6)) == [7]
    assert _keys(conn, sql.candidates(CUTOFF, upto=6)) == [1, 6]
    assert _keys(conn, sql.candidates(CUTOFF, after=1, upto=6)) == [6]
    assert _keys(conn, sql.candidates(CUTOFF, after=7)) == []


def test_a_batch_deletes_its_rows_and_their_dependants_only(conn: Connection) -> None:
    sql = _sql(conn)
    assert sql.range_deletes  # trigger and (no) condition on the rule table itself
    counts = {t: conn.execute(s).scalar_one() for t, s in sql.count_statements(batch_keys([1, 6]))}
    assert counts == {"application_emails": 3, "applications": 2}
    for table, stmt in sql.delete_statements(batch_keys([1])):
        conn.execute(stmt)
        assert table in ("application_emails", "applications")
    # A window of keys (1, 7]: the due rows in it, children first.
    stmts = sql.delete_window(CUTOFF, 1, 7)
    assert [t for t, _ in stmts] == ["application_emails", "applications"]
    for _, stmt in stmts:
        conn.execute(stmt)
    left = _keys(conn, sa.select(co.applications.c.id).order_by(co.applications.c.id))
    assert left == [2, 3, 4, 5]
    emails = _keys(conn, sa.select(co.application_emails.c.id).order_by(co.application_emails.c.id))
    assert emails == [12, 15]


def test_a_window_without_a_start_reaches_from_the_first_key(conn: Connection) -> None:
    sql = _sql(conn)
    for _, stmt in sql.delete_window(CUTOFF, None, 6):
        conn.execute(stmt)
    assert _keys(conn, sa.select(co.applications.c.id).order_by(co.applications.c.id)) == [
        2,
        3,
        4,
        5,
        7,
    ]


def test_dependants_two_levels_down_belong_through_their_parent(company_url: str) -> None:
    eng = sa.create_engine(company_url)
    with eng.begin() as c:
        c.execute(
            co.customers.insert(),
            [
                {"id": 1, "email": "a@example.com", "relationship_ended_at": datetime(2010, 5, 1)},
                {"id": 2, "email": "b@example.com", "relationship_ended_at": datetime(2024, 5, 1)},
            ],
        )
        c.execute(co.orders.insert(), [{"id": 10, "customer_id": 1}, {"id": 20, "customer_id": 2}])
        c.execute(
            co.order_lines.insert(),
            [{"id": 100, "order_id": 10}, {"id": 101, "order_id": 10}, {"id": 200, "order_id": 20}],
        )
        # An invoice belongs to customer 1 through its customer or through its order.
        c.execute(
            co.invoices.insert(),
            [
                {"id": 1000, "customer_id": 1, "order_id": None},
                {"id": 1001, "customer_id": 2, "order_id": 10},
                {"id": 2000, "customer_id": 2, "order_id": 20},
            ],
        )
        sql = _sql(c, "customer_records")
        counts = {t: c.execute(s).scalar_one() for t, s in sql.count_statements(batch_keys([1]))}
        assert counts == {"orders": 1, "order_lines": 2, "invoices": 2, "customers": 1}
        needed = tables_needed(sql.rr)
        assert needed[0] == "customers" and len(needed) == 4
        assert set(needed) == {"customers", "orders", "order_lines", "invoices"}
        assert tables_needed(sql.rr, ["orders", "tickets"]) == [*needed, "tickets"]
    eng.dispose()


def test_a_plan_shows_placeholders_never_values(conn: Connection) -> None:
    sql = _sql(conn)
    text = show(sql.candidates(CUTOFF, after=0, limit=1000), conn)
    assert "applications.process_ended_at < :cutoff" in text
    assert "2025" not in text
    deletes = [show(s, conn.dialect) for _, s in sql.delete_statements(batch_keys(None))]
    assert deletes[0].startswith("DELETE FROM application_emails")
    assert "application_emails.application_id IN (:ids)" in deletes[0]
    assert "applications.id IN (:ids)" in deletes[1]
    assert "POSTCOMPILE" not in " ".join(deletes)


def test_what_the_database_lacks_is_named(conn: Connection, tmp_path: Path) -> None:
    rr = resolve(co.make_policy(), "job_applications")
    with pytest.raises(InvalidInput) as err:
        reflect(conn, rr, ["applications", "resumes"])
    assert err.value.detail == "system 'recruiting' has no table 'resumes'"
    bare = sa.create_engine(f"sqlite:///{tmp_path / 'bare.db'}")
    with bare.begin() as c:
        c.exec_driver_sql(
            "CREATE TABLE applications (id INTEGER PRIMARY KEY, name TEXT, "
            "email TEXT, cv_text TEXT)"
        )
        c.exec_driver_sql(
            "CREATE TABLE application_emails (id INTEGER PRIMARY KEY, "
            "application_id INTEGER, body TEXT)"
        )
        with pytest.raises(InvalidInput) as err:
            reflect(c, rr)
    bare.dispose()
    assert err.value.detail == (
        "system 'recruiting': table 'applications' has no column "
        "'process_ended_at' (retention rule 'job_applications')"
    )
