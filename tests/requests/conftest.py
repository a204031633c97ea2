"""Fixtures for the request workflow: the demo company's systems (small N) in SQLite files, or
on the PostgreSQL / MariaDB servers, and a Steward store with settings pointing at them.

The newsletter is an HTTP system served by the demo app. Most tests use the four SQL systems
(the policy minus `newsletter`), which is also how a company without that tool is configured;
`full_company` adds the newsletter API served for real by uvicorn on a free port, and
`full_policy` is the whole ProMark policy (five systems).

Both send each answer as soon as the request is executed (`rights.send_without_review` for
every type, the one-step configuration a policy may choose): these tests are about executing
requests. Review, then send (the default) is tested with `reviewed_policy()` in
`test_review_then_send.py`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine
from tests.connectors.servers import serve
from tests.helpers import PROMARK

from steward.config import Settings
from steward.demo.build import DemoLocation, build, drop, in_dir, on_server
from steward.demo.newsletter import newsletter_app
from steward.policy.loader import load_policy
from steward.policy.models import Policy, Right
from steward.requests.plan import close_pool
from steward.store.db import make_sessionmaker

TODAY = dt.date.today()
CODE = re.compile(r"\b(\d{8})\b")
NEWSLETTER_TOKEN = "newsletter-test-token-not-a-secret"


@dataclass
class Company:
    loc: DemoLocation
    who: dict[str, str]  # the showcase customer, present in every system
    env: dict[str, str]


@pytest.fixture(autouse=True)
def _fresh_connectors() -> Iterator[None]:
    """Pooled connectors hold connections to this test's databases: close them after it."""
    yield
    close_pool()


def one_step(policy: Policy) -> Policy:
    """`policy` with every answer sent without review (`rights.send_without_review`)."""
    rights = policy.rights.model_copy(update={"send_without_review": list(Right)})
    return policy.model_copy(update={"rights": rights})


def reviewed_policy() -> Policy:
    """The ProMark policy's SQL systems, as the example has it: every answer reviewed."""
    policy = load_policy(PROMARK)
    return policy.model_copy(
        update={"systems": [s for s in policy.systems if s.connector == "sql"]}
    )


def sql_policy() -> Policy:
    return one_step(reviewed_policy())


def _company(loc: DemoLocation, monkeypatch: pytest.MonkeyPatch) -> Company:
    summary = build(loc, customers=12, today=TODAY, replace=True)
    env = {f"PROMARK_{k.upper()}_URL": v for k, v in loc.urls.items()}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    return Company(loc, summary.showcase, env)


@pytest.fixture(params=["sqlite", "postgres", "mariadb"])
def company(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Company]:
    """The demo company's SQL systems on SQLite, PostgreSQL and MariaDB."""
    if request.param == "sqlite":
        yield _company(in_dir(tmp_path / "demo"), monkeypatch)
        return
    server = request.getfixturevalue(
        "pg_server_url" if request.param == "postgres" else "mariadb_server_url"
    )
    prefix = server.rsplit("/", 1)[0] + "/"
    tag = tmp_path.name[-8:].lower().replace("-", "_")
    loc = on_server(prefix, newsletter_dir=tmp_path, name_prefix=f"dsr_{tag}_")
    try:
        yield _company(loc, monkeypatch)
    finally:
        drop(loc)


@pytest.fixture
def sqlite_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Company:
    return _company(in_dir(tmp_path / "demo"), monkeypatch)


@pytest.fixture
def full_company(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Company]:
    """The demo company with all five systems: four SQLite files and the newsletter API served
    by uvicorn, found through the policy's `url_env` / `token_env` variables."""
    loc = in_dir(tmp_path / "demo")
    company = _company(loc, monkeypatch)
    with serve(newsletter_app(loc.newsletter_db, NEWSLETTER_TOKEN)) as base:
        news = {
            "PROMARK_NEWSLETTER_URL": f"{base}/api",
            "PROMARK_NEWSLETTER_TOKEN": NEWSLETTER_TOKEN,
        }
        for k, v in news.items():
            monkeypatch.setenv(k, v)
        company.env.update(news)
        yield company
        close_pool()  # the pooled HTTP client must not outlive the server


@pytest.fixture
def full_policy() -> Policy:
    return one_step(load_policy(PROMARK))


@pytest.fixture
def policy() -> Policy:
    return sql_policy()


@pytest.fixture
def settings(sqlite_engine: Engine, tmp_path: Path) -> Settings:
    return Settings(
        database_url=sqlite_engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path / "var",
        secret_key="test-secret-key-not-for-production",
        policy=PROMARK,
    )


@pytest.fixture
def dsm(sqlite_engine: Engine):  # type: ignore[no-untyped-def]
    return make_sessionmaker(sqlite_engine)


def code_from(body: str) -> str:
    m = CODE.search(body)
    assert m, "no code in the message"
    return m.group(1)
