"""Why an erasure keeps a row, and the notes of an erasure plan, in the reader's language.

Where an erasure is planned (the connectors, the statutory keep, legal holds), a reason or a
note is written in English from one of the templates below (`say`) and stored so with the plan
and with the request's result. Where it is shown (the officer's console, the answer letter to
the data subject), `in_language` recognises the template it was made from and writes it again
in the language in force, with the same values (a statute's own name, a date, a table); a
value that is itself one of these texts is put in that language too. A text made otherwise (a
third party's connector, a stored plan from before a template changed) is shown as written.

The templates are the catalog's message ids: `scripts/translations.py update` finds them.
"""

from __future__ import annotations

import re
import string
from functools import cache
from typing import Any

from steward.i18n import N_, gettext

# Kept rows (GDPR Art. 17(3)). The first two are the statutory keep of a retention rule's law
# (`steward.requests.plan.keep_hook`), with and without a last day.
KEPT_BY_LAW_UNTIL = N_("GDPR Art. 17(3)(b): {law} until {date}")
KEPT_BY_LAW = N_("GDPR Art. 17(3)(b): {law}")
KEPT_BY_RULE = N_("kept under retention rule {rule} (Art. 17(3)(b))")
KEPT_BY_POLICY = N_("the policy keeps this table on erasure (erase: keep)")
KEPT_BY_HOLD = N_(
    "GDPR Art. 17(3)(e): kept under a legal hold placed on {date} (establishment, exercise or "
    "defence of legal claims); restricted, only stored"
)
# Notes of a plan: how many rows, then what happened to them and why.
NOTE = N_("{n} row(s) — {note}")
REWRITTEN = N_(
    "{table}: {why}: personal fields rewritten instead of deleting the row (Art. 17 erases "
    "the subject's data only)"
)
PINNED_BY_SUBJECT = N_("still pointed at by the subject's {tables} that stay")
POINTED_BY_SUBJECT = N_("still pointed at by {n} of the subject's row(s) in {table} that stay")
SHARED = N_("shared with {n} other row(s) in {table}")
MASKED_NOT_NULL = N_("{column}: NOT NULL, masked instead of emptied")
LEFT_NOT_NULL = N_("{column}: NOT NULL and not text, value left unchanged")

# Most specific first: a text is read by the first template it matches whole.
TEMPLATES = (
    KEPT_BY_LAW_UNTIL,
    KEPT_BY_HOLD,
    KEPT_BY_LAW,
    KEPT_BY_RULE,
    KEPT_BY_POLICY,
    NOTE,
    REWRITTEN,
    PINNED_BY_SUBJECT,
    POINTED_BY_SUBJECT,
    SHARED,
    MASKED_NOT_NULL,
    LEFT_NOT_NULL,
)


def say(template: str, **values: Any) -> str:
    """The English text of `template` with `values`: what is stored."""
    return template.format(**values)


def in_language(text: str) -> str:
    """`text` (made by `say`) in the language in force; as written when it was not."""
    for template, pattern in _patterns():
        found = pattern.fullmatch(text)
        if found is not None:
            values = {k: in_language(v) for k, v in found.groupdict().items()}
            return gettext(template).format(**values)
    return text


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((t, _pattern(t)) for t in TEMPLATES)


def _pattern(template: str) -> re.Pattern[str]:
    """The template as a regular expression: its text literal, each `{name}` a group."""
    parts: list[str] = []
    for literal, name, _spec, _conv in string.Formatter().parse(template):
        parts.append(re.escape(literal))
        if name is not None:
            parts.append(f"(?P<{name}>.+?)")
    return re.compile("".join(parts), re.DOTALL)

