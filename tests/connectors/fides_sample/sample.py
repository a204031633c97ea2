"""Fides' sample company loaded, as it is, into a fresh PostgreSQL database; and what one
customer's data is, counted by hand-written SQL that follows the dataset's references."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa

HERE = Path(__file__).parent
SQL = HERE / "postgres_sample.sql"
DATASET = HERE / "postgres_example_test_dataset.yml"
FIDES_KEY = "postgres_example_test_dataset"


@contextmanager
def sample_database(server_url: str) -> Iterator[str]:
    """A new database on the server of `server_url` holding Fides' sample; dropped after."""
    name = f"fides_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = f"{server_url.rsplit('/', 1)[0]}/{name}"
    engine = sa.create_engine(url)
    raw = engine.raw_connection()
    try:
        with raw.cursor() as cur:
            cur.execute(SQL.read_text(encoding="utf-8"))  # the file, statements as they are
        raw.commit()
    finally:
        raw.close()
        engine.dispose()
    try:
        yield url
    finally:
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# Rows about the subject with e-mail :e, table by table, following the dataset's references
# (identity columns; `from` references child -> parent; `to` references parent -> child).
TRAVERSAL = {
    "customer": "SELECT count(*) FROM customer WHERE email = :e",
    "employee": "SELECT count(*) FROM employee WHERE email = :e",
    "report": "SELECT count(*) FROM report WHERE email = :e",
    "visit": "SELECT count(*) FROM visit WHERE email = :e",
    "service_request": "SELECT count(*) FROM service_request "
                       "WHERE email = :e OR alt_email = :e",
    "login": "SELECT count(*) FROM login "
             "WHERE customer_id IN (SELECT id FROM customer WHERE email = :e)",
    "orders": "SELECT count(*) FROM orders "
              "WHERE customer_id IN (SELECT id FROM customer WHERE email = :e)",
    "payment_card": "SELECT count(*) FROM payment_card "
                    "WHERE customer_id IN (SELECT id FROM customer WHERE email = :e)",
    "order_item": "SELECT count(*) FROM order_item WHERE order_id IN ("
                  "SELECT id FROM orders WHERE customer_id IN ("
                  "SELECT id FROM customer WHERE email = :e))",
    "product": "SELECT count(*) FROM product WHERE id IN (SELECT product_id FROM order_item "
               "WHERE order_id IN (SELECT id FROM orders WHERE customer_id IN ("
               "SELECT id FROM customer WHERE email = :e)))",
    "address": "SELECT count(*) FROM address WHERE id IN ("
               "SELECT address_id FROM customer WHERE email = :e "
               "UNION SELECT address_id FROM employee WHERE email = :e "
               "UNION SELECT shipping_address_id FROM orders WHERE customer_id IN ("
               "SELECT id FROM customer WHERE email = :e) "
               "UNION SELECT billing_address_id FROM payment_card WHERE customer_id IN ("
               "SELECT id FROM customer WHERE email = :e))",
}


def rows_by_sql(url: str, email: str) -> dict[str, int]:
    """Table -> rows about `email`, for the tables that hold any."""
    engine = sa.create_engine(url)
    try:
        with engine.connect() as c:
            counts = {t: int(c.execute(sa.text(q), {"e": email}).scalar_one())
                      for t, q in TRAVERSAL.items()}
    finally:
        engine.dispose()
    return {t: n for t, n in counts.items() if n}
