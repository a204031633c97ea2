"""Schemathesis over the OpenAPI document, anonymous and signed in as an admin, on SQLite and
PostgreSQL: whatever a client sends to any operation, the server never answers with a 5xx.

Bounded for CI: `FUZZ_EXAMPLES` generated cases per operation and role (environment
`STEWARD_FUZZ_EXAMPLES` raises it for a longer run by hand).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from tests.conftest import _fresh_pg_schema
from tests.helpers import login, settings_for

from steward.store.db import make_engine
from steward.store.migrate import upgrade_engine
from steward.web.app import create_app

FUZZ_EXAMPLES = int(os.environ.get("STEWARD_FUZZ_EXAMPLES", "8"))
# Signed in, these would end the fuzzing session itself (sign-out, "sign out everywhere").
SELF_ENDING = re.compile(r"^/console/(logout|users/\{user_id\}/(sessions/end|disable|role))$")


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def fuzz_app(request: pytest.FixtureRequest,
             tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """Steward on a fresh store (SQLite, and PostgreSQL, whose column types are stricter),
    with an admin signed in."""
    tmp = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        urls: Iterator[str] = iter([f"sqlite:///{tmp / 'steward.db'}"])
    else:
        urls = _fresh_pg_schema(request.getfixturevalue("pg_server_url"))
    engine = make_engine(next(urls))
    upgrade_engine(engine)
    # High limits: the fuzzer is one client sending thousands of requests.
    app = create_app(settings_for(engine, Path(tmp), rate_limit_per_minute=1_000_000,
                                  login_attempts_per_minute=1_000_000,
                                  consent_events_per_minute=1_000_000), engine=engine)
    admin = TestClient(app, base_url="https://testserver")
    csrf = login(admin, engine, "admin")
    yield {"app": app, "cookies": dict(admin.cookies), "csrf": csrf}
    engine.dispose()
    next(urls, None)  # drops the PostgreSQL database


def _fuzz(app: Any, *, signed_in: dict[str, Any] | None) -> tuple[int, list[str]]:
    """Run every operation; return (cases sent, one line per 5xx answer)."""
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
    failures: list[str] = []
    sent = 0
    kwargs: dict[str, Any] = {}
    if signed_in is not None:
        kwargs = {"cookies": signed_in["cookies"],
                  "headers": {"x-csrf-token": signed_in["csrf"]}}
    for result in schema.get_all_operations():
        op = result.ok()
        if signed_in is not None and SELF_ENDING.match(op.path):
            continue

        @settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(case=op.as_strategy())
        def run(case: Any) -> None:
            nonlocal sent
            sent += 1
            where = f"{case.operation.method.upper()} {case.operation.path}"
            try:
                response = case.call(**kwargs)
            except Exception as err:  # noqa: BLE001 - the test client re-raises server errors
                failures.append(f"{err.__class__.__name__} {where}: {case.as_curl_command()}")
                return
            if response.status_code >= 500:
                failures.append(f"{response.status_code} {where}: {case.as_curl_command()}")

        run()
    return sent, failures


def test_anonymous_clients_never_get_a_server_error(fuzz_app: dict[str, Any]) -> None:
    sent, failures = _fuzz(fuzz_app["app"], signed_in=None)
    assert sent > 100
    assert failures == []


def test_signed_in_admins_never_get_a_server_error(fuzz_app: dict[str, Any]) -> None:
    sent, failures = _fuzz(fuzz_app["app"], signed_in=fuzz_app)
    assert sent > 100
    assert failures == []
    # The run stayed signed in (no case ended the session): the guarded routes were reached.
    after = TestClient(fuzz_app["app"], base_url="https://testserver",
                       cookies=fuzz_app["cookies"])
    assert after.get("/console/users", follow_redirects=False).status_code == 200
