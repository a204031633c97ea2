"""Fides' own sample company on SQLite, PostgreSQL and MariaDB: composite keys, shared rows
and a catalogue table Steward did not design.

Access for customer-1@example.com returns exactly what a traversal written by hand in SQL
returns (21 rows in 9 of the 11 tables). Erasure deletes only what is the subject's alone:
every other customer's rows stay byte-identical, `product` (no personal field) is never
touched, the `address` rows other customers also use are masked, not deleted, and no
reference is left pointing at nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.connectors import fides_db
from tests.connectors.databases import KINDS, fresh_database

from steward.connectors.sql import SqlConnector


@pytest.fixture(params=KINDS)
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    with fresh_database(request, request.param, tmp_path) as url:
        fides_db.load(url)
        yield url


def _expected(url: str, email: str) -> dict[str, set[tuple[Any, ...]]]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        out = {
            t: {tuple(_plain(v) for v in r) for r in c.execute(sa.text(q), {"e": email})}
            for t, q in fides_db.EXPECTED_SQL.items()
        }
    engine.dispose()
    return {t: keys for t, keys in out.items() if keys}


def _plain(v: Any) -> Any:
    """A value as JSON carries it: ISO 8601 dates (SQLite hands raw SQL the stored text)."""
    if isinstance(v, str) and re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", v):
        return v.replace(" ", "T")
    return v.isoformat() if hasattr(v, "isoformat") else v


def _snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as c:
        out = {
            name: sorted((tuple(r) for r in c.execute(sa.select(t))), key=repr)
            for name, t in meta.tables.items()
        }
    engine.dispose()
    return out


# Every reference in the sample, as (table, column, target table, target column).
LINKS = [
    ("customer", "address_id", "address", "id"),
    ("employee", "address_id", "address", "id"),
    ("orders", "shipping_address_id", "address", "id"),
    ("orders", "customer_id", "customer", "id"),
    ("orders", "payment_card_id", "payment_card", "id"),
    ("payment_card", "billing_address_id", "address", "id"),
    ("payment_card", "customer_id", "customer", "id"),
    ("order_item", "order_id", "orders", "id"),
    ("order_item", "product_id", "product", "id"),
    ("login", "customer_id", "customer", "id"),
    ("service_request", "employee_id", "employee", "id"),
]


def _orphans(table: str, col: str, target: str, target_col: str) -> str:
    # Names come from LINKS above, never from input.
    return (
        f"SELECT count(*) FROM {table} x LEFT JOIN {target} p "  # noqa: S608
        f"ON p.{target_col} = x.{col} WHERE x.{col} IS NOT NULL AND p.{target_col} IS NULL"
    )


def _dangling(url: str) -> dict[str, int]:
    """Rows whose reference points at no row, per link (independent SQL)."""
    engine = sa.create_engine(url)
    with engine.connect() as c:
        out = {
            f"{t}.{col}": c.execute(sa.text(_orphans(t, col, pt, pc))).scalar_one()
            for t, col, pt, pc in LINKS
        }
    engine.dispose()
    return out


def test_access_finds_what_hand_written_sql_finds(shop: str) -> None:
    conn = SqlConnector(fides_db.system(shop), url=shop)
    try:
        records = conn.find({"email": [fides_db.EMAIL]})
    finally:
        conn.close()
    got = {t: set(records.keys(t)) for t in records.tables}
    expected = _expected(shop, fides_db.EMAIL)
    assert got == expected
    # The figures Fides' sample is known for: 21 rows in 9 of its 11 tables; the two items
    # of order ord_ccc-ccc are two rows, and product 2 is reached only through the second.
    assert records.count() == 21 and len(records.tables) == 9
    assert {("ord_ccc-ccc", 1), ("ord_ccc-ccc", 2)} <= got["order_item"]
    assert (2,) in got["product"]
    package = conn.export(records)
    assert sum(len(rows) for rows in package.values()) == 21


def test_erasure_harms_no_other_customer(shop: str) -> None:
    before = _snapshot(shop)
    dangling_before = _dangling(shop)
    mine = _expected(shop, fides_db.EMAIL)
    conn = SqlConnector(fides_db.system(shop), url=shop)
    try:
        records = conn.find({"email": [fides_db.EMAIL]})
        plan = conn.plan_erasure(records)
        text = plan.dry_run()
        assert "shared with" in text and "address" in text
        assert not any(st.table == "product" for st in plan.statements)
        counts = conn.apply(plan)
        again = conn.apply(plan)
    finally:
        conn.close()
    assert all(c.total == 0 for c in again.values())
    after = _snapshot(shop)
    # Deleted: the subject's own rows (hand count from the sample: 1 customer, 1 visit, 1
    # service request, 6 logins, 3 orders, 1 card, 4 order items); the two addresses other
    # customers also use are rewritten.
    assert {t: c.deleted for t, c in counts.items() if c.deleted} == {
        "customer": 1, "visit": 1, "service_request": 1, "login": 6, "orders": 3,
        "payment_card": 1, "order_item": 4,
    }
    assert {t: c.updated for t, c in counts.items() if c.updated} == {"address": 2}
    assert after["product"] == before["product"]
    assert _dangling(shop) == dangling_before  # no reference left pointing at nothing
    # Every row that is not the subject's is byte-identical.
    key_cols = {"visit": 2, "order_item": 2}
    for table, rows in before.items():
        own = {k for k in mine.get(table, set())}
        n = key_cols.get(table, 1)
        others = [r for r in rows if tuple(_plain(v) for v in r[:n]) not in own]
        assert set(others) <= set(after[table]), table
    # The shared addresses stay, their personal fields emptied.
    engine = sa.create_engine(shop)
    with engine.connect() as c:
        addresses = c.execute(sa.text(
            "SELECT id, house, street, city, state, zip FROM address WHERE id IN (1, 2) "
            "ORDER BY id"
        )).all()
    engine.dispose()
    assert [tuple(r) for r in addresses] == [(1, None, None, None, None, None),
                                             (2, None, None, None, None, None)]
