"""The language of each page: chosen per request (`?lang=`, cookie, Accept-Language, the
policy's default), always a valid `<html lang>`, a visible switch, the policy's own wording."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from tests.helpers import PROMARK, make_client
from tests.web.access_matrix import MATRIX_TEXT

from steward.errors import PolicyError
from steward.policy.loader import load_policy

HTML_LANG = re.compile(r'<html lang="([^"]*)"')
# BCP 47 (RFC 5646) language tags as Steward writes them: a 2-3 letter language subtag and an
# optional region.
BCP47 = re.compile(r"^[a-z]{2,3}(-[A-Z]{2})?$")


def _policy_dir(tmp_path: Path, languages: str, texts: str | None = None) -> Path:
    """ProMark's policy with other published languages (and optionally a `texts:` file)."""
    folder = tmp_path / "policy"
    shutil.copytree(PROMARK, folder)
    meta = folder / "policy.yaml"
    text = meta.read_text(encoding="utf-8")
    assert text.count("  languages: [en, da]\n") == 1
    meta.write_text(
        text.replace("  languages: [en, da]\n", f"  languages: {languages}\n"), encoding="utf-8"
    )
    if texts is not None:
        (folder / "texts.yaml").write_text(texts, encoding="utf-8")
    return folder


def _public_pages() -> list[str]:
    """Every public GET route of the hand-written access matrix (a path parameter filled with
    a value that names nothing: its error page is a public page too)."""
    paths = []
    for line in MATRIX_TEXT.splitlines():
        parts = line.split()
        if len(parts) == 4 and parts[0] == "GET" and parts[2] == "public":
            paths.append(re.sub(r"\{[^}]+\}", "nothing-here", parts[1]))
    assert "/privacy" in paths and "/privacy/requests" in paths
    return paths


def _lang(html: str) -> str:
    found = HTML_LANG.search(html)
    assert found, html[:200]
    return found.group(1)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [(None, "en"), ("da-DK,da;q=0.9", "da"), ("nb-NO", "en"), ("fr-FR", "en")],
)
def test_every_public_page_has_a_valid_html_lang(
    sqlite_engine: Engine, tmp_path: Path, accept: str | None, expected: str
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    headers = {"accept-language": accept} if accept else {}
    seen = 0
    for path in _public_pages():
        r = client.get(path, headers={**headers, "accept": "text/html"}, follow_redirects=True)
        if not r.headers.get("content-type", "").startswith("text/html"):
            continue
        seen += 1
        lang = _lang(r.text)
        assert BCP47.match(lang), (path, lang)
        # ProMark publishes in English (first: its default) and Danish
        assert lang == expected, (path, r.status_code, lang)
    assert seen >= 12


def test_a_choice_is_remembered_and_an_unknown_language_falls_back(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    r = client.get("/privacy?lang=da")
    assert _lang(r.text) == "da" and "Dine rettigheder, og hvordan du bruker dem" not in r.text
    assert "Dine rettigheder, og hvordan du bruger dem" in r.text  # the notice's heading
    assert "steward_lang=da" in r.headers["set-cookie"]
    assert "SameSite=Lax" in r.headers["set-cookie"] and "Path=/" in r.headers["set-cookie"]
    # the next page, without ?lang=, stays Danish, even when the browser says English
    r = client.get("/privacy/requests", headers={"accept-language": "en"})
    assert _lang(r.text) == "da"
    # an unknown language asked for explicitly: the policy's default, nothing remembered
    r = client.get("/privacy?lang=xx")
    assert _lang(r.text) == "en" and "set-cookie" not in r.headers
    r = client.get("/privacy?lang=en")
    assert _lang(r.text) == "en" and "steward_lang=en" in r.headers["set-cookie"]


def test_the_request_form_has_a_language(sqlite_engine: Engine, tmp_path: Path) -> None:
    # It was served as <html lang="None">.
    client = make_client(sqlite_engine, tmp_path)
    assert _lang(client.get("/privacy/requests").text) == "en"
    assert _lang(client.get("/privacy/requests?lang=da").text) == "da"


def test_the_switch_links_to_this_page_in_each_published_language(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client = make_client(sqlite_engine, tmp_path, policy=_policy_dir(tmp_path, "[da, en, nb, sv]"))
    html = client.get("/privacy/preferences?token=&lang=sv").text
    switch = html[html.index('class="language-switch"') :]
    switch = switch[: switch.index("</nav>")]
    links = re.findall(r'<a href="([^"]+)" lang="([a-z]+)"', switch)
    assert links == [
        ("/privacy/preferences?token=&amp;lang=da", "da"),
        ("/privacy/preferences?token=&amp;lang=en", "en"),
        ("/privacy/preferences?token=&amp;lang=nb", "nb"),
        ("/privacy/preferences?token=&amp;lang=sv", "sv"),
    ]
    assert ">Dansk<" in switch and ">English<" in switch and ">Norsk bokmål<" in switch
    assert 'lang="sv" hreflang="sv" aria-current="true">Svenska<' in switch
    # the console has no switch: an officer's own browser decides
    assert 'class="language-switch"' not in client.get("/console/login").text


def test_notice_headings_in_norwegian_and_swedish(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path, policy=_policy_dir(tmp_path, "[da, en, nb, sv]"))
    # no preference at all: the policy's first language, here Danish
    da = client.get("/privacy").text
    assert _lang(da) == "da" and "Dine rettigheder, og hvordan du bruger dem" in da
    nb = (
        TestClient(client.app, base_url="https://testserver")
        .get("/privacy", headers={"accept-language": "nb-NO,nb;q=0.9,no;q=0.8"})
        .text
    )
    assert _lang(nb) == "nb"
    for heading in (
        "Dine rettigheter, og hvordan du bruker dem",
        "Hvor lenge vi oppbevarer personopplysningene dine",
        "Personvernerklæring",
    ):  # the menu
        assert heading in nb, heading
    sv = client.get("/privacy?lang=sv").text
    for heading in (
        "Dina rättigheter och hur du använder dem",
        "Hur länge vi sparar dina personuppgifter",
        "Integritetspolicy",
    ):
        assert heading in sv, heading
    # The policy's own texts stay as it writes them: ProMark has no Swedish title, so its
    # default language's (Danish) shows.
    assert "<title>Privatlivspolitik · ProMark A/S</title>" in sv


def test_error_pages_speak_the_language_and_problems_keep_english_titles(
    sqlite_engine: Engine, tmp_path: Path
) -> None:
    client = make_client(sqlite_engine, tmp_path)
    page = client.get("/privacy/versions/99999", headers={"accept-language": "da"})
    assert page.status_code == 404 and _lang(page.text) == "da"
    assert "404 · Ikke fundet" in page.text and "Send en anmodning om dine oplysninger" in page.text
    api = client.get("/api/requests/nothing", headers={"accept-language": "da"})
    assert api.headers["content-type"].startswith("application/problem+json")
    assert api.json()["title"] in ("Not found", "Unauthorized")


TEXTS = """\
texts:
  da:
    "Make a request about your data": "Skriv til os om dine data"
    "Your rights and how to use them": "Sådan bruger du dine rettigheder <b>nu</b>"
  en:
    "Privacy notice": "Our <i>privacy</i> notice"
"""


def test_the_policy_rewords_any_text(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path, policy=_policy_dir(tmp_path, "[en, da]", TEXTS))
    en = client.get("/privacy").text
    # the company's text is text, never markup, in the pages' templates too
    assert ">Our &lt;i&gt;privacy&lt;/i&gt; notice</a>" in en
    assert "Your rights and how to use them" in en
    da = client.get("/privacy?lang=da").text
    # the notice's heading, escaped: the company's text is text, never markup
    assert "Sådan bruger du dine rettigheder &lt;b&gt;nu&lt;/b&gt;" in da
    assert ">Privatlivspolitik</a>" in da  # no Danish override: the catalog
    err = client.get("/privacy/versions/99999?lang=da").text
    assert "Skriv til os om dine data" in err


def test_an_override_of_an_unknown_text_is_a_line_numbered_error(tmp_path: Path) -> None:
    texts = TEXTS + '    "Privacy notise": "Typo"\n'
    with pytest.raises(PolicyError) as info:
        load_policy(_policy_dir(tmp_path, "[en, da]", texts))
    [problem] = info.value.problems
    assert str(tmp_path / "policy" / "texts.yaml:7:") in problem, problem
    assert "no text 'Privacy notise' to override" in problem


def test_an_override_must_keep_the_placeholders(tmp_path: Path) -> None:
    texts = 'texts:\n  sv:\n    "Version %(version)s": "Utgåva"\n'
    with pytest.raises(PolicyError) as info:
        load_policy(_policy_dir(tmp_path, "[en, da]", texts))
    [problem] = info.value.problems
    assert str(tmp_path / "policy" / "texts.yaml:") in problem, problem
    assert "must keep its placeholders ['version']" in problem
