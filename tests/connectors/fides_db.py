"""Fides' sample company (tests/connectors/fides_sample/, Apache-2.0) on a real database, and
the Steward tables equivalent to its dataset file, written by hand.

The SQL loads into PostgreSQL as it is; for MariaDB and SQLite the few PostgreSQL-only parts
are translated here (SERIAL, MONEY, the `public.` schema prefix, sequences, the backup schema).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from steward.policy.models import SystemSpec

SAMPLE = Path(__file__).parent / "fides_sample" / "postgres_sample.sql"
EMAIL = "customer-1@example.com"

# The dataset (postgres_example_test_dataset.yml) as Steward tables. A fides reference with
# direction "to" (customer.address_id -> address.id: go from the customer to the address) is
# declared on the table it leads to. Categories `system.*` are not personal data; the
# composite keys the dataset cannot express are declared here (order_item, visit).
TABLES: list[dict[str, Any]] = [
    {"name": "customer", "identities": {"email": "email"},
     "fields": [{"name": "email", "category": "user.contact.email"},
                {"name": "name", "category": "user.name"}, {"name": "created"}]},
    {"name": "employee", "identities": {"email": "email"},
     "fields": [{"name": "email", "category": "user.contact.email"},
                {"name": "name", "category": "user.name"}]},
    {"name": "address",
     "references": [{"field": "id", "to": "customer.address_id"},
                    {"field": "id", "to": "employee.address_id"},
                    {"field": "id", "to": "orders.shipping_address_id"},
                    {"field": "id", "to": "payment_card.billing_address_id"}],
     "fields": [{"name": "house", "category": "user.contact.address.street"},
                {"name": "street", "category": "user.contact.address.street"},
                {"name": "city", "category": "user.contact.address.city"},
                {"name": "state", "category": "user.contact.address.state"},
                {"name": "zip", "category": "user.contact.address.postal_code"}]},
    {"name": "login", "references": [{"field": "customer_id", "to": "customer.id"}],
     "fields": [{"name": "customer_id", "category": "user.unique_id"},
                {"name": "time", "category": "user.sensor"}]},
    {"name": "orders", "references": [{"field": "customer_id", "to": "customer.id"}],
     "fields": [{"name": "customer_id", "category": "user.unique_id"},
                {"name": "shipping_address_id"}]},
    {"name": "order_item", "primary_key": ["order_id", "item_no"],
     "references": [{"field": "order_id", "to": "orders.id"}],
     "fields": [{"name": "product_id"}, {"name": "quantity"}]},
    {"name": "payment_card", "references": [{"field": "customer_id", "to": "customer.id"}],
     "fields": [{"name": "ccn", "category": "user.financial.bank_account"},
                {"name": "code", "category": "user.financial"},
                {"name": "customer_id", "category": "user.unique_id"},
                {"name": "name", "category": "user.financial"},
                {"name": "preferred", "category": "user"},
                {"name": "billing_address_id"}]},
    {"name": "product", "references": [{"field": "id", "to": "order_item.product_id"}],
     "fields": [{"name": "name"}, {"name": "price"}]},
    {"name": "report", "identities": {"email": "email"},
     "fields": [{"name": "email", "category": "user.contact.email"}, {"name": "name"},
                {"name": "year"}, {"name": "month"}, {"name": "total_visits"}]},
    {"name": "service_request", "identities": {"email": "email", "alt_email": "alt_email"},
     "references": [{"field": "employee_id", "to": "employee.id"}],
     "fields": [{"name": "email", "category": "user.contact.email"},
                {"name": "alt_email", "category": "user.contact.email"},
                {"name": "opened"}, {"name": "closed"}]},
    {"name": "visit", "primary_key": ["email", "last_visit"], "identities": {"email": "email"},
     "fields": [{"name": "email", "category": "user.contact.email"}]},
]


def system(url: str) -> SystemSpec:
    return SystemSpec.model_validate({
        "key": "fides_shop", "name": "Fides sample shop", "connector": "sql", "url": url,
        "storage_country": "US", "tables": TABLES,
    })


def port(sql: str, dialect: str) -> str:
    """The sample SQL for `dialect` (postgresql: unchanged)."""
    if dialect == "postgresql":
        return sql
    sql = sql.split("CREATE SCHEMA backup_schema;")[0]  # a second copy Steward never reads
    sql = re.sub(r"^ALTER SEQUENCE .*$", "", sql, flags=re.M)
    sql = sql.replace("public.", "")
    sql = re.sub(r"'\$(\d+\.\d+)'", r"\1", sql)  # MONEY literals
    sql = sql.replace("MONEY", "DECIMAL(10, 2)")
    if dialect == "sqlite":
        sql = sql.replace("id SERIAL PRIMARY KEY", "id INTEGER PRIMARY KEY")
    else:
        sql = sql.replace("SERIAL PRIMARY KEY", "INT AUTO_INCREMENT PRIMARY KEY")
        # MariaDB's first TIMESTAMP column updates itself on every UPDATE: a plain DATETIME.
        sql = sql.replace("TIMESTAMP", "DATETIME")
    return sql


def load(url: str) -> None:
    """Create the sample company's tables and rows in the (empty) database at `url`."""
    engine = sa.create_engine(url)
    try:
        sql = port(SAMPLE.read_text(encoding="utf-8"), engine.dialect.name)
        body = "\n".join(line for line in sql.splitlines() if not line.startswith("--"))
        with engine.begin() as conn:
            if engine.dialect.name == "postgresql":
                conn.exec_driver_sql(body)  # psycopg runs the whole script as it is
            else:
                for statement in body.split(";"):
                    if statement.strip():
                        conn.exec_driver_sql(statement)
    finally:
        engine.dispose()


# A traversal written by hand, in SQL valid on all three databases: the rows of each table
# that belong to the customer with the e-mail :e (by key), following the dataset's references.
EXPECTED_SQL = {
    "customer": "SELECT id FROM customer WHERE email = :e",
    "visit": "SELECT email, last_visit FROM visit WHERE email = :e",
    "report": "SELECT id FROM report WHERE email = :e",
    "service_request": "SELECT id FROM service_request WHERE email = :e OR alt_email = :e",
    "employee": "SELECT id FROM employee WHERE email = :e",
    "login": "SELECT l.id FROM login l JOIN customer c ON c.id = l.customer_id "
             "WHERE c.email = :e",
    "orders": "SELECT o.id FROM orders o JOIN customer c ON c.id = o.customer_id "
              "WHERE c.email = :e",
    "payment_card": "SELECT p.id FROM payment_card p JOIN customer c ON c.id = p.customer_id "
                    "WHERE c.email = :e",
    "order_item": "SELECT i.order_id, i.item_no FROM order_item i "
                  "JOIN orders o ON o.id = i.order_id JOIN customer c ON c.id = o.customer_id "
                  "WHERE c.email = :e",
    "product": "SELECT DISTINCT p.id FROM product p JOIN order_item i ON i.product_id = p.id "
               "JOIN orders o ON o.id = i.order_id JOIN customer c ON c.id = o.customer_id "
               "WHERE c.email = :e",
    "address": "SELECT a.id FROM address a WHERE a.id IN ("
               "SELECT c.address_id FROM customer c WHERE c.email = :e "
               "UNION SELECT o.shipping_address_id FROM orders o JOIN customer c "
               "ON c.id = o.customer_id WHERE c.email = :e "
               "UNION SELECT p.billing_address_id FROM payment_card p JOIN customer c "
               "ON c.id = p.customer_id WHERE c.email = :e)",
}
