"""Fides interop: a fideslang dataset written here becomes TableSpecs, drives a real SQLite
search and erasure through `fides_dataset`, and prints as a policy `tables:` block."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import sqlalchemy as sa
from fideslang.models import Dataset
from ruamel.yaml import YAML
from typer.testing import CliRunner

from steward.cli import app
from steward.connectors.registry import connector_for
from steward.errors import InvalidInput
from steward.policy.fides import read_datasets, tables_from_file, tables_yaml
from steward.policy.models import EraseAction, SystemSpec, TableSpec

DATASET = textwrap.dedent("""\
    dataset:
      - fides_key: shop_db
        name: Shop database
        collections:
          - name: customer
            fields:
              - name: id
                data_categories: [system.operations]
                fides_meta: {primary_key: true}
              - name: email
                data_categories: [user.contact.email]
                fides_meta: {identity: email, data_type: string}
              - name: name
                data_categories: [user.name]
                fides_meta:
                  masking_strategy_override: {strategy: hash}
          - name: orders
            fields:
              - name: id
                fides_meta: {primary_key: true}
              - name: customer_id
                fides_meta:
                  references: [{dataset: shop_db, field: customer.id, direction: from}]
              - name: shipping_address
                data_categories: [user.contact.address]
          - name: order_item
            fields:
              - name: id
                fides_meta: {primary_key: true}
              - name: order_id
                fides_meta:
                  references: [{dataset: shop_db, field: orders.id, direction: from}]
              - name: note
                data_categories: [user.content]
          - name: wallet
            fields:
              - name: wallet_id
                fides_meta:
                  primary_key: true
                  references: [{dataset: shop_db, field: customer.id, direction: to}]
              - name: other
                fides_meta:
                  references: [{dataset: billing_db, field: account.id, direction: from}]
          - name: parcel_line
            fields:
              - name: parcel_id
                fides_meta: {primary_key: true}
              - name: line_no
                fides_meta: {primary_key: true}
              - name: email
                data_categories: [user.contact.email]
                fides_meta: {identity: email}
              - name: backup_email
                data_categories: [user.contact.email]
                fides_meta: {identity: email, read_only: true}
              - name: phone
                data_categories: [user.contact.phone_number]
                fides_meta: {identity: phone_number}
              - name: label
                data_categories: [user.contact.address]
                fields:
                  - name: street
                    data_categories: [user.contact.address.street]
          - name: audit_trail
            fields:
              - name: note
                data_categories: [system.operations]
""")


@pytest.fixture
def dataset_file(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yml"
    path.write_text(DATASET)
    # The file is a genuine fideslang dataset.
    Dataset.model_validate(YAML(typ="safe").load(DATASET)["dataset"][0])
    return path


def test_import_maps_identities_keys_references_and_categories(dataset_file: Path) -> None:
    imported = read_datasets(dataset_file)
    tables = {t.name: t for t in imported.datasets["shop_db"]}
    assert tables["customer"].identities == {"email": "email"}
    assert tables["customer"].primary_key == "id"
    name = next(f for f in tables["customer"].fields if f.name == "name")
    assert name.category == "user.name" and name.erase is EraseAction.hash
    refs = {t: [(r.field, r.to) for r in tables[t].references] for t in tables}
    assert refs["orders"] == [("customer_id", "customer.id")]
    assert refs["order_item"] == [("order_id", "orders.id")]
    # direction "to": customer.id flows to wallet.wallet_id, so customer points at wallet.
    assert refs["customer"] == [("id", "wallet.wallet_id")]
    assert tables["wallet"].primary_key == "wallet_id"
    assert any("billing_db.account.id" in n for n in imported.notes)
    # Several fields marked primary_key: a composite key, in field order.
    assert tables["parcel_line"].primary_key == ["parcel_id", "line_no"]
    assert tables["parcel_line"].key_columns == ("parcel_id", "line_no")
    # Several columns of one identity type are all kept; other types beside them.
    assert tables["parcel_line"].identities == {
        "email": ["email", "backup_email"], "phone_number": "phone"}
    assert tables["parcel_line"].identity_pairs == (
        ("email", "email"), ("email", "backup_email"), ("phone_number", "phone"))
    # No key marked: recorded for the live database, not guessed silently.
    assert imported.keyless["shop_db"] == ["audit_trail"]
    # What cannot be carried over is named, field by field.
    notes = "\n".join(imported.notes)
    assert "shop_db.parcel_line.label: nested fields are not supported" in notes
    assert "shop_db.parcel_line.backup_email: fides_meta.read_only is not supported" in notes
    # Fides' masking semantics: rows kept, personal fields blanked, others kept as they are.
    assert all(t.erase is EraseAction.null for t in tables.values())
    assert next(f for f in tables["audit_trail"].fields if f.name == "note").erase \
        is EraseAction.keep


def test_bad_datasets_are_clear_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text("dataset:\n  - collections: []\n")
    with pytest.raises(InvalidInput, match=r"bad.yml: dataset\[0\].fides_key"):
        read_datasets(bad)
    bad.write_text("just text\n")
    with pytest.raises(InvalidInput, match="expected a `dataset:` list"):
        read_datasets(bad)
    bad.write_text("dataset: [\n")
    with pytest.raises(InvalidInput, match="not valid YAML"):
        read_datasets(bad)


def test_fides_dataset_drives_a_real_search_and_erasure(dataset_file: Path, tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        for stmt in (
            "CREATE TABLE customer (id INTEGER PRIMARY KEY, email TEXT, name TEXT)",
            "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer_id INTEGER "
            "REFERENCES customer(id), shipping_address TEXT)",
            "CREATE TABLE order_item (id INTEGER PRIMARY KEY, order_id INTEGER "
            "REFERENCES orders(id), note TEXT)",
            "INSERT INTO customer VALUES (1, 'ada@example.com', 'Ada Example'), "
            "(2, 'bo@example.com', 'Bo Example')",
            "INSERT INTO orders VALUES (10, 1, 'Sample Street 1'), (11, 2, 'Sample Street 2')",
            "INSERT INTO order_item VALUES (100, 10, 'gift'), (101, 10, 'wrap'), (102, 11, 'x')",
        ):
            c.execute(sa.text(stmt))
    engine.dispose()
    # The wallet collection is not in this database: a policy uses the three tables only.
    trimmed = tmp_path / "shop_db.yml"
    doc = YAML(typ="safe").load(DATASET)
    doc["dataset"][0]["collections"] = doc["dataset"][0]["collections"][:3]
    YAML().dump(doc, trimmed)
    system = SystemSpec(key="shop_db", name="Shop", connector="sql", url="sqlite:///shop.db",
                        storage_country="DK", fides_dataset="shop_db.yml")
    conn = connector_for(system, env={}, base_dir=tmp_path, policy_dir=tmp_path)
    records = conn.find({"email": ["ada@example.com"]})
    assert {t: set(records.pks(t)) for t in records.tables} == {
        "customer": {1}, "orders": {10}, "order_item": {100, 101}
    }
    counts = conn.apply(conn.plan_erasure(records))
    # Fides' erasure semantics: fields with a `user` category are masked, rows stay.
    changed = {t: (c.deleted, c.updated) for t, c in counts.items()}
    assert changed == {"customer": (0, 1), "orders": (0, 1), "order_item": (0, 2)}
    assert conn.find({"email": ["bo@example.com"]}).count() == 3
    conn.close()
    with engine.connect() as c:
        rows = c.execute(sa.text(
            "SELECT c.id, c.email, c.name, o.shipping_address, i.note FROM customer c "
            "JOIN orders o ON o.customer_id = c.id JOIN order_item i ON i.order_id = o.id "
            "ORDER BY i.id")).all()
    engine.dispose()
    ada = [r for r in rows if r[0] == 1]
    assert len(ada) == 2 and all(r[1] is None and r[3] is None and r[4] is None for r in ada)
    assert ada[0][2] not in (None, "Ada Example")  # the hash override
    assert [tuple(r) for r in rows if r[0] == 2] == [
        (2, "bo@example.com", "Bo Example", "Sample Street 2", "x")
    ]


def test_tables_yaml_round_trips_and_cli_prints_it(dataset_file: Path, tmp_path: Path) -> None:
    tables = tables_from_file(dataset_file)
    text = tables_yaml(tables)
    parsed = YAML(typ="safe").load(text)["tables"]
    assert [TableSpec.model_validate(t) for t in parsed] == tables
    out = tmp_path / "system.yaml"
    args = ["systems", "import-fides", str(dataset_file), "--key", "shop", "--connector",
            "postgresql", "--url-env", "SHOP_DB_URL", "--storage-country", "SE",
            "--dataset", "shop_db", "--out", str(out)]
    result = CliRunner().invoke(app, args, env={"SHOP_DB_URL": ""})
    assert result.exit_code == 0, result.output
    (system,) = YAML(typ="safe").load(out.read_text())["systems"]
    assert {k: system[k] for k in ("key", "name", "connector", "url_env", "storage_country")} == {
        "key": "shop", "name": "Shop database", "connector": "sql", "url_env": "SHOP_DB_URL",
        "storage_country": "SE"}
    assert [TableSpec.model_validate(t) for t in system["tables"]] == tables
    # What could not be carried over is named, not dropped.
    assert "billing_db.account.id is outside this dataset" in result.stderr
    with pytest.raises(InvalidInput, match="has no dataset 'nope'"):
        tables_from_file(dataset_file, "nope")


def test_every_column_of_an_identity_type_is_searched(tmp_path: Path) -> None:
    """Fides' sample `service_request` has two e-mail identity columns: a request for either
    address finds the row, and the other address is discovered from it."""
    db = tmp_path / "desk.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE service_request (id TEXT PRIMARY KEY, email TEXT, "
                          "alt_email TEXT, opened TEXT)"))
        c.execute(sa.text("INSERT INTO service_request VALUES "
                          "('r1', 'ada@example.com', 'ada.alt@example.com', '2026-01-01'), "
                          "('r2', 'bo@example.com', NULL, '2026-01-02'), "
                          "('r3', 'cy@example.com', 'ada@example.com', '2026-01-03')"))
    engine.dispose()
    system = SystemSpec(key="desk", name="Desk", connector="sql", url=f"sqlite:///{db}",
                        storage_country="DK", tables=[TableSpec(
                            name="service_request", identities={"email": ["email", "alt_email"]},
                            fields=[{"name": "opened"}])])
    conn = connector_for(system, env={}, base_dir=tmp_path, policy_dir=tmp_path)
    try:
        by_alt = conn.find({"email": ["ada.alt@example.com"]})
        # r1 by its alt_email; then ada@example.com, discovered there, finds r3 by alt_email.
        assert sorted(by_alt.pks("service_request")) == ["r1", "r3"]
        assert "ada@example.com" in by_alt.identities["email"]
        assert conn.find({"email": ["bo@example.com"]}).pks("service_request") == ["r2"]
    finally:
        conn.close()
