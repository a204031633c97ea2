"""GDPR Art. 15(4): the copy of the data "shall not adversely affect the rights and freedoms of
others"; Art. 15(1),(3): the subject gets their own data, all of it.

Whose data a field is comes from the policy (`FieldSpec.about`):
- `subject`: handed over whole;
- `others`: about other people (a care worker's notes about the people visited): left out of
  the copy, the value replaced by a note saying so;
- `both` (and, when unset, every free-text field): identity numbers, e-mail addresses and phone
  numbers that are not the subject's own are replaced by a type tag (`[EMAIL]`, `[DK_CPR]`).

The subject's own identity values stay readable: every value the search found (e-mails, phones,
customer and national identity numbers), the identifiers in fields about the subject alone,
and a national identity number that text found through the subject introduces as the writer's
own ("My CPR number is ...", "Mit CPR-nummer er ..."). `prepare_copy` says exactly what was
masked and left out, per table, field and kind, in counts only (never values).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from steward.policy.models import FieldSpec, Policy
from steward.scanner import NATIONAL_ID_TYPES, Operator, redact, scan_and_redact
from steward.scanner.engine import UnscannableText
from steward.scanner.findings import CONTACT_TYPES, Finding

TYPES = frozenset(NATIONAL_ID_TYPES | CONTACT_TYPES)
_SEPARATORS = " -.+()/"
WITHHELD = "[withheld: could not be checked for other people's data, GDPR Art. 15(4)]"
LEFT_OUT = "[left out: this field is about other people, GDPR Art. 15(4)]"
# A national identity number the writer introduces as their own, right before the number:
# "my CPR number is", "mit CPR-nummer er", "mitt personnummer är", "fødselsnummeret mitt er".
# "my colleague's CPR is" does not match: the label must follow the possessive directly.
_ID_LABEL = (
    r"(?:cpr|personnummer|personnr|f[øo]dselsnummer|f[øo]dselsnr|national id|"
    r"national identity|national insurance|social security|hetu|henkil[öo]tunnus)"
)
_OWN_CUE = re.compile(
    r"(?:\b(?:my|mit|mitt|min)\s+" + _ID_LABEL + r"(?:[-. ]?(?:nummer|number|nr|no)\.?)?"
    r"|\b(?:cpr-nummeret|personnummeret|f[øo]dselsnummeret)\s+mitt)"
    r"\s*(?:is|er|är|ar|on|:)?\s*:?\s*$",
    re.IGNORECASE,
)
CUE_WINDOW = 60
PHONE_TAIL = 8  # national numbers: +45 12 34 56 78 and 12345678 are the same phone


def _token(value: str) -> str:
    return "".join(c for c in value if c not in _SEPARATORS).upper()


class OwnIdentities:
    """The subject's identity values, normalised for comparison with what the scanner finds."""

    def __init__(self, values: Iterable[str]) -> None:
        self.emails: set[str] = set()
        self.tokens: set[str] = set()
        for v in values:
            v = str(v).strip()
            if not v:
                continue
            if "@" in v:
                self.emails.add(v.casefold())
            else:
                self.tokens.add(_token(v))
        self.tails = {t[-PHONE_TAIL:] for t in self.tokens if t.isdigit() and len(t) >= 8}

    def owns(self, finding: Finding, text: str) -> bool:
        value = finding.excerpt(text)
        if finding.type == "EMAIL":
            return value.strip().casefold() in self.emails
        token = _token(value)
        if token in self.tokens:
            return True
        return (
            finding.type == "PHONE"
            and token.isdigit()
            and len(token) >= 8
            and token[-PHONE_TAIL:] in self.tails
        )


    def add(self, values: Iterable[str]) -> None:
        more = OwnIdentities(values)
        self.emails |= more.emails
        self.tokens |= more.tokens
        self.tails |= more.tails


def own_identities(identity_maps: Iterable[Mapping[str, Iterable[str]]]) -> OwnIdentities:
    return OwnIdentities(v for m in identity_maps for vs in m.values() for v in vs)


def _findings(text: str) -> Sequence[Finding] | None:
    try:
        return scan_and_redact(text, Operator.TAG, types=TYPES).findings
    except UnscannableText:
        return None


def claimed_ids(text: str) -> list[str]:
    """National identity numbers that `text` introduces as the writer's own."""
    out = []
    for f in _findings(text) or []:
        if f.type in NATIONAL_ID_TYPES and _OWN_CUE.search(
            text[max(0, f.start - CUE_WINDOW) : f.start]
        ):
            out.append(f.excerpt(text))
    return out


def identifiers(text: str) -> list[str]:
    """Every identity number, e-mail address and phone number in `text`."""
    return [f.excerpt(text) for f in _findings(text) or []]


def redact_text(text: str, own: OwnIdentities) -> tuple[str, int]:
    """`text` with other people's identifiers tagged; returns (text, how many were tagged).
    A value that cannot be scanned (binary, oversized) is withheld: it cannot be shown to be
    free of other people's data."""
    out, kinds = redact_text_kinds(text, own)
    return out, sum(kinds.values())


def redact_text_kinds(text: str, own: OwnIdentities) -> tuple[str, Counter[str]]:
    """`redact_text` with the count per kind (`DK_CPR`, `EMAIL`, ...; `WITHHELD`)."""
    out, kinds, _ = _redact(text, own)
    return out, kinds


def _redact(text: str, own: OwnIdentities) -> tuple[str, Counter[str], int]:
    """(text, other people's identifiers tagged per kind, the subject's own left readable)."""
    try:
        result = scan_and_redact(text, Operator.TAG, types=TYPES)
    except UnscannableText:
        return WITHHELD, Counter({"WITHHELD": 1}), 0
    others = [f for f in result.findings if not own.owns(f, text)]
    kinds = Counter(f.type for f in others)
    mine = len(result.findings) - len(others)
    if not mine:
        return result.text, kinds, 0
    return (redact(text, others, Operator.TAG) if others else text), kinds, mine


@dataclass
class CopyReport:
    """What the copy leaves out or masks, and why (counts only, no values).

    `masked`: (system, table, field) -> kind -> identifiers of other people tagged;
    `left_out`: (system, table, field) -> values left out (the field is about others);
    `own_kept`: how many of the subject's own identifiers in text stayed readable."""

    masked: dict[tuple[str, str, str], Counter[str]] = field(default_factory=dict)
    left_out: dict[tuple[str, str, str], int] = field(default_factory=dict)
    own_kept: int = 0

    def tagged_per_table(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for (system, table, _), kinds in self.masked.items():
            n = sum(kinds.values())
            if n:
                out[f"{system}.{table}"] = out.get(f"{system}.{table}", 0) + n
        return out

    def to_json(self) -> dict[str, Any]:
        """JSON-safe, for the request's result and the letter."""
        return {
            "masked": [
                {"system": s, "table": t, "field": f, "kinds": dict(sorted(k.items()))}
                for (s, t, f), k in sorted(self.masked.items())
                if sum(k.values())
            ],
            "left_out": [
                {"system": s, "table": t, "field": f, "values": n}
                for (s, t, f), n in sorted(self.left_out.items())
            ],
            "own_kept": self.own_kept,
        }


def _about(spec: FieldSpec) -> str:
    """`subject`, `others` or `both` as the policy says; unset: `both` for free text, else
    `plain` (about the subject, with nothing to check: identity columns are searched anyway)."""
    if spec.about is not None:
        return spec.about
    return "both" if spec.free_text else "plain"


def _text_fields(
    policy: Policy, data: Mapping[str, Mapping[str, list[dict[str, Any]]]]
) -> Iterable[tuple[str, str, list[dict[str, Any]], str, str]]:
    """(system, table, rows, field, about) for every field of the copy that needs a look."""
    for key, tables in data.items():
        spec = policy.system(key)
        for tspec in spec.tables:
            rows = tables.get(tspec.name)
            if not rows:
                continue
            for f in tspec.fields:
                about = _about(f)
                if about != "plain":
                    yield key, tspec.name, rows, f.name, about


def prepare_copy(
    policy: Policy,
    data: dict[str, dict[str, list[dict[str, Any]]]],
    own: OwnIdentities,
) -> CopyReport:
    """Make `data` (system -> table -> rows) fit to hand over, in place (Art. 15(4)):
    fields about others are left out, other people's identifiers in mixed fields are tagged.

    First the subject's own values are completed: identifiers in fields about the subject
    alone, and national identity numbers introduced as the writer's own in mixed fields."""
    report = CopyReport()
    fields = list(_text_fields(policy, data))
    for _, _, rows, name, about in fields:
        for row in rows:
            value = row.get(name)
            if not isinstance(value, str) or not value:
                continue
            if about == "subject":  # e.g. an employee's own notes, a national id column
                own.add(identifiers(value))
            elif about == "both":
                own.add(claimed_ids(value))
    for system, table, rows, name, about in fields:
        where = (system, table, name)
        for row in rows:
            value = row.get(name)
            if value is None or value == "":
                continue
            if about == "others":
                row[name] = LEFT_OUT
                report.left_out[where] = report.left_out.get(where, 0) + 1
            elif about == "both":
                row[name], kinds, mine = _redact(str(value), own)
                report.masked.setdefault(where, Counter()).update(kinds)
                report.own_kept += mine
    return report

