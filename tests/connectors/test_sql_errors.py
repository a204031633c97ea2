"""Telling a system that is down (retry later) from a system that says no (do not retry):
real servers, real errors. Messages never carry the values that were sent."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from tests.companies.fjordvarme import generate
from tests.connectors.databases import KINDS, end_connections, fresh_database
from tests.connectors.servers import free_port

from steward.connectors._sqlvalues import as_bool
from steward.connectors.sql import SqlConnector
from steward.errors import SystemRefused, Unavailable


@pytest.fixture(params=KINDS)
def company(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[str, Any]]:
    with fresh_database(request, request.param, tmp_path) as url:
        yield url, generate.build(url, seed=3)


def _snapshot(url: str) -> list[tuple[Any, ...]]:
    engine = sa.create_engine(url)
    with engine.connect() as c:
        rows = [tuple(r) for t in ("kunde", "husstand", "faktura", "klage")
                for r in c.execute(sa.text(f"SELECT * FROM {t}"))]  # noqa: S608 - fixed names
    engine.dispose()
    return sorted(rows, key=repr)


@pytest.mark.parametrize("url", [
    "postgresql+psycopg://postgres@127.0.0.1:{port}/nothing",
    "mysql+pymysql://root@127.0.0.1:{port}/nothing",
])
def test_nothing_listening_is_unavailable(url: str) -> None:
    url = url.format(port=free_port())
    conn = SqlConnector(generate.system(url), url=url)
    with pytest.raises(Unavailable):
        conn.ping()


def test_a_check_constraint_is_a_refusal_and_rolls_back(company: tuple[str, Any]) -> None:
    url, facts = company
    engine = sa.create_engine(url)
    if engine.dialect.name == "sqlite":  # SQLite cannot add a constraint: a trigger says no
        ddl = ("CREATE TRIGGER navn_kept BEFORE UPDATE OF navn ON kunde WHEN NEW.navn = '***' "
               "BEGIN SELECT RAISE(ABORT, 'CHECK constraint failed: navn_kept'); END")
    else:
        ddl = "ALTER TABLE kunde ADD CONSTRAINT navn_kept CHECK (navn <> '***')"
    with engine.begin() as c:
        c.exec_driver_sql(ddl)
    engine.dispose()
    before = _snapshot(url)
    conn = SqlConnector(generate.system(url), url=url)
    try:
        records = conn.find({"email": [facts.subject.email]})
        plan = conn.plan_erasure(records)  # invoices kept: the customer row is masked
        with pytest.raises(SystemRefused) as err:
            conn.apply(plan)
    finally:
        conn.close()
    detail = err.value.detail
    assert "navn_kept" in detail and "rolled back" in detail
    name = records.tables["kunde"][0]["navn"]
    for value in (facts.subject.email, facts.subject.fnr, name, "***"):
        assert value not in detail
    assert err.value.status == 409
    assert _snapshot(url) == before  # the whole system's transaction rolled back


def test_a_column_dropped_under_the_connector_is_a_refusal(company: tuple[str, Any]) -> None:
    url, facts = company
    conn = SqlConnector(generate.system(url), url=url)
    try:
        records = conn.find({"email": [facts.subject.email]})
        plan = conn.plan_erasure(records)  # empties kunde.epost among others
        engine = sa.create_engine(url)
        with engine.begin() as c:
            c.exec_driver_sql("ALTER TABLE kunde RENAME COLUMN epost TO e_post")
        engine.dispose()
        with pytest.raises(SystemRefused) as err:
            conn.apply(plan)  # the plan's UPDATE names a column that is gone
        assert "epost" in err.value.detail and facts.subject.email not in err.value.detail
    finally:
        conn.close()


@pytest.mark.parametrize(("stored", "expected"), [
    (0, False), (1, True), ("0", False), ("1", True), (" 0 ", False), ("no", False),
    ("yes", True), ("f", False), ("t", True), (b"\x00", False), (b"\x01", True),
    (None, None), (True, True), (False, False), ("maybe", "maybe"),
])
def test_yes_no_values_from_every_database(stored: Any, expected: Any) -> None:
    assert as_bool(stored) is expected if isinstance(expected, bool | None) else (
        as_bool(stored) == expected
    )


@pytest.mark.parametrize("kind", ["postgres", "mariadb"])
def test_a_lock_wait_is_unavailable_not_a_refusal(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str
) -> None:
    """Another transaction holds the row: the wait times out (PostgreSQL 55P03, MariaDB 1205)
    and the work is retried later rather than refused."""
    with fresh_database(request, kind, tmp_path) as url:
        facts = generate.build(url, seed=2)
        admin = sa.create_engine(url)
        if kind == "postgres":
            name = sa.make_url(url).database
            with admin.begin() as c:
                c.exec_driver_sql(f"ALTER DATABASE \"{name}\" SET lock_timeout = '300ms'")
            target = url
        else:  # this connection's own lock wait limit, in seconds
            target = url + "&init_command=SET+innodb_lock_wait_timeout%3D1"
        holder = sa.create_engine(url)
        conn = SqlConnector(generate.system(target), url=target)
        try:
            with holder.begin() as c:
                c.execute(sa.text("SELECT navn FROM kunde WHERE kundenr = 1 FOR UPDATE"))
                with pytest.raises(Unavailable):
                    conn.rectify("kunde", 1, {"navn": "Kari Nordmann"})
        finally:
            conn.close()
            holder.dispose()
            admin.dispose()
        assert facts.subject.kundenr == 1


@pytest.mark.parametrize("kind", ["postgres", "mariadb"])
def test_a_pooled_connection_the_server_ended_while_idle_is_replaced(
    request: pytest.FixtureRequest, tmp_path: Path, kind: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Connections are tested only after sitting idle in the pool (a round trip saved per
    call otherwise). One the server ended while idle is found dead and replaced: the search
    answers as before. One ended moments after use is not tested: that call is `Unavailable`
    (retried later, never a wrong answer), and the next one works."""
    from steward.connectors import sql

    with fresh_database(request, kind, tmp_path) as url:
        facts = generate.build(url, seed=4)
        conn = SqlConnector(generate.system(url), url=url)
        try:
            first = conn.find({"email": [facts.subject.email]})
            assert not first.is_empty()
            monkeypatch.setattr(sql, "PING_AFTER_SECONDS", 0.0)  # every pooled one is "idle"
            assert end_connections(url, kind) >= 1
            assert conn.find({"email": [facts.subject.email]}) == first
            monkeypatch.setattr(sql, "PING_AFTER_SECONDS", 3600.0)  # none is tested
            assert end_connections(url, kind) >= 1
            with pytest.raises(Unavailable):
                conn.find({"email": [facts.subject.email]})
            assert conn.find({"email": [facts.subject.email]}) == first
        finally:
            conn.close()
