"""The translation catalogs: every text marked in code and templates has a translation in
every catalog (extracted here with Babel, as `scripts/translations.py check` does), and the
tooling keeps entries added by hand."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog

from steward import i18n

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))
import translations  # noqa: E402


@pytest.fixture(scope="module")
def extracted() -> Catalog:
    return translations.extract()


def test_every_text_is_translated_in_every_catalog(extracted: Catalog) -> None:
    problems = translations.check(extracted)
    assert problems == [], "\n".join(
        problems[:40] + ["run `python scripts/translations.py update`, translate, then check"]
    )


def test_the_catalogs_are_danish_norwegian_and_swedish() -> None:
    assert set(translations.catalog_paths()) == {"da", "nb", "sv"}
    assert i18n.available() == ("en", "da", "nb", "sv")


def test_extraction_finds_texts_in_python_templates_and_marks(extracted: Catalog) -> None:
    ids = {m.id for m in extracted}
    where = {m.id: {loc for loc, _ in m.locations} for m in extracted if m.id}
    # a template's _(), a Python N_() mark, a Jinja _() with a placeholder
    assert "src/steward/web/templates/center/layout.html" in where["Privacy notice"]
    assert "src/steward/policy/labels.py" in where["Your rights and how to use them"]
    assert "Version %(version)s" in ids
    assert "Please confirm: {titles}" in ids  # consent mail (consent/mailtexts.py)


def _copy_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    locales = tmp_path / "locale"
    shutil.copytree(translations.LOCALES, locales)
    monkeypatch.setattr(translations, "LOCALES", locales)
    return locales


def _drop_entry(po: Path, msgid: str) -> None:
    chunks = po.read_text(encoding="utf-8").split("\n\n")
    kept = [c for c in chunks if f'msgid "{msgid}"' not in c]
    assert len(kept) == len(chunks) - 1, f"{msgid!r} not found once in {po}"
    po.write_text("\n\n".join(kept), encoding="utf-8")


def test_a_missing_or_empty_translation_is_reported(
    extracted: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    locales = _copy_catalogs(tmp_path, monkeypatch)
    _drop_entry(locales / "nb" / "LC_MESSAGES" / "steward.po", "Privacy notice")
    sv = locales / "sv" / "LC_MESSAGES" / "steward.po"
    sv.write_text(
        sv.read_text(encoding="utf-8").replace(
            'msgid "Newsletter"\nmsgstr "Nyhetsbrev"', 'msgid "Newsletter"\nmsgstr ""'
        ),
        encoding="utf-8",
    )
    da = locales / "da" / "LC_MESSAGES" / "steward.po"
    da.write_text(
        da.read_text(encoding="utf-8").replace(
            'msgstr "Version %(version)s"', 'msgstr "Version %(versjon)s"', 1
        ),
        encoding="utf-8",
    )
    problems = translations.check(extracted)
    assert any(p.startswith("nb: missing: 'Privacy notice'") for p in problems), problems
    assert any(p.startswith("sv: untranslated: 'Newsletter'") for p in problems), problems
    assert any(p.startswith("da: placeholders differ: 'Version %(version)s'") for p in problems), (
        problems
    )
    assert len(problems) == 3, problems


def test_update_keeps_entries_added_by_hand(
    extracted: Catalog, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Engineers append their entries at the end of a catalog, in any order, sometimes twice
    # (the first empty, the second translated): update puts them in place, keeps the
    # translation, and check is then clean.
    locales = _copy_catalogs(tmp_path, monkeypatch)
    da = locales / "da" / "LC_MESSAGES" / "steward.po"
    _drop_entry(da, "Privacy notice")
    with da.open("a", encoding="utf-8") as f:
        f.write(
            '\n#: somewhere.py\nmsgid "Privacy notice"\nmsgstr ""\n'
            "\n#: src/steward/web/templates/center/layout.html\n"
            'msgid "Privacy notice"\nmsgstr "Privatlivspolitik"\n'
            '\n#: src/steward/web/future.py\nmsgid "A text whose code is not merged yet"\n'
            'msgstr "En tekst, hvis kode endnu ikke er flettet"\n'
        )
    translations.update(extracted)
    text = da.read_text(encoding="utf-8")
    assert text.count('msgid "Privacy notice"') == 1
    assert 'msgid "Privacy notice"\nmsgstr "Privatlivspolitik"' in text
    # kept as obsolete (#~), not lost: it comes back when its code arrives
    assert '#~ msgid "A text whose code is not merged yet"' in text
    assert translations.check(extracted) == []
    assert text.startswith("# Danish translations for Steward.")
