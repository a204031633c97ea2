"""The announcement of a new purpose, as the person reads it (GDPR Art. 13(3), Art. 14(4):
before the processing starts, the purpose and the information of Art. 13(2)).

Each text is written here once, in English, and translated in the catalogs (steward.i18n); the
policy may reword any of them (`texts:`). A mail goes out in the person's language when the
policy offers it and a catalog exists for it; otherwise in the policy's default language, or
English. Placeholders are `str.format` fields.
"""

from __future__ import annotations

from typing import Any

from steward import i18n
from steward.i18n import N_
from steward.policy.models import Policy

# `TEXTS[lang][key]`: every text in one language (English, and each language with a catalog).
TEXTS = i18n.Texts(
    {
        "subject_added": N_("{controller}: a new purpose from {date}"),
        "subject_widened": N_("{controller}: a change in how we use your data from {date}"),
        "intro_added": N_(
            "We are writing to tell you, before we start, that from {date} "
            "{controller} will also process personal data about you for a new "
            "purpose (GDPR Art. 13(3) and 14(4)):"
        ),
        "intro_widened": N_(
            "We are writing to tell you, before it happens, that from {date} "
            "{controller} will widen how your data is used for this purpose "
            "(GDPR Art. 13(3) and 14(4)):"
        ),
        "basis": N_("Legal basis: {bases}."),
        "object": N_(
            "You may object to this processing at any time (GDPR Art. 21); if "
            "you object before {date}, we will not start it for you."
        ),
        "object_link": N_("Object with one click: {link}"),
        "object_contact": N_("To object, write to {contact} or use {center}."),
        "notice": N_("The privacy notice with this change: {link}"),
    }
)

# The legal bases by their Art. 6(1) letter, as the announcement names them.
BASES = i18n.Texts(
    {
        "a": N_("your consent (Art. 6(1)(a))"),
        "b": N_("a contract with you (Art. 6(1)(b))"),
        "c": N_("a legal obligation (Art. 6(1)(c))"),
        "d": N_("vital interests (Art. 6(1)(d))"),
        "e": N_("a task in the public interest (Art. 6(1)(e))"),
        "f": N_("our legitimate interests (Art. 6(1)(f))"),
    }
)


def language(policy: Policy, wanted: str | None) -> str:
    """`wanted` when the policy offers it and a catalog exists; else the default, or English."""
    if wanted and wanted in policy.policy.languages and wanted in TEXTS:
        return wanted
    default = policy.policy.default_language
    return default if default in TEXTS else "en"


def text(lang: str, key: str, *, policy: Policy | None = None, **fields: Any) -> str:
    """One text in `lang` with its placeholders filled; with `policy`, its own wording wins."""
    with i18n.language(lang, policy.texts if policy is not None else None):
        return TEXTS.text(lang, key).format(**fields)
