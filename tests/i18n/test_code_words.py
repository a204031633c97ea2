"""Codes shown as words: the console prints how a consent decision was taken and a
processor's transfer safeguard in the reader's language (Danish, Swedish), not the codes the
ledger and the policy store (`api`, `checkbox`, `scc`). The JSON the API returns keeps the codes.
The expected words are written here by hand."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from tests.helpers import PROMARK, login, settings_for

from steward.consent import apikeys
from steward.consent.subjects import email_ref
from steward.policy.loader import load_policy
from steward.store.db import make_sessionmaker, transaction
from steward.web.app import create_app

WORDS = {
    "da": {
        "api": "registreret via API&#39;et",
        "checkbox": "afkrydsningsfelt i en formular",
        "scc": "standardkontraktbestemmelser (GDPR art. 46(2)(c))",
        "eea": "inden for EU/EØS",
        "bcr": "bindende virksomhedsregler (GDPR art. 47)",
    },
    "sv": {
        "api": "registrerat via API:et",
        "checkbox": "kryssruta i ett formulär",
        "scc": "standardavtalsklausuler (GDPR art. 46(2)(c))",
        "eea": "inom EU/EES",
        "bcr": "bindande företagsbestämmelser (GDPR art. 47)",
    },
}


@pytest.fixture
def client(sqlite_engine: sa.Engine, tmp_path: Path) -> TestClient:
    """ProMark's console, published in English, Danish and Swedish, with two decisions for one
    person: given by a form's checkbox, withdrawn through the API."""
    policy = load_policy(PROMARK)
    meta = policy.policy.model_copy(update={"languages": ["en", "da", "sv"]})
    app = create_app(
        settings_for(sqlite_engine, tmp_path),
        policy=policy.model_copy(update={"policy": meta}),
        engine=sqlite_engine,
    )
    c = TestClient(app, base_url="https://testserver")
    with transaction(make_sessionmaker(sqlite_engine)) as s:
        key = apikeys.create(s, name="crm", actor="test")[1]
    for action, method in (("given", "checkbox"), ("withdrawn", "api")):
        r = c.post(
            "/api/consent/events",
            headers={"Authorization": f"Bearer {key}"},
            json={
                "subject": "ida.lund@example.com",
                "purpose": "newsletter",
                "action": action,
                "method": method,
                "language": "da",
            },
        )
        assert r.status_code < 300, r.text
    return c


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_consent_method_in_words(client: TestClient, sqlite_engine: sa.Engine, lang: str) -> None:
    csrf = login(client, sqlite_engine, "officer")
    client.get(f"/console/consent?lang={lang}")
    page = client.post(
        "/console/consent/subject", data={"q": "ida.lund@example.com", "csrf_token": csrf}
    ).text
    assert f'<html lang="{lang}"' in page
    for code in ("checkbox", "api"):
        # the words, with the code beside them for whoever searches the ledger
        assert f"<td>{WORDS[lang][code]} <code>{code}</code>" in page, code
        assert f"<td>{code}</td>" not in page and f"<td>{code} /" not in page
    ref = email_ref(client.app.state.settings.resolved_secret_key(), "ida.lund@example.com")
    proof = client.get(f"/console/consent/proof?ref={ref}&format=html").text
    assert f"<dd>{WORDS[lang]['checkbox']} (<code>checkbox</code>)" in proof
    assert "<dd>checkbox" not in proof
    # The machine-readable proof keeps the code.
    doc = client.get(f"/console/consent/proof?ref={ref}&format=json").json()
    assert {r["collection_method"] for r in doc["consent_records"]} == {"checkbox", "api"}


@pytest.mark.parametrize("lang", ["da", "sv"])
def test_transfer_mechanism_in_words(
    client: TestClient, sqlite_engine: sa.Engine, lang: str
) -> None:
    login(client, sqlite_engine, "officer")
    page = client.get(f"/console/processors?lang={lang}").text
    assert f" / {WORDS[lang]['eea']}</td>" in page
    assert " / eea</td>" not in page and " / scc</td>" not in page
    for code in ("eea", "scc", "bcr"):
        assert f'<option value="{code}">{WORDS[lang][code]}</option>' in page
        assert f'<option value="{code}">{code}</option>' not in page
