"""The sweep's statements as a plan shows them, and what they do at the edges the boundary tests
in test_statements.py leave open: a window's start, a rule condition in every count, and the
walk from a dependant row up to the rule rows it belongs to (the invoices of `customer_records`
reference a customer directly, through an order, or both).

The rows and the expected texts are written by hand; the cutoff is 2 March 2025 as in
test_statements.py."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Connection
from tests.retention import company as co
from tests.retention.test_statements import CUTOFF, SOON, _keys, _sql

from steward.retention.rules import resolve
from steward.retention.statements import batch_keys, reflect, show

# id -> process end: 1 due, 2 due soon, 3 due soon, 4 due, 5 never (no end).
ENDED = {
    1: datetime(2025, 2, 1, 12, 0),
    2: datetime(2025, 3, 3, 12, 0),
    3: datetime(2025, 3, 4, 12, 0),
    4: datetime(2025, 1, 10, 12, 0),
    5: None,
}
EMAILS = {10: 1, 11: 2, 12: 4}  # e-mail id -> application id
SQLITE = sqlite.dialect()


@pytest.fixture
def conn(company_url: str) -> Iterator[Connection]:
    yield from co.applications_connection(company_url, ENDED, EMAILS)


def _plan(stmt: sa.ClauseElement) -> str:
    """A statement as a plan shows it for SQLite (PostgreSQL adds casts), on one line."""
    return " ".join(show(stmt, SQLITE).split())


def test_a_plan_names_every_placeholder(conn: Connection) -> None:
    sql = _sql(conn)
    assert _plan(sql.candidates(CUTOFF, after=1, upto=6, limit=2)) == (
        "SELECT applications.id FROM applications WHERE applications.process_ended_at < "
        ":cutoff_1 AND applications.id > :after_1 AND applications.id <= :upto_1 "
        "ORDER BY applications.id LIMIT :param_1 OFFSET :param_2"
    )
    assert _plan(sql.count_between(CUTOFF, SOON)) == (
        "SELECT count(*) AS count_1 FROM applications WHERE applications.process_ended_at "
        ">= :start AND applications.process_ended_at < :end"
    )
    deletes = [_plan(s) for _, s in sql.delete_window(CUTOFF, 1, 7)]
    assert deletes == [
        "DELETE FROM application_emails WHERE application_emails.application_id IN "
        "(SELECT applications.id FROM applications WHERE applications.process_ended_at < "
        ":cutoff_1 AND applications.id <= :last_1 AND applications.id > :after_1)",
        "DELETE FROM applications WHERE applications.process_ended_at < :cutoff_1 "
        "AND applications.id <= :last_1 AND applications.id > :after_1",
    ]
    counts = [_plan(s) for _, s in sql.count_statements(batch_keys([1, 4]))]
    assert counts == [
        "SELECT count(*) AS count_1 FROM application_emails "
        "WHERE application_emails.application_id IN (:ids)",
        "SELECT count(*) AS count_1 FROM applications WHERE applications.id IN (:ids)",
    ]


def test_a_window_leaves_the_rows_up_to_its_start(conn: Connection) -> None:
    sql = _sql(conn)
    for _, stmt in sql.delete_window(CUTOFF, 1, 5):
        conn.execute(stmt)
    # Key 1 is due but starts the window (1, 5]: it stays with its e-mail; 4 goes with its own.
    assert _keys(conn, sa.select(co.applications.c.id).order_by(co.applications.c.id)) == [
        1,
        2,
        3,
        5,
    ]
    emails = _keys(conn, sa.select(co.application_emails.c.id).order_by(co.application_emails.c.id))
    assert emails == [10, 11]


def test_a_condition_narrows_every_count(conn: Connection) -> None:
    skip = {
        "any": [
            {"column": "applications.name", "op": "eq", "value": f"Test Person {i}"} for i in (3, 5)
        ]
    }
    rule = {**co.RULES[0], "condition": {"not": skip}}
    sql = reflect(conn, resolve(co.make_policy([rule]), "job_applications"))
    assert _keys(conn, sql.candidates(CUTOFF)) == [1, 4]
    # Due soon: 2 and 3 end in [2 March, 9 March); the condition leaves out 3.
    assert conn.execute(sql.count_between(CUTOFF, SOON)).scalar_one() == 1
    # Without an end: only 5, which the condition leaves out.
    assert conn.execute(sql.count_missing_trigger()).scalar_one() == 0


def test_dependant_rows_lead_up_to_the_customers_they_belong_to(company_url: str) -> None:
    eng = sa.create_engine(company_url)
    with eng.begin() as c:
        c.execute(
            co.customers.insert(),
            [
                {
                    "id": i,
                    "email": f"c{i}@example.com",
                    "relationship_ended_at": datetime(2010, 5, 1),
                }
                for i in (1, 2)
            ],
        )
        c.execute(co.orders.insert(), [{"id": 10, "customer_id": 1}, {"id": 20, "customer_id": 2}])
        c.execute(
            co.invoices.insert(),
            [
                {"id": 1000, "customer_id": 1, "order_id": None},  # customer 1 directly
                {"id": 1001, "customer_id": 2, "order_id": 10},  # 2 directly, 1 by its order
                {"id": 2001, "customer_id": None, "order_id": 20},  # customer 2 by its order
            ],
        )
        sql = _sql(c, "customer_records")
        inv = sql.tables["invoices"].c.id  # the reflected table the statements use

        def roots(ids: list[int], keys: list[int]) -> set[int]:
            return sql.roots_from_dependant(c, "invoices", inv.in_(ids), batch_keys(keys))

        assert roots([2001], [1, 2]) == {2}
        assert roots([1000, 2001], [1, 2]) == {1, 2}
        # Among the keys [1] only: invoice 1001 belongs to customer 1 through order 10.
        assert roots([1001], [1]) == {1}
        assert roots([1001], [1, 2]) == {1, 2}
        assert roots([1000], [2]) == set()
    eng.dispose()
