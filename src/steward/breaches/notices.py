"""The notices a breach needs, rendered from the register.

- `authority_notice`: the Art. 33 notification for one supervisory authority, its content in
  the order of Art. 33(3)(a)-(d), as Markdown/plain text to paste into the authority's form or
  as JSON; each phase sent is kept with its time and content (Art. 33(4)).
- `subject_letter`: the Art. 34 letter to the people affected, in plain language with the
  content of Art. 34(2) (= Art. 33(3)(b)-(d)), in their language where the policy has it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from steward.breaches.tables import Breach
from steward.legal.breach_clock import breach_deadline, to_local
from steward.policy.models import Policy
from steward.store.db import as_utc


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    article: str
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AuthorityNotice:
    breach_id: int
    authority: str
    authority_name: str
    channel: str
    url: str | None
    phase: str
    generated_at: str
    header: list[str]
    sections: list[Section]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        out = [f"# Personal data breach notification — {self.authority_name}", ""]
        out += [f"- {line}" for line in self.header]
        for s in self.sections:
            out += ["", f"## {s.heading} ({s.article})", ""]
            out += s.lines or ["—"]
        return "\n".join(out) + "\n"

    def to_text(self) -> str:
        out = [f"PERSONAL DATA BREACH NOTIFICATION — {self.authority_name}", ""]
        out += self.header
        for s in self.sections:
            out += ["", f"{s.heading.upper()} ({s.article})"]
            out += s.lines or ["-"]
        return "\n".join(out) + "\n"


def _local(dt: datetime, tz: str) -> str:
    return to_local(dt, tz).strftime("%Y-%m-%d %H:%M %Z (UTC%z)")


def _names(policy: Policy, items: list[Any], keys: list[str], lang: str) -> list[str]:
    by_key = {i.key: policy.text(i.name, lang) for i in items}
    return [by_key.get(k, k) for k in keys]


def authority_notice(
    policy: Policy, row: Breach, country: str, *, phase: str = "initial",
    late_reason: str | None = None, now: datetime | None = None,
) -> AuthorityNotice:
    """The Art. 33 notification of `row` for the authority of `country` (from the policy)."""
    auth = policy.authority(country)
    lang = "en"
    now = (now or datetime.now(UTC)).astimezone(UTC)
    aware = as_utc(row.aware_at)
    assert aware is not None
    deadline = breach_deadline(aware)
    c = policy.controller
    header = [
        f"Controller: {c.name}, {c.address.street}, {c.address.postal_code} {c.address.city}, "
        f"{c.address.country}"
        + (f" ({c.registration.scheme} {c.registration.number})" if c.registration else ""),
        f"Our reference: breach {row.id}, version {row.version}",
        f"Phase: {phase}" + (" (further information follows, Art. 33(4))"
                             if phase == "initial" else " (Art. 33(4))"),
        f"Became aware: {_local(aware, auth.timezone)}",
        f"72-hour deadline (Art. 33(1)): {_local(deadline, auth.timezone)}",
    ]
    if row.occurred_at:
        header.append(f"Breach occurred: {_local(as_utc(row.occurred_at), auth.timezone)}")
    late = late_reason or None
    if now > deadline and late:
        header.append(f"Reasons for the delay (Art. 33(1)): {late}")
    cats = _names(policy, policy.data_categories, row.data_categories, lang)
    special = set(row.special_categories or [])
    cat_lines = [
        f"  - {name}" + (" — special category / national identification number" if key in special
                         else "")
        for key, name in zip(row.data_categories, cats, strict=True)
    ]
    nature = [
        row.description,
        "",
        f"Type of breach: {', '.join(row.nature) if row.nature else 'not yet known'}",
        f"Discovered through: {row.discovery_source}",
    ]
    if row.processor_key:
        when = as_utc(row.processor_reported_at)
        who = _processor_name(policy, row.processor_key)
        nature.append(f"Reported to us by our processor {who}"
                      + (f" at {_local(when, auth.timezone)}" if when else "")
                      + " (Art. 33(2))")
    nature += [
        "Systems affected: "
        + (", ".join(_names(policy, policy.systems, row.systems, lang)) or "not yet known"),
        "Categories of data subjects: "
        + (", ".join(_names(policy, policy.subject_categories, row.subject_categories, lang))
           or "not yet known"),
        f"Approximate number of data subjects: {_num(row.subjects_approx)}",
        "Categories of personal data:" if cat_lines else "Categories of personal data: "
        "not yet known",
        *cat_lines,
        f"Approximate number of personal data records: {_num(row.records_approx)}",
    ]
    contact = [x for x in (row.contact_name, row.contact_email, row.contact_phone) if x]
    sections = [
        Section("a", "Nature of the breach", "Art. 33(3)(a)", nature),
        Section("b", "Data protection officer or other contact point", "Art. 33(3)(b)",
                contact),
        Section("c", "Likely consequences", "Art. 33(3)(c)", _para(row.consequences)),
        Section("d", "Measures taken or proposed", "Art. 33(3)(d)",
                ["Taken:", *_para(row.measures_taken), "Proposed:",
                 *_para(row.measures_proposed)]),
    ]
    return AuthorityNotice(row.id, country, auth.name, auth.breach_channel, auth.breach_url,
                           phase, now.isoformat(), header, sections)


def _processor_name(policy: Policy, key: str) -> str:
    """The name of a processor or sub-processor (the key when the policy no longer has it)."""
    for p in policy.processors:
        if p.key == key:
            return p.name
        for sub in p.sub_processors:
            if sub.key == key:
                return f"{sub.name} (sub-processor of {p.name})"
    return key


def _num(n: int | None) -> str:
    return "not yet known" if n is None else f"about {n:,}"


def _para(text: str | None) -> list[str]:
    return [line for line in (text or "").splitlines()] or ["not yet known"]


# --- Art. 34: the letter to people ------------------------------------------------------------

_LETTER: dict[str, dict[str, str]] = {
    "en": {
        "subject": "Important: a personal data breach at {controller}",
        "hello": "Dear customer,",
        "intro": "We are writing to tell you about a security incident at {controller} that "
                 "involves your personal data. We are telling you because it may put you at "
                 "risk, and the law (GDPR Article 34) asks us to tell you directly.",
        "what": "What happened",
        "consequences": "What this may mean for you",
        "measures": "What we have done, and what we will do",
        "contact": "Who to contact",
        "contact_text": "If you have questions, contact {contact}.",
        "complaint": "You can also complain to the data protection authority: {authority}.",
        "sign": "Kind regards,\n{controller}",
    },
    "da": {
        "subject": "Vigtigt: brud på persondatasikkerheden hos {controller}",
        "hello": "Kære kunde,",
        "intro": "Vi skriver for at fortælle dig om en sikkerhedshændelse hos {controller}, "
                 "som omfatter dine personoplysninger. Vi fortæller dig det, fordi det kan "
                 "udgøre en risiko for dig, og loven (databeskyttelsesforordningens artikel 34) "
                 "kræver, at vi underretter dig direkte.",
        "what": "Hvad er der sket",
        "consequences": "Hvad det kan betyde for dig",
        "measures": "Hvad vi har gjort, og hvad vi vil gøre",
        "contact": "Hvem du kan kontakte",
        "contact_text": "Har du spørgsmål, så kontakt {contact}.",
        "complaint": "Du kan også klage til tilsynsmyndigheden: {authority}.",
        "sign": "Med venlig hilsen\n{controller}",
    },
}


def letter_language(policy: Policy, wanted: str | None) -> str:
    """`wanted` if the policy offers it and a letter exists in it, else the policy's default
    language (or English)."""
    offered = policy.policy.languages
    if wanted and wanted in offered and wanted in _LETTER:
        return wanted
    default = policy.policy.default_language
    return default if default in _LETTER else "en"


def subject_letter(policy: Policy, row: Breach, lang: str | None = None) -> tuple[str, str]:
    """(subject line, plain-text body) of the Art. 34 letter in `lang` (with fallback)."""
    lang = letter_language(policy, lang)
    t = _LETTER[lang]
    c = policy.controller
    contact = ", ".join(x for x in (row.contact_name, row.contact_email, row.contact_phone) if x)
    auth = policy.authorities.get(c.complaint_authority or c.lead_authority)
    parts = [
        t["hello"], "",
        t["intro"].format(controller=c.name), "",
        t["what"], row.description, "",
        t["consequences"], row.consequences or "-", "",
        t["measures"], *(x for x in (row.measures_taken, row.measures_proposed) if x), "",
        t["contact"], t["contact_text"].format(contact=contact or c.name),
    ]
    if auth is not None:
        parts.append(t["complaint"].format(authority=f"{auth.name}, {auth.website}"))
    parts += ["", t["sign"].format(controller=c.name)]
    return t["subject"].format(controller=c.name), "\n".join(parts) + "\n"
