"""An access request answered from Fides' sample company: the policy names the system by its
Fides dataset file (unchanged) and the answer holds every row a hand-written SQL traversal of
the dataset's references finds (21 rows in 9 of 11 tables for customer-1@example.com)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from ruamel.yaml import YAML
from tests.connectors.fides_sample.sample import DATASET, rows_by_sql, sample_database
from tests.policy.policy_helpers import BASE
from tests.requests.conftest import code_from, one_step

from steward.mail import list_outbox
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.requests import execute, workflow
from steward.requests.tables import DsrRequest
from steward.requests.verification import Check
from steward.store.db import transaction

EMAIL = "customer-1@example.com"
ENV = "FIDES_SAMPLE_URL"
COMPOSITE = ("order_item", "visit")  # keys of two columns, read from the database


@pytest.fixture(scope="module")
def sample_url(pg_server_url: str) -> Iterator[str]:
    with sample_database(pg_server_url) as url:
        yield url


def _policy(tmp_path: Path, dataset_text: str) -> Policy:
    folder = tmp_path / "policy"
    folder.mkdir()
    (folder / "acme.yaml").write_text(BASE)
    (tmp_path / "shop_dataset.yml").write_text(dataset_text)  # next to, not in, the policy
    (folder / "shop.yaml").write_text(
        "systems:\n  - key: shop\n    name: Shop\n    connector: sql\n"
        f"    url_env: {ENV}\n    storage_country: DK\n    fides_dataset: ../shop_dataset.yml\n")
    policy = load_policy(folder)
    # Only the Fides system: the small base policy's own system has no database here.
    return one_step(policy.model_copy(update={"systems": [policy.system("shop")]}))


def _access(dsm, settings, policy) -> dict:  # type: ignore[no-untyped-def]
    out = workflow.submit_request(dsm, settings, policy, type="access", name="John Customer",
                                  email=EMAIL, country="DK", channel="api", actor="api")
    code = code_from(list_outbox(settings)[0].body)
    result, out = workflow.verify_code(dsm, settings, policy, out.public_id, code)
    assert result is Check.ok
    with transaction(dsm) as s:
        workflow.approve(s, s.get_one(DsrRequest, out.id), "officer@example.com")
    state = execute.execute_request(dsm, settings, policy, out.id)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, out.id)
        assert state == "completed", req.last_error
        return dict(json.loads(req.result_json)["exported"]["shop"])


def test_access_request_returns_all_21_rows(  # type: ignore[no-untyped-def]
    sample_url, tmp_path, dsm, settings, monkeypatch
):
    monkeypatch.setenv(ENV, sample_url)
    expected = rows_by_sql(sample_url, EMAIL)
    assert sum(expected.values()) == 21 and len(expected) == 9
    assert _access(dsm, settings, _policy(tmp_path, DATASET.read_text())) == expected


def test_access_request_over_the_single_key_tables(  # type: ignore[no-untyped-def]
    sample_url, tmp_path, dsm, settings, monkeypatch
):
    """The same dataset without its two composite-key collections: every other row is found
    (product is then reached by nothing)."""
    monkeypatch.setenv(ENV, sample_url)
    doc = YAML(typ="safe").load(DATASET.read_text())
    doc["dataset"][0]["collections"] = [
        c for c in doc["dataset"][0]["collections"] if c["name"] not in COMPOSITE]
    trimmed = tmp_path / "trimmed.yml"
    YAML().dump(doc, trimmed)
    expected = {t: n for t, n in rows_by_sql(sample_url, EMAIL).items()
                if t not in (*COMPOSITE, "product")}
    assert sum(expected.values()) == 14
    assert _access(dsm, settings, _policy(tmp_path, trimmed.read_text())) == expected
