"""The real receipt date and channel (GDPR Art. 12(3): the month runs from receipt): a request
that came by post, phone, e-mail or in person is entered with when and how it arrived; dates in
the future or before the controller's first policy are refused."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.helpers import ROOT, login, settings_for
from tests.requests.conftest import sql_policy

from steward import audit
from steward.errors import InvalidInput
from steward.requests import workflow
from steward.requests.identities import request_identities
from steward.requests.intake import submit
from steward.requests.tables import DsrRequest
from steward.store.db import transaction

NOW = datetime(2025, 3, 10, 9, tzinfo=UTC)
VALID_CPR = "1407854124"  # generated: 14 July 1985, passes the modulus-11 check
STEWARD = str(Path(sys.executable).with_name("steward"))


def _enter(dsm, settings, policy, **kw):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        sub = submit(
            s,
            policy,
            workflow.sealer_for(settings),
            type="access",
            name="Kim Jensen",
            email=kw.pop("email", "kim@example.com"),
            country=kw.pop("country", "DK"),
            channel="officer",
            evidence="letter signed, ID copy enclosed",
            actor="officer",
            now=kw.pop("now", NOW),
            **kw,
        )
        return sub.request.id


@pytest.mark.parametrize(
    ("received", "via", "received_on", "due"),
    [
        # LEGAL.md: received 31 January 2025 -> due 28 February 2025
        (date(2025, 1, 31), "post", "2025-01-31", "2025-02-28"),
        # 23:30 UTC on 31 January is 00:30 on 1 February in Copenhagen: the month runs from
        # 1 February; 1 March 2025 is a Saturday, so the answer is due Monday 3 March
        (datetime(2025, 1, 31, 23, 30, tzinfo=UTC), "phone", "2025-02-01", "2025-03-03"),
        ("2025-02-03T10:15", "in_person", "2025-02-03", "2025-03-03"),
        ("2025-02-03", "email", "2025-02-03", "2025-03-03"),
    ],
)
def test_the_clock_starts_on_the_day_it_arrived(  # type: ignore[no-untyped-def]
    dsm, settings, policy, received, via, received_on, due
):
    rid = _enter(dsm, settings, policy, received=received, received_via=via)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert (req.received_on.isoformat(), req.due_on.isoformat()) == (received_on, due)
        assert req.received_via == via and req.channel == "officer"
        event = audit.recent(s, action="dsr.received", limit=1)[0]
        details = json.loads(event.details)
        assert (details["received_via"], details["received_on"]) == (via, received_on)


def test_a_request_entered_without_a_date_arrived_now_through_the_web(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _enter(dsm, settings, policy)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert req.received_on == date(2025, 3, 10) and req.received_via == "web"


@pytest.mark.parametrize(
    ("received", "message"),
    [
        (date(2025, 3, 11), "received: the day of receipt is in the future"),
        (datetime(2025, 3, 10, 10, tzinfo=UTC), "received: the date and time of receipt is in"),
        # ProMark's policy took effect on 20 February 2020: nothing reached it before
        (date(2020, 2, 19), "received: 2020-02-19 is before 2020-02-20"),
        ("31/01/2025", "received: a date YYYY-MM-DD or a date and time"),
    ],
)
def test_impossible_receipt_dates_are_refused(dsm, settings, policy, received, message):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as err:
        _enter(dsm, settings, policy, received=received)
    assert err.value.detail.startswith(message)
    with transaction(dsm) as s:
        assert s.query(DsrRequest).count() == 0  # nothing half-written


def test_the_floor_can_be_set_in_the_policy_and_follows_published_versions(dsm, settings, policy):  # type: ignore[no-untyped-def]
    floored = policy.model_copy(update={"intake_floor": date(2024, 6, 1)})
    with pytest.raises(InvalidInput, match="2024-05-31 is before 2024-06-01"):
        _enter(dsm, settings, floored, received=date(2024, 5, 31))
    assert _enter(dsm, settings, floored, received=date(2024, 6, 1))
    # A version published with an earlier effective date moves the default floor back.
    with transaction(dsm) as s:
        s.execute(
            sa.text(
                "INSERT INTO policy_versions (policy_id, version, effective, sha256, "
                "published_at, document) VALUES ('promark', '2018', '2018-05-25', 'x', "
                "'2020-01-01 00:00:00', '{}')"
            )
        )
    assert _enter(dsm, settings, policy, received=date(2019, 1, 2), email="old@example.com")
    with pytest.raises(InvalidInput, match="2018-05-24 is before 2018-05-25"):
        _enter(dsm, settings, policy, received=date(2018, 5, 24), email="older@example.com")


def test_an_unknown_channel_is_refused(dsm, settings, policy):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput, match="received_via: one of web, email, post, phone"):
        _enter(dsm, settings, policy, received_via="fax")


def test_the_officer_api_takes_the_receipt(sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    from steward.web.app import create_app

    app = create_app(
        settings_for(sqlite_engine, tmp_path), policy=sql_policy(), engine=sqlite_engine
    )
    client = TestClient(app, base_url="https://testserver")
    h = {"x-csrf-token": login(client, sqlite_engine, "officer")}
    body = {
        "type": "access",
        "name": "Kim Jensen",
        "email": "kim@example.com",
        "country": "DK",
        "evidence": "ID checked in person",
        "received": "2025-01-31",
        "received_via": "post",
        "identities": {"phone": ["20 12 34 56"], "national_id": [VALID_CPR]},
    }
    r = client.post(
        "/api/requests/officer",
        headers=h,
        json={**body, "identities": {"national_id": ["3201851234"]}},
    )
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"] == "identity.national_id: not a valid DK national identity number"
    r = client.post("/api/requests/officer", json=body, headers=h)
    assert r.status_code == 201, r.text
    out = r.json()
    with transaction(app.state.sessionmaker) as s:
        assert request_identities(s, out["id"], sealer=workflow.sealer_for(app.state.settings)) == {
            "email": ["kim@example.com"],
            "national_id": [VALID_CPR],
            "phone": ["+4520123456"],
        }
    assert (out["received_on"], out["received_via"], out["statutory_due"]) == (
        "2025-01-31",
        "post",
        "2025-02-28",
    )
    r = client.post(
        "/api/requests/officer",
        headers=h,
        json={**body, "email": "b@example.com", "received": "2999-01-01"},
    )
    assert r.status_code == 422 and "in the future" in r.json()["detail"]
    r = client.post(
        "/api/requests/officer",
        headers=h,
        json={**body, "email": "c@example.com", "received_via": "fax"},
    )
    assert r.status_code == 422


def test_the_cli_takes_the_receipt(tmp_path, sqlite_engine):  # type: ignore[no-untyped-def]
    env = {
        "STEWARD_DATABASE_URL": sqlite_engine.url.render_as_string(hide_password=False),
        "STEWARD_DATA_DIR": str(tmp_path / "var"),
        "PATH": "/usr/bin:/bin",
        "STEWARD_POLICY": str(ROOT / "examples" / "promark"),
    }
    base = [
        STEWARD,
        "dsr",
        "submit",
        "--type",
        "access",
        "--name",
        "Kim Jensen",
        "--email",
        "kim@example.com",
        "--evidence",
        "ID checked in person",
        "--country",
        "DK",
        "--json",
    ]
    ok = subprocess.run(
        [*base, "--received", "2025-01-31", "--via", "post"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    rid = json.loads(ok.stdout)["id"]
    shown = json.loads(
        subprocess.run(
            [STEWARD, "dsr", "show", str(rid), "--json"],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
    )
    assert (shown["received_on"], shown["received_via"], shown["due_on"]) == (
        "2025-01-31",
        "post",
        "2025-02-28",
    )
    bad = subprocess.run(
        [*base, "--received", "2999-01-01"], capture_output=True, text=True, env=env, check=False
    )
    assert bad.returncode == 1 and bad.stderr.count("\n") == 1
    assert bad.stderr.startswith("error: received: the day of receipt is in the future")


@pytest.mark.parametrize(
    ("now", "country", "received_on", "due"),
    [
        # 23:30 UTC on 31 January is 00:30 on 1 February in Copenhagen (CET, UTC+1): received
        # 1 February; the same date a month on, 1 March 2025, is a Saturday -> Monday 3 March.
        (datetime(2025, 1, 31, 23, 30, tzinfo=UTC), "DK", "2025-02-01", "2025-03-03"),
        # 22:59 UTC is still 23:59 on 31 January there -> due 28 February (Reg. 1182/71
        # Art. 3(2)(c): no 31 February, the month's last day).
        (datetime(2025, 1, 31, 22, 59, tzinfo=UTC), "DK", "2025-01-31", "2025-02-28"),
        # 23:30 UTC on 30 June is 00:30 on 1 July in London in summer (BST, UTC+1): received
        # 1 July; 1 August 2025 is a Friday and no bank holiday in England.
        (datetime(2025, 6, 30, 23, 30, tzinfo=UTC), "GB", "2025-07-01", "2025-08-01"),
        # In winter London is on UTC: 23:30 UTC on 2 December is still 2 December (ICO: "if
        # you receive a request on 3 September, respond by 3 October" - the same date).
        (datetime(2025, 12, 2, 23, 30, tzinfo=UTC), "GB", "2025-12-02", "2026-01-02"),
    ],
)
def test_a_web_request_arrives_on_the_authoritys_local_day(  # type: ignore[no-untyped-def]
    dsm, settings, policy, now, country, received_on, due
):
    rid = _enter(dsm, settings, policy, now=now, country=country)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert (req.received_on.isoformat(), req.due_on.isoformat()) == (received_on, due)
