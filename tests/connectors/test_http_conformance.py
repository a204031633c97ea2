"""The conformance kit over HttpConnector against the demo newsletter API, served for real by
uvicorn on a free port; plus what happens when the API is down or refuses the token."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
from tests.connectors import promark
from tests.connectors.servers import free_port, serve

from steward.connectors.conformance import Case, Subject, run_conformance
from steward.connectors.http import HttpConnector
from steward.connectors.registry import connector_for
from steward.demo import build
from steward.demo.newsletter import newsletter_app
from steward.errors import InvalidInput, Unavailable

TOKEN = "test-token-not-a-secret"


@pytest.fixture
def newsletter(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The demo newsletter API on a real server: yields (base URL of the API, its SQLite file)."""
    loc = build.in_dir(tmp_path)
    build.build(loc, customers=20, seed=5)
    with serve(newsletter_app(loc.newsletter_db, TOKEN)) as base:
        yield f"{base}/api", loc.newsletter_db


def _subscriber(db: Path, sid: int) -> Subject:
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        email = c.execute(sa.text("SELECT email FROM subscribers WHERE id = :i"), {"i": sid}).one()
    engine.dispose()
    return Subject(identities={"email": [email[0]]}, expected={"subscribers": {sid}})


def test_conformance_over_the_live_api(newsletter: tuple[str, Path]) -> None:
    url, db = newsletter
    spec = promark.systems()["newsletter"]
    conn = connector_for(
        spec.model_copy(update={"url": url, "url_env": None}),
        env={"PROMARK_NEWSLETTER_TOKEN": TOKEN},
    )
    assert isinstance(conn, HttpConnector)
    try:
        passed = run_conformance(conn, Case(
            subject=_subscriber(db, 1), bystander=_subscriber(db, 2),
            rectify=("subscribers", "name"),
        ))
    finally:
        conn.close()
    assert "erasure counts, bystander, idempotency" in passed
    engine = sa.create_engine(f"sqlite:///{db}")
    with engine.connect() as c:
        assert c.execute(sa.text("SELECT count(*) FROM subscribers WHERE id = 1")).scalar() == 0
    engine.dispose()


def test_wrong_token_missing_token_and_down(newsletter: tuple[str, Path], tmp_path: Path) -> None:
    url, _ = newsletter
    spec = promark.systems()["newsletter"].model_copy(update={"url": url, "url_env": None})
    wrong = connector_for(spec, env={"PROMARK_NEWSLETTER_TOKEN": "nope"})
    with pytest.raises(Unavailable, match="refused Steward's credentials"):
        wrong.ping()
    wrong.close()
    with pytest.raises(InvalidInput, match="PROMARK_NEWSLETTER_TOKEN"):
        connector_for(spec, env={}, base_dir=tmp_path)
    (tmp_path / "newsletter.token").write_text(TOKEN + "\n")
    from_file = connector_for(spec, env={}, base_dir=tmp_path)
    from_file.ping()
    from_file.close()
    down = connector_for(
        spec.model_copy(update={"url": f"http://127.0.0.1:{free_port()}/api"}),
        env={"PROMARK_NEWSLETTER_TOKEN": TOKEN},
    )
    with pytest.raises(Unavailable, match="'newsletter' is unavailable"):
        down.find({"email": ["a@example.com"]})
    down.close()
