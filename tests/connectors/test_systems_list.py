"""`steward systems list` says "reachable" only of a system that can be searched: one whose
tables are unknown, or hold no identity column, is reported as not searchable."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from tests.policy.policy_helpers import BASE
from typer.testing import CliRunner

from steward.cli import app


def test_list_separates_reachable_from_not_searchable(tmp_path: Path) -> None:
    db = tmp_path / "shop.db"
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.begin() as c:
        c.execute(sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, email TEXT)"))
    engine.dispose()
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "acme.yaml").write_text(BASE)
    common = "    connector: sql\n    storage_country: DK\n"
    (folder / "shop.yaml").write_text(
        "systems:\n"
        f"  - key: shop\n    name: Shop\n    url: sqlite:///{db}\n{common}"
        "    tables:\n      - name: customers\n        identities: {email: email}\n"
        f"  - key: ledger\n    name: Ledger\n    url: sqlite:///{db}\n{common}"
        "    tables:\n      - name: customers\n        fields: [{name: email}]\n"
        f"  - key: lake\n    name: Lake\n    url: sqlite:///{db}\n{common}"
        "    fides_dataset: ../missing_dataset.yml\n")
    result = CliRunner().invoke(app, ["systems", "list", str(folder)])
    assert result.exit_code == 0, result.output
    lines = {line.split()[0]: line for line in result.stdout.splitlines()}
    assert lines["shop"].endswith("tables: 1  reachable")
    assert lines["ledger"].endswith("not searchable: no table has an identity column")
    assert "tables: 0  not searchable: cannot load its Fides dataset" in lines["lake"]
    assert "unreachable" in lines["app"]
