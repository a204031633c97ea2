"""Searching on SQLite: chunked IN lists give the same answer as one query, exact matching
beats loose collations, and identity values of the wrong type are simply not found."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from tests.connectors import promark

from steward.connectors.sql import SqlConnector
from steward.demo import build


def test_chunked_search_equals_one_query_and_discovers_identities(tmp_path: Path) -> None:
    loc = build.in_dir(tmp_path)
    build.build(loc, customers=60, seed=9)
    engine = sa.create_engine(loc.urls["crm"])
    with engine.connect() as c:
        emails = [r[0] for r in c.execute(sa.text("SELECT email FROM customers WHERE id <= 25"))]
    engine.dispose()
    spec = promark.systems()["crm"]
    big = SqlConnector(spec, url=loc.urls["crm"])
    small = SqlConnector(spec, url=loc.urls["crm"], chunk_size=4)
    a, b = big.find({"email": emails}), small.find({"email": emails})
    assert {t: sorted(a.pks(t)) for t in a.tables} == {t: sorted(b.pks(t)) for t in b.tables}
    assert sorted(a.pks("customers")) == list(range(1, 26))
    assert len(a.identities["customer_number"]) == 25 and len(a.identities["phone"]) == 25
    # Customer numbers are text: a number-looking or mixed-case value matches nothing.
    assert big.find({"customer_number": ["100001", "pm-100001"]}).is_empty()
    assert not big.find({"customer_number": [" PM-100001 "]}).is_empty()  # trimmed input
    upper = big.find({"email": [emails[0].upper()]})
    assert upper.is_empty()  # exact matching: case is not folded by the connector
    big.close()
    small.close()


def test_each_step_asks_every_table_that_has_values_waiting(tmp_path: Path) -> None:
    """The CRM's search in steps, written out from the demo schema's references: the
    customer by e-mail; then, at once, the customer again by the customer number and phone
    its row revealed, and its contacts, orders and invoices by its key; then the order lines
    and the invoices of its orders; then nothing is left to ask. (On PostgreSQL each step is
    one round trip.)"""
    loc = build.in_dir(tmp_path)
    build.build(loc, customers=5, seed=2)
    conn = SqlConnector(promark.systems()["crm"], url=loc.urls["crm"])
    asked: list[str] = []
    try:
        conn.find({"email": ["nobody@example.com"]})  # tables reflected
        sa.event.listen(
            conn.engine,
            "before_cursor_execute",
            lambda *a: asked.append(a[2].split("FROM ")[1].split()[0]),
        )
        email = _email_of(loc.urls["crm"], 2)
        found = conn.find({"email": [email]})
    finally:
        conn.close()
    assert asked == [
        "customers",
        "customers", "contacts", "orders", "invoices",
        "order_lines", "invoices",
    ]
    engine = sa.create_engine(loc.urls["crm"])
    with engine.connect() as c:
        lines = c.execute(
            sa.text(
                "SELECT count(*) FROM order_lines l JOIN orders o ON o.id = l.order_id "
                "WHERE o.customer_id = 2"
            )
        ).scalar_one()
    engine.dispose()
    assert len(found.pks("order_lines")) == lines > 0


def _email_of(url: str, customer_id: int) -> str:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        email = c.execute(
            sa.text("SELECT email FROM customers WHERE id = :i"), {"i": customer_id}
        ).scalar_one()
    engine.dispose()
    return str(email)
