"""The announcement of a new purpose, as the person reads it (GDPR Art. 13(3), Art. 14(4):
before the processing starts, the purpose and the information of Art. 13(2)).

Texts are data: a language is added by adding an entry. A mail goes out in the person's
language when the policy offers it and an entry exists; otherwise in the policy's default
language, or English. Placeholders are `str.format` fields.
"""

from __future__ import annotations

from steward.policy.models import Policy

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "subject_added": "{controller}: a new purpose from {date}",
        "subject_widened": "{controller}: a change in how we use your data from {date}",
        "intro_added": "We are writing to tell you, before we start, that from {date} "
                       "{controller} will also process personal data about you for a new "
                       "purpose (GDPR Art. 13(3) and 14(4)):",
        "intro_widened": "We are writing to tell you, before it happens, that from {date} "
                         "{controller} will widen how your data is used for this purpose "
                         "(GDPR Art. 13(3) and 14(4)):",
        "basis": "Legal basis: {bases}.",
        "object": "You may object to this processing at any time (GDPR Art. 21); if you "
                  "object before {date}, we will not start it for you.",
        "object_link": "Object with one click: {link}",
        "object_contact": "To object, write to {contact} or use {center}.",
        "notice": "The privacy notice with this change: {link}",
    },
    "da": {
        "subject_added": "{controller}: et nyt formål fra {date}",
        "subject_widened": "{controller}: en ændring i brugen af dine oplysninger fra {date}",
        "intro_added": "Vi skriver for at fortælle dig, før vi begynder, at {controller} fra "
                       "{date} også vil behandle personoplysninger om dig til et nyt formål "
                       "(GDPR art. 13, stk. 3, og art. 14, stk. 4):",
        "intro_widened": "Vi skriver for at fortælle dig, før det sker, at {controller} fra "
                         "{date} udvider brugen af dine oplysninger til dette formål "
                         "(GDPR art. 13, stk. 3, og art. 14, stk. 4):",
        "basis": "Retsgrundlag: {bases}.",
        "object": "Du kan til enhver tid gøre indsigelse mod behandlingen (GDPR art. 21); "
                  "gør du indsigelse før {date}, begynder vi den ikke for dig.",
        "object_link": "Gør indsigelse med ét klik: {link}",
        "object_contact": "Skriv til {contact} eller brug {center} for at gøre indsigelse.",
        "notice": "Privatlivspolitikken med ændringen: {link}",
    },
}

BASES = {
    "en": {"a": "your consent (Art. 6(1)(a))", "b": "a contract with you (Art. 6(1)(b))",
           "c": "a legal obligation (Art. 6(1)(c))", "d": "vital interests (Art. 6(1)(d))",
           "e": "a task in the public interest (Art. 6(1)(e))",
           "f": "our legitimate interests (Art. 6(1)(f))"},
    "da": {"a": "dit samtykke (art. 6, stk. 1, litra a)",
           "b": "en kontrakt med dig (art. 6, stk. 1, litra b)",
           "c": "en retlig forpligtelse (art. 6, stk. 1, litra c)",
           "d": "vitale interesser (art. 6, stk. 1, litra d)",
           "e": "en opgave i samfundets interesse (art. 6, stk. 1, litra e)",
           "f": "vores legitime interesser (art. 6, stk. 1, litra f)"},
}


def language(policy: Policy, wanted: str | None) -> str:
    """`wanted` when the policy offers it and a text exists; else the default, or English."""
    if wanted and wanted in policy.policy.languages and wanted in TEXTS:
        return wanted
    default = policy.policy.default_language
    return default if default in TEXTS else "en"


def text(lang: str, key: str, **fields: object) -> str:
    return TEXTS[lang][key].format(**fields)
