"""Translations: one gettext catalog per language, chosen per request or per letter.

Texts in code and templates are written in English and marked with `_()` (templates) or
`gettext()` (Python). The catalogs live in `steward/i18n/locale/<lang>/LC_MESSAGES/steward.po`
and are read with Babel when first used; a language without a catalog, or a text missing from
it, falls back to the English text. The language in force is a context variable: the web app
sets it for each request, and a letter or a mail is rendered inside `language(lang)`.
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel.messages.pofile import read_po

DOMAIN = "steward"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("steward_language", default=DEFAULT)


class _Catalog(_gettext.NullTranslations):
    """A catalog read from a .po file: fuzzy and empty entries are left out (English shows)."""

    def __init__(self, path: Path) -> None:
        super().__init__()
        with path.open("rb") as f:
            catalog = read_po(f, domain=DOMAIN)
        self._singular: dict[str, str] = {}
        self._plural: dict[str, tuple[str, ...]] = {}
        for message in catalog:
            if not message.id or message.fuzzy or not message.string:
                continue
            if isinstance(message.id, tuple):
                forms = tuple(message.string)
                if all(forms):
                    self._plural[str(message.id[0])] = forms
            else:
                self._singular[str(message.id)] = str(message.string)
        self._rule = _gettext.c2py(catalog.plural_expr)

    def gettext(self, message: str) -> str:
        return self._singular.get(message, message)

    def ngettext(self, msgid1: str, msgid2: str, n: int) -> str:
        forms = self._plural.get(msgid1)
        if forms is None:
            return msgid1 if n == 1 else msgid2
        index = self._rule(n)
        return forms[index] if index < len(forms) else forms[-1]


def available() -> tuple[str, ...]:
    """The languages that have a catalog, English first (it needs none)."""
    found = sorted(
        p.name for p in LOCALE_DIR.iterdir() if (p / "LC_MESSAGES" / f"{DOMAIN}.po").is_file()
    )
    return (DEFAULT, *(lang for lang in found if lang != DEFAULT))


@cache
def translations(lang: str) -> _gettext.NullTranslations:
    """The catalog of `lang` ("da", "nb", ...); English (the texts as written) for any other."""
    path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
    if lang == DEFAULT or not path.is_file():
        return _gettext.NullTranslations()
    return _Catalog(path)


def current() -> str:
    """The language in force for this request, letter or mail."""
    return _current.get()


@contextmanager
def language(lang: str | None) -> Iterator[str]:
    """Render inside this block in `lang` (None or an unknown language: English)."""
    chosen = lang if lang in available() else DEFAULT
    token = _current.set(chosen)
    try:
        yield chosen
    finally:
        _current.reset(token)


def gettext(message: str) -> str:
    """`message` in the language in force."""
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural text for `n`, in the language in force."""
    return translations(_current.get()).ngettext(singular, plural, n)


_ = gettext
