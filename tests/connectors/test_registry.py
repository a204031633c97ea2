"""Connectors come from the entry-point group, ours like a third party's; URLs resolve
url_env > url_file > url, relative SQLite paths against the data folder."""

from __future__ import annotations

from importlib.metadata import entry_points
from pathlib import Path

import pytest
from tests.connectors import promark

from steward.connectors.base import Connector
from steward.connectors.http import HttpConnector
from steward.connectors.registry import available, connector_class, connector_for, resolve_url
from steward.connectors.sql import SqlConnector
from steward.errors import InvalidInput
from steward.policy.models import SystemSpec


def _spec(**kw: object) -> SystemSpec:
    base = {"key": "s", "name": "S", "connector": "sql", "storage_country": "DK",
            "url": "sqlite:///s.db", "tables": [{"name": "people"}]}
    return SystemSpec.model_validate(base | kw)


def test_ours_are_registered_through_the_entry_point_group() -> None:
    names = {ep.name: ep.value for ep in entry_points(group="steward.connectors")}
    assert names["sql"] == "steward.connectors.sql:SqlConnector"
    assert names["http"] == "steward.connectors.http:HttpConnector"
    assert connector_class("sql") is SqlConnector and connector_class("http") is HttpConnector
    assert set(available()) >= {"sql", "http"}


def test_unknown_connector_lists_the_known_ones() -> None:
    known = r"unknown connector 'mongo'; known connectors: .*http.*sql"
    with pytest.raises(InvalidInput, match=known):
        connector_for(_spec(connector="mongo"))


def test_url_precedence_and_relative_sqlite(tmp_path: Path) -> None:
    secret = tmp_path / "url.txt"
    secret.write_text("sqlite:///from_file.db\n")
    spec = _spec(url_env="S_URL", url_file=str(secret))
    assert resolve_url(spec, env={"S_URL": "sqlite:////abs/env.db"}) == "sqlite:////abs/env.db"
    assert resolve_url(spec, env={}, base_dir=tmp_path) == f"sqlite:///{tmp_path}/from_file.db"
    assert resolve_url(_spec(), env={}, base_dir=tmp_path) == f"sqlite:///{tmp_path}/s.db"
    assert resolve_url(_spec(), env={}) == "sqlite:///s.db"
    rel = _spec(url_file="url.txt", url=None)
    assert resolve_url(rel, env={}, policy_dir=tmp_path).endswith("from_file.db")
    with pytest.raises(InvalidInput, match="cannot read url_file"):
        resolve_url(_spec(url_file=str(tmp_path / "none.txt")), env={})


def test_connector_for_builds_a_working_protocol_object(tmp_path: Path) -> None:
    conn = connector_for(promark.systems()["crm"], env={}, base_dir=tmp_path)
    assert isinstance(conn, Connector) and isinstance(conn, SqlConnector)
    assert conn.url == f"sqlite:///{tmp_path}/crm.db"


def test_every_connector_of_ours_runs_the_conformance_kit() -> None:
    """Like Datasette's hook meta-tests: a connector we ship without a conformance test fails."""
    here = Path(__file__).parent
    kit_users = {
        "sql": here / "test_sql_conformance.py",
        "http": here / "test_http_conformance.py",
    }
    # Connectors whose answers come from people or the company's code (a task, a callback)
    # cannot answer the kit's synchronous checks: each has its own round-trip test instead.
    tasked = {
        "manual": here.parent / "requests" / "test_manual_systems.py",
        "webhook": here / "test_webhook_systems.py",
    }
    ours = {name for name, ep in available().items() if ep.value.startswith("steward.")}
    assert ours == set(kit_users) | set(tasked)
    for path in kit_users.values():
        assert "run_conformance(" in path.read_text()
    for path in tasked.values():
        assert "execute_request(" in path.read_text() or "Awaiting" in path.read_text()


def test_url_follows_environment_variables() -> None:
    system = SystemSpec(key="tool", name="Tool", connector="http", storage_country="IE",
                        url="${STEWARD_BASE_URL:-http://127.0.0.1:8000}/demo/api")
    assert resolve_url(system, env={}) == "http://127.0.0.1:8000/demo/api"
    assert resolve_url(system, env={"STEWARD_BASE_URL": "https://p.example/"}) == (
        "https://p.example/demo/api"
    )
    bare = system.model_copy(update={"url": "${TOOL_HOST}/api"})
    with pytest.raises(InvalidInput, match="TOOL_HOST"):
        resolve_url(bare, env={})
