"""Table definitions of the demo company's systems, as in docs/demo-schema.md.

One `MetaData` per system. Identity and reference columns are indexed, as a real company's
would be (and as the connectors' set-based lookups expect). Every non-key column is nullable so
that erasure can null personal fields of rows kept for bookkeeping.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Integer,
    MetaData,
    Numeric,
    String,
    Table,
    Text,
    false,
)


def _crm() -> MetaData:
    md = MetaData()
    Table(
        "customers", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_no", String(20), unique=True),
        Column("company_name", String(200)),
        Column("contact_name", String(200)),
        Column("title", String(100)),
        Column("email", String(254), index=True),
        Column("phone", String(32), index=True),
        Column("street", String(200)),
        Column("postal_code", String(20)),
        Column("city", String(100)),
        Column("country", String(2)),
        Column("created_at", DateTime),
        Column("relationship_ended_at", DateTime, nullable=True),
        Column("processing_restricted", Boolean, server_default=false(), nullable=True),
    )
    Table(
        "contacts", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_id", Integer, ForeignKey("customers.id"), index=True),
        Column("channel", String(20)),
        Column("subject", String(200)),
        Column("body", Text),
        Column("occurred_at", DateTime),
    )
    Table(
        "orders", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_id", Integer, ForeignKey("customers.id"), index=True),
        Column("order_no", String(20)),
        Column("ordered_at", DateTime),
        Column("product", String(100)),
        Column("amount", Numeric(12, 2)),
    )
    Table(
        "order_lines", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("order_id", Integer, ForeignKey("orders.id"), index=True),
        Column("sku", String(40)),
        Column("description", String(200)),
        Column("quantity", Integer),
        Column("unit_price", Numeric(12, 2)),
    )
    Table(
        "invoices", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_id", Integer, ForeignKey("customers.id"), index=True),
        Column("order_id", Integer, ForeignKey("orders.id"), nullable=True, index=True),
        Column("invoice_no", String(20)),
        Column("issued_at", DateTime),
        Column("amount", Numeric(12, 2)),
        Column("currency", String(3)),
        Column("billing_name", String(200)),
        Column("billing_address", String(400)),
    )
    return md


def _portal() -> MetaData:
    md = MetaData()
    Table(
        "logins", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_no", String(20), index=True),
        Column("username", String(100)),
        Column("email", String(254), index=True),
        Column("password_hash", String(200)),
        Column("created_at", DateTime),
        Column("last_login_at", DateTime),
        Column("processing_restricted", Boolean, server_default=false(), nullable=True),
    )
    Table(
        "activity_log", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("login_id", Integer, ForeignKey("logins.id"), index=True),
        Column("at", DateTime),
        Column("ip_address", String(45)),
        Column("user_agent", String(300)),
        Column("path", String(200)),
    )
    return md


def _support() -> MetaData:
    md = MetaData()
    Table(
        "tickets", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("customer_no", String(20), index=True),
        Column("requester_email", String(254), index=True),
        Column("subject", String(200)),
        Column("status", String(10)),
        Column("opened_at", DateTime),
        Column("closed_at", DateTime, nullable=True),
        Column("processing_restricted", Boolean, server_default=false(), nullable=True),
    )
    Table(
        "messages", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("ticket_id", Integer, ForeignKey("tickets.id"), index=True),
        Column("author", String(200)),
        Column("body", Text),
        Column("sent_at", DateTime),
    )
    return md


def _recruiting() -> MetaData:
    md = MetaData()
    Table(
        "applications", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("name", String(200)),
        Column("email", String(254), index=True),
        Column("phone", String(32), index=True),
        Column("position", String(100)),
        Column("cv_text", Text),
        Column("applied_at", DateTime),
        Column("process_ended_at", DateTime, nullable=True),
        Column("outcome", String(20)),
    )
    Table(
        "application_emails", md,
        Column("id", Integer, primary_key=True, autoincrement=False),
        Column("application_id", Integer, ForeignKey("applications.id"), index=True),
        Column("subject", String(200)),
        Column("body", Text),
        Column("sent_at", DateTime),
    )
    return md


def _newsletter() -> MetaData:
    md = MetaData()
    Table(
        "subscribers", md,
        Column("id", Integer, primary_key=True),
        Column("email", String(254), unique=True),
        Column("name", String(200)),
        Column("subscribed_at", DateTime),
        Column("source", String(40)),
        Column("lists", String(200)),  # comma-separated list keys
    )
    return md


SQL_SYSTEMS: dict[str, MetaData] = {
    "crm": _crm(),
    "portal": _portal(),
    "support": _support(),
    "recruiting": _recruiting(),
}
NEWSLETTER = _newsletter()
