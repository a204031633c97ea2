"""Translations: one gettext catalog per language, chosen per request or per letter.

Texts in code and templates are written in English and marked with `_()` (templates) or
`gettext()` (Python). The catalogs live in `steward/i18n/locale/<lang>/LC_MESSAGES/steward.po`
and are read with Babel when first used; a language without a catalog, or a text missing from
it, falls back to the English text. The language in force is a context variable: the web app
sets it for each request, and a letter or a mail is rendered inside `language(lang)`.

A policy may override any text per language (`texts:` in the policy): the overrides given as
`language(lang, policy.texts)` win over the catalog. `N_()` marks a text for extraction where it is
defined (a table of labels) and `gettext()` translates it where it is shown.
"""

from __future__ import annotations

import gettext as _gettext
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.pofile import read_po

DOMAIN = "steward"
LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"

_current: ContextVar[str] = ContextVar("steward_language", default=DEFAULT)
_NO_TEXTS: Mapping[str, str] = {}
_NO_OVERRIDES: Mapping[str, Mapping[str, str]] = {}
# The policy's own wording (`texts:`): language -> msgid -> text, for every language at once,
# so a block rendered in another language (a mail in the person's language) finds its own.
_overrides: ContextVar[Mapping[str, Mapping[str, str]]] = ContextVar(
    "steward_text_overrides", default=_NO_OVERRIDES
)


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
    return _available()


@cache
def _available() -> tuple[str, ...]:
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


@cache
def known_msgids() -> frozenset[str]:
    """Every text the catalogs translate (singular ids and plural ids): what a policy may
    override. The catalog test keeps each catalog complete, so any one of them would do; the
    union tolerates a catalog that lags behind."""
    ids: set[str] = set()
    for lang in available():
        if lang == DEFAULT:
            continue
        with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po").open("rb") as f:
            for message in read_po(f, domain=DOMAIN):
                if isinstance(message.id, tuple):
                    ids.update(str(i) for i in message.id)
                elif message.id:
                    ids.add(str(message.id))
    return frozenset(ids)


def current() -> str:
    """The language in force for this request, letter or mail."""
    return _current.get()


def is_language(lang: object) -> bool:
    """A two-letter ISO 639-1 code, lower case: what a policy declares, a valid BCP 47 tag."""
    return (
        isinstance(lang, str)
        and len(lang) == 2
        and lang.isascii()
        and lang.isalpha()
        and lang.islower()
    )


@contextmanager
def language(
    lang: str | None, texts: Mapping[str, Mapping[str, str]] | None = None
) -> Iterator[str]:
    """Render inside this block in `lang` (None or not a language code: English). `texts` are
    the policy's overrides (language -> msgid -> text), winning over the catalogs; without
    them, the overrides already in force stay. A language without a catalog is kept (the
    policy's own texts may exist in it) and shows Steward's texts in English."""
    chosen = lang if lang is not None and is_language(lang) else DEFAULT
    token = _current.set(chosen)
    otoken = _overrides.set(texts) if texts is not None else None
    try:
        yield chosen
    finally:
        if otoken is not None:
            _overrides.reset(otoken)
        _current.reset(token)


def override(message: str) -> str | None:
    """The policy's own wording of `message` in the language in force, if it gives one."""
    return _overrides.get().get(_current.get(), _NO_TEXTS).get(message) or None


@cache
def autonym(lang: str) -> str:
    """A language's name in itself ("Dansk", "Norsk bokmål"), for the language switch."""
    try:
        name = Locale.parse(lang).get_display_name(lang) or lang
    except (ValueError, UnknownLocaleError):
        return lang
    return name[:1].upper() + name[1:]


def gettext(message: str) -> str:
    """`message` in the language in force (the policy's override first)."""
    own = override(message)
    if own:
        return own
    return translations(_current.get()).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural text for `n`, in the language in force. An override of a plural
    text replaces both forms' msgids: `singular` for n == 1, `plural` otherwise."""
    own = override(singular if n == 1 else plural)
    if own:
        return own
    return translations(_current.get()).ngettext(singular, plural, n)


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def placeholders(text: str) -> frozenset[str]:
    """The named placeholders of a text: `%(name)s` (templates) and `{name}` (str.format)."""
    return frozenset(a or b for a, b in _PLACEHOLDER.findall(text))


def N_(message: str) -> str:
    """Mark `message` for the catalog where it is defined; `gettext` it where it is shown."""
    return message


_ = gettext


class Texts(Mapping[str, dict[str, str]]):
    """A table of texts by key, written in English and marked with `N_()`: `table[lang]` is
    every text in `lang` (the policy's overrides in force, then the catalog). Its languages
    are the ones with a catalog, English first."""

    def __init__(self, english: dict[str, str]) -> None:
        self.english = english

    def __getitem__(self, lang: str) -> dict[str, str]:
        if lang not in available():
            raise KeyError(lang)
        with language(lang):
            return {key: gettext(text) for key, text in self.english.items()}

    def __iter__(self) -> Iterator[str]:
        return iter(available())

    def __len__(self) -> int:
        return len(available())

    def text(self, lang: str, key: str) -> str:
        """One text in `lang`."""
        with language(lang):
            return gettext(self.english[key])
