"""The affected-people statement over a shop database (SQLite and PostgreSQL): addresses two
references away (one of them to a non-unique column), rows whose parent is missing, addresses
differing only in case, identity values, the country column and large id lists."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.breaches.factories import promark

from steward.breaches.affected import Selection, find_affected, recipient_ref
from steward.breaches.selection_sql import CHUNK
from steward.policy.models import Policy, SystemSpec

SHOP = {
    "key": "shop", "name": {"en": "Shop"}, "connector": "sql", "storage_country": "DK",
    "tables": [
        {"name": "customers", "identities": {"email": "email", "customer_number": "customer_no"},
         "fields": [{"name": "email", "category": "user.contact.email"}, {"name": "country"}]},
        # orders point at customers.customer_no, which is not a key of customers
        {"name": "orders", "references": [{"field": "customer_no", "to": "customers.customer_no"}],
         "fields": [{"name": "total"}]},
        {"name": "lines", "references": [{"field": "order_id", "to": "orders.id"}],
         "fields": [{"name": "created_at"}]},
    ],
}


def shop_metadata() -> sa.MetaData:
    md = sa.MetaData()
    sa.Table("customers", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_no", sa.String(20)), sa.Column("email", sa.String(200)),
             sa.Column("country", sa.String(2)))
    sa.Table("orders", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("customer_no", sa.String(20)), sa.Column("total", sa.Integer))
    sa.Table("lines", md, sa.Column("id", sa.Integer, primary_key=True),
             sa.Column("order_id", sa.Integer), sa.Column("created_at", sa.DateTime))
    return md


CUSTOMERS = [
    (1, "K-1", "Eva.Berg@Example.com", "SE"),
    (2, "K-2", "eva.berg@example.com", "DK"),  # the same person, another spelling
    (3, "K-3", "frode.nes@example.no", "NO"),
    (4, "K-4", "not-an-address", "DK"),
    (5, "K-5", None, "DK"),
    (6, "K-6", "gry.dahl@example.org", "DK"),
    (7, "K-6", "hans.mark@example.org", "DK"),  # shares K-6: the smaller address is taken
]
ORDERS = [(10, "K-1"), (11, "K-2"), (12, "K-3"), (13, "K-4"), (14, "K-5"), (15, "K-6"),
          (16, "K-404")]  # K-404: no such customer
# (line id, order id): one line per order, two for order 12, one for a missing order
LINES = [(100, 10), (101, 11), (102, 12), (103, 12), (104, 13), (105, 14), (106, 15),
         (107, 16), (108, 999)]


@pytest.fixture(params=["sqlite", "postgres"])
def shop(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Policy]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'shop.db'}"
    else:
        server = request.getfixturevalue("pg_server_url")
        name = f"shop_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = f"{server.rsplit('/', 1)[0]}/{name}"
    engine = sa.create_engine(url)
    md = shop_metadata()
    md.create_all(engine)
    at = datetime(2026, 3, 1, 10)
    with engine.begin() as c:
        c.execute(md.tables["customers"].insert(), [
            {"id": i, "customer_no": n, "email": e, "country": k} for i, n, e, k in CUSTOMERS])
        c.execute(md.tables["orders"].insert(), [
            {"id": i, "customer_no": n, "total": 100} for i, n in ORDERS])
        c.execute(md.tables["lines"].insert(), [
            {"id": i, "order_id": o, "created_at": at} for i, o in LINES])
    engine.dispose()
    policy = promark()
    system = SystemSpec.model_validate({**SHOP, "url": url})
    yield policy.model_copy(update={"systems": [*policy.systems, system]})
    if request.param == "postgres":
        with admin.connect() as c:
            c.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_two_hops_with_a_non_unique_reference(shop: Policy) -> None:
    found = find_affected(shop, Selection(
        system="shop", table="lines", date_column="created_at",
        since=datetime(2026, 3, 1, tzinfo=UTC), until=datetime(2026, 3, 2, tzinfo=UTC)),
        secret="k")
    # Every line counts once, even the one whose order matches two customers (K-6).
    assert found.records == len(LINES)
    # Eva's two spellings merge; K-4 has no usable address, K-5 none, K-404 and order 999
    # lead nowhere: 4 lines without an address.
    assert [(p.email, p.rows) for p in found.people] == [
        ("eva.berg@example.com", 2), ("frode.nes@example.no", 2), ("gry.dahl@example.org", 1)]
    assert found.without_address == 4
    assert found.people[0].ref == recipient_ref("k", "Eva.Berg@Example.com")
    assert "@" not in repr(found.people[0])


def test_identity_values_ids_and_country(shop: Policy) -> None:
    by_identity = find_affected(shop, Selection(
        system="shop", table="customers", country_column="country",
        identities={"email": ["frode.nes@example.no", "nobody@example.com"],
                    "customer_number": ["K-1", "K-2"]}), secret="k")
    # Any identity value matches. Eva's rows say SE and DK (a tie: DK, alphabetically first),
    # so Danish, which the policy offers; Norwegian is not offered: the default, English.
    assert [(p.email, p.language, p.rows) for p in by_identity.people] == [
        ("eva.berg@example.com", "da", 2), ("frode.nes@example.no", "en", 1)]
    both = find_affected(shop, Selection(
        system="shop", table="customers", ids=[2, 3],
        identities={"customer_number": ["K-1", "K-2"]}), secret="k")
    assert both.records == 1 and [p.email for p in both.people] == ["eva.berg@example.com"]
    # More ids than one statement takes: they run in chunks and the counts add up.
    many = find_affected(shop, Selection(
        system="shop", table="orders", ids=[*range(10, 17), *range(1000, 1000 + CHUNK)]),
        secret="k")
    assert many.records == len(ORDERS)
    assert [p.email for p in many.people] == [
        "eva.berg@example.com", "frode.nes@example.no", "gry.dahl@example.org"]
    assert many.without_address == 3


def test_a_table_without_any_address(shop: Policy) -> None:
    no_link = shop.system("shop").model_copy(update={"tables": [
        t.model_copy(update={"references": []}) if t.name == "lines" else t
        for t in shop.system("shop").tables]})
    policy = shop.model_copy(update={"systems": [
        no_link if s.key == "shop" else s for s in shop.systems]})
    found = find_affected(policy, Selection(system="shop", table="lines", ids=[100, 101, 5]),
                          secret="k")
    assert (found.records, len(found.people), found.without_address) == (2, 0, 2)
