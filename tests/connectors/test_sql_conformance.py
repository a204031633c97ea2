"""The conformance kit over SqlConnector on the demo company, on SQLite, PostgreSQL and
MariaDB: the connector finds exactly what hand-written SQL finds, and erases correctly."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from tests.connectors import promark

from steward.connectors.conformance import Case, run_conformance
from steward.connectors.sql import SqlConnector
from steward.demo import build

RECTIFY = {
    "crm": ("customers", "title"),
    "portal": ("logins", "username"),
    "support": ("tickets", "subject"),
    "recruiting": ("applications", "position"),
}
DEPTH = {"crm": 2, "portal": 1, "support": 1, "recruiting": 1}
PEOPLE: dict[int, dict[str, tuple[dict[str, str], dict[str, str]]]] = {}


@pytest.fixture(scope="module", params=["sqlite", "postgres", "mariadb"])
def demo(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[build.DemoLocation]:
    """A small demo company on one backend, dropped afterwards."""
    tmp = tmp_path_factory.mktemp("demo")
    if request.param == "sqlite":
        loc = build.in_dir(tmp)
    else:
        fixture = "pg_server_url" if request.param == "postgres" else "mariadb_server_url"
        server = request.getfixturevalue(fixture)
        loc = build.on_server(
            server, newsletter_dir=tmp, name_prefix=f"t{uuid.uuid4().hex[:8]}_"
        )
    build.build(loc, customers=40, seed=7)
    # Read the people before any test erases them.
    crm, rec = sa.create_engine(loc.urls["crm"]), sa.create_engine(loc.urls["recruiting"])
    with crm.connect() as c, rec.connect() as r:
        PEOPLE[id(loc)] = {
            "crm": (promark.customer(c, 1), promark.customer(c, 2)),
            "recruiting": (promark.applicant(r, 1), promark.applicant(r, 2)),
        }
    crm.dispose()
    rec.dispose()
    yield loc
    build.drop(loc)


@pytest.mark.parametrize("system", ["crm", "portal", "support", "recruiting"])
def test_conformance(demo: build.DemoLocation, system: str) -> None:
    spec = promark.systems()[system]
    first, second = PEOPLE[id(demo)]["recruiting" if system == "recruiting" else "crm"]
    engine = sa.create_engine(demo.urls[system])
    with engine.connect() as conn:
        subject = promark.subject(spec, conn, first)
        bystander = promark.subject(spec, conn, second)
    engine.dispose()
    assert subject.expected, "the showcase customer has rows in every system"
    connector = SqlConnector(spec, url=demo.urls[system])
    try:
        passed = run_conformance(
            connector,
            Case(subject=subject, bystander=bystander, rectify=RECTIFY[system],
                 min_depth=DEPTH[system]),
        )
    finally:
        connector.close()
    assert "erasure counts, bystander, idempotency" in passed
