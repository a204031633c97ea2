"""The public endpoint and the console, in-process: what is counted, what gets 204, what is
refused, the console's SVG and CSV, and the command-line report."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from tests.analytics.conftest import UA_FIREFOX, UA_IPHONE, event, with_analytics
from tests.helpers import login, settings_for
from typer.testing import CliRunner

from steward.analytics.tables import AnalyticsHour
from steward.policy.models import Policy
from steward.store.db import make_sessionmaker

TODAY = datetime.now(UTC).date().isoformat()
HEADERS = {"user-agent": UA_FIREFOX, "accept-language": "da-DK", "content-type": "text/plain"}


def _client(engine: Engine, tmp_path: Path, policy: Policy | None = None,
            **overrides: Any) -> TestClient:
    from steward.web.app import create_app

    app = create_app(settings_for(engine, tmp_path, **overrides),
                     policy=policy or with_analytics(), engine=engine)
    return TestClient(app, base_url="https://testserver")


def _stored(engine: Engine) -> int:
    with make_sessionmaker(engine)() as s:
        return int(s.scalar(select(func.coalesce(func.sum(AnalyticsHour.views), 0)).where(
            AnalyticsHour.dimension == "total")) or 0)


def _flush(client: TestClient) -> None:
    from steward.store.db import transaction

    state = client.app.state  # type: ignore[attr-defined]
    with transaction(state.sessionmaker) as s:
        state.extras["analytics"].flush(s)


def test_events_get_204_and_count_once(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = _client(sqlite_engine, tmp_path)
    post = lambda body, **h: client.post("/analytics/event", content=body,  # noqa: E731
                                         headers={**HEADERS, **h})
    r = post(event(vid="view000001"))
    assert r.status_code == 204 and "set-cookie" not in r.headers and r.content == b""
    assert post(event(vid="view000001")).status_code == 204  # replayed
    assert post(b"{not json").status_code == 204  # malformed
    assert post(b"{" + b" " * 5000 + b"}").status_code == 204  # oversized
    assert post(event(vid="view000002"), **{"user-agent": "Googlebot/2.1"}).status_code == 204
    assert post(event(vid="view000003"), dnt="1").status_code == 204
    assert post(event(vid="view000004"), **{"sec-gpc": "1"}).status_code == 204
    assert post(event(vid="view000005"), **{"user-agent": UA_IPHONE}).status_code == 204
    _flush(client)
    assert _stored(sqlite_engine) == 2  # view000001 once, view000005


def test_unknown_sites_are_refused(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = _client(sqlite_engine, tmp_path)
    for body, headers in [(event(site="shop"), {}),
                          (event("https://elsewhere.example.com/"), {}),
                          (event(), {"origin": "https://elsewhere.example.com"})]:
        r = client.post("/analytics/event", content=body, headers={**HEADERS, **headers})
        assert r.status_code == 403
        assert r.headers["content-type"].startswith("application/problem+json")
        assert "elsewhere" not in r.text  # nothing of the request is echoed
    _flush(client)
    assert _stored(sqlite_engine) == 0


def test_a_flood_from_one_address_is_rate_limited(sqlite_engine: Engine,
                                                  tmp_path: Path) -> None:
    client = _client(sqlite_engine, tmp_path, analytics_events_per_minute=3)
    codes = [client.post("/analytics/event", content=event(vid=f"view00000{i}"),
                         headers=HEADERS).status_code for i in range(5)]
    assert codes == [204, 204, 204, 429, 429]


def test_without_analytics_in_the_policy_there_is_no_endpoint(sqlite_engine: Engine,
                                                              tmp_path: Path) -> None:
    from tests.analytics.conftest import promark

    plain = promark().model_copy(update={"analytics": None})
    client = _client(sqlite_engine, tmp_path, policy=plain)
    assert client.post("/analytics/event", content=event(), headers=HEADERS).status_code == 404


def test_the_script_is_small_and_keeps_nothing(sqlite_engine: Engine, tmp_path: Path) -> None:
    import gzip

    client = _client(sqlite_engine, tmp_path)
    r = client.get("/analytics/script.js")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/javascript")
    assert len(gzip.compress(r.content, compresslevel=9, mtime=0)) < 1024
    import re

    # The code without its comments (which may well say "no cookie").
    code = re.sub(r"/\*.*?\*/|//[^\n]*", "", r.content.decode(), flags=re.S)
    for word in ("cookie", "localStorage", "sessionStorage", "indexedDB", "canvas",
                 "screen.", "plugins", "userAgent"):
        assert word not in code, word
    assert 'credentials: "omit"' in code


def test_console_shows_svg_charts_and_exports_csv(sqlite_engine: Engine,
                                                  tmp_path: Path) -> None:
    client = _client(sqlite_engine, tmp_path)
    for i, page in enumerate(["/products", "/products", "/pricing"]):
        client.post("/analytics/event", headers=HEADERS, content=event(
            f"https://www.promark.example{page}", vid=f"view00000{i}"))
    login(client, sqlite_engine, "viewer")
    html = client.get(f"/console/analytics?start={TODAY}&end={TODAY}").text
    assert '<strong id="views-total">3</strong>' in html
    assert '<strong id="visitors-total">1</strong>' in html
    assert html.count("<svg") == 5 and "<title id=\"t-page\">Top pages</title>" in html
    assert "/products: 2; /pricing: 1" in html  # the ranking's text description
    r = client.get(f"/console/analytics.csv?start={TODAY}&end={TODAY}&site=www")
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    got = {(x["dimension"], x["value"]): (int(x["views"]), int(x["visitors"])) for x in rows}
    assert got[("total", "")] == (3, 1)
    assert got[("page", "/products")] == (2, 0) and got[("page", "/pricing")] == (1, 0)
    assert got[("device", "desktop")] == (3, 0) and got[("country", "DK")] == (3, 0)
    assert client.get("/console/analytics?start=2026-13-01").status_code == 422


def test_csv_values_cannot_run_as_formulas(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = _client(sqlite_engine, tmp_path)
    client.post("/analytics/event", headers=HEADERS, content=event(
        ref="https://=cmd.example.com/"))
    login(client, sqlite_engine, "viewer")
    text = client.get(f"/console/analytics.csv?start={TODAY}&end={TODAY}").text
    assert ",'=cmd.example.com," in text


@pytest.fixture
def cli_env(sqlite_engine: Engine, tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    from tests.helpers import PROMARK

    from steward.cli import context

    monkeypatch.setenv("STEWARD_DATABASE_URL",
                       sqlite_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("STEWARD_POLICY", str(PROMARK))
    monkeypatch.setenv("STEWARD_DATA_DIR", str(tmp_path / "var"))
    context.settings.cache_clear()
    context.sessionmaker_.cache_clear()
    yield
    context.settings.cache_clear()
    context.sessionmaker_.cache_clear()


def test_cli_report(sqlite_engine: Engine, tmp_path: Path, cli_env: None) -> None:
    from steward.cli import app
    from steward.store.db import transaction

    with transaction(make_sessionmaker(sqlite_engine)) as s:
        for hour, dim, value, views, visitors in [
            (10, "total", "", 5, 3), (11, "total", "", 2, 1), (10, "page", "/a", 4, 0),
            (11, "page", "/b", 3, 0), (10, "referrer", "news.example.org", 2, 0)]:
            s.add(AnalyticsHour(site="www", hour=datetime(2026, 3, 2, hour, tzinfo=UTC),
                                dimension=dim, value=value, views=views, visitors=visitors))
    runner = CliRunner()
    r = runner.invoke(app, ["analytics", "report", "--from", "2026-03-01", "--to",
                            "2026-03-02", "--json"])
    assert r.exit_code == 0, r.output
    doc = json.loads(r.output)
    assert doc["days"] == [{"day": "2026-03-01", "views": 0, "visitors": 0},
                           {"day": "2026-03-02", "views": 7, "visitors": 4}]
    assert doc["top"]["page"] == [{"value": "/a", "views": 4}, {"value": "/b", "views": 3}]
    r = runner.invoke(app, ["analytics", "report", "--from", "2026-03-01", "--to",
                            "2026-03-02"])
    assert "7 page views, 4 daily visitors" in r.output and "news.example.org" in r.output


def test_cli_bad_dates_give_one_line(cli_env: None) -> None:
    import subprocess
    import sys

    for args in (["--from", "2026-02-30", "--to", "2026-03-01"],
                 ["--from", "2026-03-02", "--to", "2026-03-01"]):
        p = subprocess.run([str(Path(sys.executable).parent / "steward"), "analytics", "report",
                            *args],
                           capture_output=True, text=True, timeout=60)
        assert p.returncode == 1
        assert p.stderr.startswith("error: ") and p.stderr.count("\n") == 1, p.stderr
        assert "Traceback" not in p.stderr


def test_the_dashboard_shows_the_last_seven_days(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = _client(sqlite_engine, tmp_path)
    for i in range(4):
        client.post("/analytics/event", headers=HEADERS, content=event(vid=f"view00000{i}"))
    _flush(client)
    login(client, sqlite_engine, "viewer")
    html = client.get("/console").text
    assert "Page views, 7 days" in html and "1 daily visitors; no cookie" in html
    assert "4 views: /products?q=crm" in html
