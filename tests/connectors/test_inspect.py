"""`steward policy validate` looks at each SQL system's live database and reports, at the
table's line in the policy: missing tables and columns, tables without a primary key, keys
that differ, NOT NULL columns an erasure would null. Unreachable is a warning, not a pass."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from tests.policy.policy_helpers import BASE, line_of
from typer.testing import CliRunner

from steward.cli import app
from steward.connectors.inspect import check_live
from steward.policy.loader import load_policy_report

SCHEMA = [
    "CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT NOT NULL, name TEXT)",
    "CREATE TABLE orders (order_no TEXT NOT NULL UNIQUE, customer_id INTEGER, note TEXT)",
    "CREATE TABLE events (kind TEXT, at TEXT)",
    "CREATE TABLE items (item_id INTEGER PRIMARY KEY, label TEXT)",
    'CREATE TABLE "Payments" (id INTEGER PRIMARY KEY, customer_id INTEGER)',
]
SYSTEM = """\
systems:
  - key: shop
    name: Shop
    connector: sql
    url_env: SHOP_URL
    storage_country: DK
    tables:
      - name: customers
        identities: {email: email}
        erase: "null"
        fields:
          - {name: email, category: user.contact.email}
          - {name: phone}
      - name: orders
        primary_key: [order_no]
        references: [{field: customer_id, to: customers.id}]
        fields:
          - {name: note}
      - name: events
        fields:
          - {name: kind}
      - name: items
        fields:
          - {name: label}
      - name: payments
        references: [{field: customer_id, to: customers.id}]
        fields:
          - {name: card_last4}
      - name: ghosts
        references: [{field: customer_id, to: customers.id}]
"""


def _setup(tmp_path: Path) -> tuple[Path, str]:
    url = f"sqlite:///{tmp_path / 'shop.db'}"
    engine = sa.create_engine(url)
    with engine.begin() as c:
        for stmt in SCHEMA:
            c.execute(sa.text(stmt))
    engine.dispose()
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "acme.yaml").write_text(BASE)
    (folder / "shop.yaml").write_text(SYSTEM)
    return folder, url


def test_live_findings_name_the_table_line_and_the_problem(tmp_path: Path) -> None:
    folder, url = _setup(tmp_path)
    loaded = load_policy_report(folder)
    found = check_live(loaded, env={"SHOP_URL": url}, base_dir=tmp_path)
    where = str(folder / "shop.yaml")

    def at(table: str) -> list[str]:
        line = line_of(SYSTEM, f"- name: {table}")
        return [e for e in found.errors if e.startswith(f"{where}:{line}:")]

    (nulled,) = [e for e in at("customers") if "NOT NULL" in e]
    assert "customers.email is NOT NULL, but erasure would set it to NULL" in nulled
    assert any("table customers has no column(s) phone" in e for e in at("customers"))
    assert at("orders") == []  # no primary key, but the declared key is a unique column
    assert any("table events has no primary key" in e for e in at("events"))
    assert any("declared primary key id differs from the database's (item_id)" in e
               for e in at("items"))
    assert any("table Payments (declared as payments) has no column(s) card_last4" in e
               for e in at("payments"))
    assert any("table 'ghosts' is not in the database" in e for e in at("ghosts"))
    # The default key `id` of events and items is also a missing column.
    assert any("table events has no column(s) id" in e for e in at("events"))
    assert any("table items has no column(s) id" in e for e in at("items"))
    assert len(found.errors) == 8, found.errors
    # The base policy's own system has no database file here: a warning, never a pass.
    (warning,) = found.warnings
    assert "systems[app]: warning: not inspected:" in warning


def test_cli_fails_on_live_problems_and_offline_skips_them(tmp_path: Path) -> None:
    folder, url = _setup(tmp_path)
    live = CliRunner().invoke(app, ["policy", "validate", str(folder)], env={"SHOP_URL": url})
    assert live.exit_code == 1 and "8 problem(s)" in live.stderr
    assert "Traceback" not in live.output
    off = CliRunner().invoke(app, ["policy", "validate", "--offline", str(folder)],
                             env={"SHOP_URL": url})
    assert off.exit_code == 0, off.output
    assert "systems[shop]: warning: not inspected: --offline" in off.stderr


def test_unreachable_database_is_not_inspected_not_passed(tmp_path: Path) -> None:
    folder, _ = _setup(tmp_path)
    loaded = load_policy_report(folder)
    down = "postgresql+psycopg://nobody@127.0.0.1:1/none"
    found = check_live(loaded, env={"SHOP_URL": down}, base_dir=tmp_path)
    assert found.errors == []
    shop = [w for w in found.warnings if "systems[shop]" in w]
    assert shop == [f"{folder / 'shop.yaml'}:{line_of(SYSTEM, '- key: shop')}:5: systems[shop]: "
                    "warning: not inspected: system 'shop' is unavailable (OperationalError)"]
    assert "nobody" not in " ".join(found.warnings)  # never the URL
