"""Fides' own sample company (its SQL and its dataset, unchanged) in PostgreSQL: the imported
system validates as written, keys the dataset leaves out come from the database, the live
inspection of `policy validate`, and the access request answered from the dataset."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fideslang.default_taxonomy import DEFAULT_TAXONOMY
from ruamel.yaml import YAML
from tests.connectors.fides_sample.sample import DATASET, FIDES_KEY, rows_by_sql, sample_database
from tests.policy.policy_helpers import BASE
from typer.testing import CliRunner

from steward.cli import app
from steward.connectors.fidesimport import import_system
from steward.policy.loader import load_policy

EMAIL = "customer-1@example.com"
ENV = "FIDES_SAMPLE_URL"


@pytest.fixture(scope="module")
def sample_url(pg_server_url: str) -> Iterator[str]:
    with sample_database(pg_server_url) as url:
        yield url


def _policy_folder(tmp_path: Path, system_file: str) -> Path:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "acme.yaml").write_text(BASE)
    (folder / "fides.yaml").write_text(system_file)
    return folder


def _import(tmp_path: Path, env: dict[str, str]) -> tuple[Path, str]:
    out = tmp_path / "fides_system.yaml"
    args = ["systems", "import-fides", str(DATASET), "--key", "shop", "--connector",
            "postgresql", "--url-env", ENV, "--storage-country", "DK", "--dataset", FIDES_KEY,
            "--out", str(out)]
    result = CliRunner().invoke(app, args, env=env)
    assert result.exit_code == 0, result.output
    return out, result.stderr


def test_import_reads_missing_keys_from_the_database_and_validates_unchanged(
    sample_url: str, tmp_path: Path
) -> None:
    out, notes = _import(tmp_path, {ENV: sample_url})
    (system,) = YAML(typ="safe").load(out.read_text())["systems"]
    tables = {t["name"]: t for t in system["tables"]}
    assert len(tables) == 11
    # Keys the dataset does not declare, as the database has them (see postgres_sample.sql).
    assert tables["order_item"]["primary_key"] == ["order_id", "item_no"]
    assert tables["visit"]["primary_key"] == ["email", "last_visit"]
    assert tables["customer"].get("primary_key", "id") == "id"
    # Both e-mail identity columns of service_request are searched.
    assert tables["service_request"]["identities"] == {"email": ["alt_email", "email"]}
    assert "note:" not in notes
    # Fides' erasure: fields of `user` categories blanked, rows kept.
    assert all(t["erase"] == "null" for t in tables.values())
    fields = {f["name"]: f for f in tables["customer"]["fields"]}
    assert fields["name"]["category"] == "user.name" and "erase" not in fields["name"]
    assert fields["created"]["erase"] == "keep"

    folder = _policy_folder(tmp_path, out.read_text())
    result = CliRunner().invoke(app, ["policy", "validate", str(folder)], env={ENV: sample_url})
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("ok: acme")
    # The fideslang categories the dataset uses are known without being declared, with the
    # taxonomy's name (the notice and the Art. 30 record show that name).
    policy = load_policy(folder)
    taxonomy = {c.fides_key: c.name for c in DEFAULT_TAXONOMY.data_category}
    assert policy.data_category("user.contact.address.city").name == taxonomy[
        "user.contact.address.city"]


def test_import_without_the_database_names_each_keyless_table(tmp_path: Path) -> None:
    made = import_system(DATASET, key="shop", connector="sql", url_env=ENV,
                         storage_country="DK", env={})
    keyless = [n for n in made.notes if "declares no primary key" in n]
    assert sorted(n.split(":")[0] for n in keyless) == [
        f"{FIDES_KEY}.order_item", f"{FIDES_KEY}.visit"]


def test_validate_needs_the_database_for_undeclared_keys(sample_url: str, tmp_path: Path) -> None:
    """A system pointing at the dataset file: validate reads the keys live; offline (or with
    the database unreachable) each keyless table is an error naming it."""
    (tmp_path / "fides_dataset.yml").write_text(DATASET.read_text())
    system = ("systems:\n  - key: shop\n    name: Shop\n    connector: sql\n"
              f"    url_env: {ENV}\n    storage_country: DK\n"
              "    fides_dataset: ../fides_dataset.yml\n")
    folder = _policy_folder(tmp_path, system)
    ok = CliRunner().invoke(app, ["policy", "validate", str(folder)], env={ENV: sample_url})
    assert ok.exit_code == 0, ok.output
    off = CliRunner().invoke(app, ["policy", "validate", "--offline", str(folder)],
                             env={ENV: sample_url})
    assert off.exit_code == 1
    lines = [x for x in off.stderr.splitlines() if "declares no primary key" in x]
    assert len(lines) == 2 and all(x.startswith(f"{folder / 'fides.yaml'}:7:") for x in lines)
    assert {x.split("table '")[1].split("'")[0] for x in lines} == {"order_item", "visit"}
    assert "warning: not inspected: --offline" in off.stderr


def test_hand_written_traversal_counts_21_rows_in_9_tables(sample_url: str) -> None:
    """The expected answer, counted without Steward (and checked against Fides' own note)."""
    counts = rows_by_sql(sample_url, EMAIL)
    assert sum(counts.values()) == 21 and len(counts) == 9
