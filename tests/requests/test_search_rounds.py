"""The search follows the subject from system to system in rounds (GDPR Art. 15(1)): an e-mail
address finds a customer number in the CRM, the customer number finds the portal logins, and
the national id on a login finds the pension plan, one round per link. A system that cannot be
searched (refused as misconfigured, a table its database lacks, a manual system whose owner has
not answered yet) is reported with its reason and holds nobody else back; a system asked once
for every value known is not asked again, so a processor's API sees the person's address once.

The company below is written out by hand (SQLite files and a processor's API served by
uvicorn); so are the rows, identities and reasons expected."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from tests.connectors.servers import serve
from tests.retention import company as co

from steward.config import Settings
from steward.mail import list_outbox
from steward.policy.models import Policy
from steward.requests.plan import Discovery, Systems, discover

ANN = "ann@example.com"
ANN_CPR = "150585-1236"
OWNER = "archive.keeper@example.com"

# table -> (columns, rows); the first column is the key.
DATABASES: dict[str, dict[str, tuple[tuple[str, ...], list[tuple[Any, ...]]]]] = {
    "crm": {
        "customers": (
            ("id", "email", "customer_no", "contact_name"),
            [
                (1, ANN, "C-1001", "Ann Example"),
                (2, "bo@example.com", "C-2002", "Bo Other"),
            ],
        )
    },
    # Ann has a second login under a customer number of her own (C-3003), found by her CPR.
    "portal": {
        "logins": (
            ("id", "customer_no", "cpr", "username"),
            [
                (1, "C-1001", ANN_CPR, "ann"),
                (2, "C-3003", ANN_CPR, "ann.private"),
                (3, "C-2002", "020202-2222", "bo"),
            ],
        )
    },
    "pension": {
        "members": (
            ("id", "cpr", "scheme"),
            [
                (1, ANN_CPR, "basic"),
                (2, "020202-2222", "basic"),
            ],
        )
    },
    "support": {
        "tickets": (
            ("id", "requester_email", "subject"),
            [
                (1, "bo@example.com", "Invoice question"),
            ],
        )
    },
}
SUBSCRIBERS = [
    {"id": 7, "email": ANN, "name": "Ann Example"},
    {"id": 8, "email": "bo@example.com", "name": "Bo Other"},
]


def _sql(
    key: str, url: str, table: str, identities: dict[str, str], *fields: str
) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.title(),
        "connector": "sql",
        "url": url,
        "storage_country": "DK",
        "tables": [
            {"name": table, "identities": identities, "fields": [{"name": f} for f in fields]}
        ],
    }


def _policy(urls: dict[str, str], processor: str) -> Policy:
    """In policy order: a system reached only in the third round first, then the three that
    cannot be searched, then one that holds nothing of Ann's, then the chain."""
    systems = [
        _sql("pension", urls["pension"], "members", {"national_id": "cpr"}, "scheme"),
        {
            "key": "ledger",
            "name": "Ledger",
            "connector": "manual",
            "url": "https://ledger.example.com",
            "storage_country": "DK",
            "tables": [{"name": "entries", "identities": {"email": "email"}}],
        },
        {
            "key": "paper",
            "name": "Paper archive",
            "connector": "manual",
            "url": f"mailto:{OWNER}",
            "storage_country": "DK",
            "tables": [{"name": "folders", "identities": {"email": "email"}}],
        },
        _sql("archive", urls["crm"], "ledger_2019", {"email": "email"}),
        _sql("support", urls["support"], "tickets", {"email": "requester_email"}, "subject"),
        _sql(
            "crm",
            urls["crm"],
            "customers",
            {"email": "email", "customer_number": "customer_no"},
            "contact_name",
        ),
        _sql(
            "portal",
            urls["portal"],
            "logins",
            {"customer_number": "customer_no", "national_id": "cpr"},
            "username",
        ),
        {
            "key": "newsletter",
            "name": "Newsletter",
            "connector": "http",
            "url": processor,
            "storage_country": "IE",
            "endpoints": {"lookup": "/subscribers?{identity_type}={value}"},
            "tables": [
                {
                    "name": "subscribers",
                    "identities": {"email": "email"},
                    "fields": [{"name": "name"}],
                }
            ],
        },
    ]
    return Policy.model_validate({**co.BASE, "systems": systems})


def _create(folder: Path) -> dict[str, str]:
    urls = {}
    for key, tables in DATABASES.items():
        url = f"sqlite:///{folder / key}.db"
        engine, md = sa.create_engine(url), sa.MetaData()
        for name, (columns, rows) in tables.items():
            table = sa.Table(
                name,
                md,
                sa.Column("id", sa.Integer, primary_key=True),
                *(sa.Column(col, sa.String(200)) for col in columns[1:]),
            )
            md.create_all(engine)
            with engine.begin() as c:
                c.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])
        engine.dispose()
        urls[key] = url
    return urls


@pytest.fixture
def lookups() -> list[tuple[str, str]]:
    """Every lookup the processor's API received: (identity type, value)."""
    return []


@pytest.fixture
def processor(lookups: list[tuple[str, str]]) -> Iterator[str]:
    async def subscribers(request: Request) -> JSONResponse:
        ((kind, value),) = request.query_params.items()
        lookups.append((kind, value))
        return JSONResponse({"records": [s for s in SUBSCRIBERS if s.get(kind) == value]})

    with serve(Starlette(routes=[Route("/subscribers", subscribers)])) as base:
        yield base


@pytest.fixture
def searched(tmp_path: Path, processor: str, settings: Settings) -> Discovery:
    """Ann's search, started from her e-mail address."""
    policy = _policy(_create(tmp_path), processor)
    steward = {  # where the manual systems keep their tasks and mail their owners
        "STEWARD_DATABASE_URL": settings.database_url,
        "STEWARD_SECRET_KEY": settings.secret_key,
        "STEWARD_DATA_DIR": str(settings.data_dir),
    }
    systems = Systems(policy, env=steward, pooled=False)
    try:
        return discover(policy, systems, {"email": [ANN]})
    finally:
        systems.close()


def _ids(found: Discovery) -> dict[str, dict[str, list[int]]]:
    return {
        key: {t: sorted(int(r["id"]) for r in rows) for t, rows in records.tables.items()}
        for key, records in found.records.items()
    }


def test_the_search_follows_ann_through_three_rounds(searched: Discovery) -> None:
    # Round 1: the CRM by e-mail (C-1001), the newsletter; round 2: the portal by C-1001 (both
    # of Ann's logins, her CPR and C-3003); round 3: the pension plan by CPR, and the CRM again
    # for C-3003, which finds nothing new, so the search ends.
    assert searched.rounds == 3
    assert _ids(searched) == {
        "support": {},
        "crm": {"customers": [1]},
        "newsletter": {"subscribers": [7]},
        "portal": {"logins": [1, 2]},
        "pension": {"members": [1]},
    }
    assert searched.identities == {
        "email": [ANN],
        "customer_number": ["C-1001", "C-3003"],
        "national_id": [ANN_CPR],
    }
    assert searched.found_systems() == ["crm", "newsletter", "portal", "pension"]


def test_a_system_that_cannot_be_searched_holds_nobody_else_back(
    searched: Discovery, settings: Settings
) -> None:
    assert searched.not_searched == {
        "ledger": "system 'ledger': a manual system's url is mailto:<the owner's e-mail address>",
        "paper": "waiting for the owner of paper to answer its search task "
        "(GDPR Art. 15(1): not searched until then)",
        "archive": "system 'archive' has no table 'ledger_2019'",
    }
    mails = [m for m in list_outbox(settings) if m.to == OWNER]
    assert [m.subject for m in mails] == ["Privacy request: please answer for Paper archive"]


def test_the_processor_is_asked_for_ann_once(
    searched: Discovery, lookups: list[tuple[str, str]]
) -> None:
    # Rounds 2 and 3 bring no new e-mail address: asking again would only send Ann's address
    # to the processor once more.
    assert lookups == [("email", ANN)]
