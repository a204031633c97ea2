"""The cookie banner speaks from the translation catalogs: the dialog's texts in Danish and
Swedish are the catalog's (written here by hand), and the loader served to the company's site
carries, for each language, the hash of exactly the notice the dialog fetches, so a decision
made in any language is accepted."""

from __future__ import annotations

import re

import pytest
from tests.helpers import make_client

from steward.consent import banner

DANISH = {
    "title": "Cookies på dette website",
    "accept": "Accepter alle",
    "reject": "Afvis alle",
    "choose": "Vælg",
    "save": "Gem valg",
    "always": "Altid slået til",
    "settings": "Cookieindstillinger",
    "withdraw": (
        "Du kan altid ændre eller trække dit valg tilbage under \u201cCookieindstillinger\u201d."
    ),
}
SWEDISH = {
    "title": "Kakor på den här webbplatsen",
    "accept": "Godkänn alla",
    "reject": "Avvisa alla",
    "save": "Spara val",
    "services": "Tjänster",
    "settings": "Kakinställningar",
}


@pytest.mark.parametrize(("lang", "expected"), [("da", DANISH), ("sv", SWEDISH)])
def test_dialog_texts_come_from_the_catalog(sqlite_engine, tmp_path, lang, expected):  # type: ignore[no-untyped-def]
    client = make_client(sqlite_engine, tmp_path)
    cfg = client.get(f"/consent/config.json?lang={lang}").json()
    assert cfg["lang"] == lang
    texts = cfg["content"]["texts"]
    for key, text in expected.items():
        assert texts[key] == text, key
    assert "Accept all" not in texts.values() and "Cookies on this site" not in texts.values()


def test_an_unknown_language_gets_english(sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    client = make_client(sqlite_engine, tmp_path)
    cfg = client.get("/consent/config.json?lang=fr-CA").json()
    assert cfg["lang"] == "en"
    assert cfg["content"]["texts"]["accept"] == "Accept all"


def test_the_loader_carries_each_languages_notice_hash(sqlite_engine, tmp_path):  # type: ignore[no-untyped-def]
    client = make_client(sqlite_engine, tmp_path)
    loader = client.get("/consent/banner.js").text
    hashes = dict(re.findall(r'"(en|da|nb|sv)":"([0-9a-f]{64})"', loader))
    assert sorted(hashes) == ["da", "en", "nb", "sv"]
    for lang, sha in hashes.items():
        assert client.get(f"/consent/config.json?lang={lang}").json()["sha"] == sha, lang
    assert len(set(hashes.values())) == 4  # four different texts, four notices


def test_the_banner_keeps_no_dictionary_of_its_own() -> None:
    # Its texts are the catalogs' (one table of English msgids), not a per-language dict.
    assert set(banner.UI.english) >= {"title", "body", "accept", "reject", "exempt"}
    assert banner.ui_languages()[0] == "en" and {"da", "nb", "sv"} <= set(banner.ui_languages())
