"""The notices a breach needs, rendered from the register.

- `authority_notice`: the Art. 33 notification for one supervisory authority, its content in
  the order of Art. 33(3)(a)-(d), in the authority's language (`notice_texts.py`), as
  Markdown/plain text to paste into the authority's form or as JSON; each phase sent is kept
  with its time and content (Art. 33(4)). The deadline is the policy's promise (72 hours at
  most, Art. 33(1)).
- `subject_letter`: the Art. 34 letter to the people affected, in plain language with the
  content of Art. 34(2) (= Art. 33(3)(b)-(d)), in their language where the policy has it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from steward import i18n
from steward.breaches.notice_texts import number, texts
from steward.breaches.register import deadline_of
from steward.breaches.tables import Breach
from steward.i18n import N_
from steward.legal.breach_clock import NOTIFICATION_HOURS, to_local
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
    language: str = "en"
    title: str = "Personal data breach notification"

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def to_markdown(self) -> str:
        out = [f"# {self.title} — {self.authority_name}", ""]
        out += [f"- {line}" for line in self.header]
        for s in self.sections:
            out += ["", f"## {s.heading} ({s.article})", ""]
            out += s.lines or ["—"]
        return "\n".join(out) + "\n"

    def to_text(self) -> str:
        out = [f"{self.title.upper()} — {self.authority_name}", ""]
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


def category_labels(policy: Policy, keys: list[str], lang: str = "en") -> dict[str, str]:
    """What each sensitive category is, from the policy's flags: a special category (Art. 9(1),
    e.g. health) and a national identification number (Art. 87) are different things, and a
    notice names each for what it is."""
    t = texts(lang)
    out: dict[str, str] = {}
    for cat in policy.data_categories:
        if cat.key not in keys:
            continue
        kinds = [t[flag] for flag, on in (("special", cat.special),
                                          ("national_id", cat.national_id)) if on]
        if kinds:
            out[cat.key] = "; ".join(kinds)
    return out


def authority_notice(
    policy: Policy, row: Breach, country: str, *, phase: str = "initial",
    late_reason: str | None = None, now: datetime | None = None, lang: str | None = None,
) -> AuthorityNotice:
    """The Art. 33 notification of `row` for the authority of `country` (from the policy), in
    the authority's language (`Authority.language`) unless `lang` is given."""
    auth = policy.authority(country)
    lang = lang or auth.language
    t = texts(lang)
    art = t["art"]
    now = (now or datetime.now(UTC)).astimezone(UTC)
    aware = as_utc(row.aware_at)
    assert aware is not None
    hours = policy.breaches.notify_within_hours
    deadline = deadline_of(policy, aware)
    c = policy.controller
    deadline_label = t["deadline"].format(hours=hours)
    if hours < NOTIFICATION_HOURS:
        deadline_label = f"{deadline_label[:-1]}; {t['promise']})"
    header = [
        f"{t['controller']}: {c.name}, {c.address.street}, {c.address.postal_code} "
        f"{c.address.city}, {c.address.country}"
        + (f" ({c.registration.scheme} {c.registration.number})" if c.registration else ""),
        t["reference"].format(id=row.id, version=row.version),
        f"{t['phase']}: {t['phases'].get(phase, phase)}"
        + (f" ({t['follows']})" if phase == "initial" else f" ({art} 33(4))"),
        f"{t['aware']}: {_local(aware, auth.timezone)}",
        f"{deadline_label}: {_local(deadline, auth.timezone)}",
    ]
    if row.occurred_at:
        header.append(f"{t['occurred']}: {_local(as_utc(row.occurred_at), auth.timezone)}")
    late = late_reason or None
    if now > deadline and late:
        header.append(f"{t['late']}: {late}")
    cats = _names(policy, policy.data_categories, row.data_categories, lang)
    # Label each recorded sensitive category by what it is (Art. 9(1) or Art. 87), from the
    # policy; a category the policy no longer flags keeps no label.
    labels = category_labels(policy, list(row.special_categories or []), lang)
    cat_lines = [
        f"  - {name}" + (f" — {labels[key]}" if key in labels else "")
        for key, name in zip(row.data_categories, cats, strict=True)
    ]
    unknown = t["unknown"]
    natures = ", ".join(t["natures"].get(n, n) for n in row.nature or [])
    nature = [
        row.description,
        "",
        f"{t['type']}: {natures or unknown}",
        f"{t['discovered']}: {row.discovery_source}",
    ]
    if row.processor_key:
        when = as_utc(row.processor_reported_at)
        who = _processor_name(policy, row.processor_key)
        nature.append(t["processor"].format(who=who)
                      + (f", {_local(when, auth.timezone)}" if when else "")
                      + f" ({art} 33(2))")
    systems = ", ".join(_names(policy, policy.systems, row.systems, lang))
    subjects = ", ".join(_names(policy, policy.subject_categories, row.subject_categories, lang))
    nature += [
        f"{t['systems']}: {systems or unknown}",
        f"{t['subjects']}: {subjects or unknown}",
        f"{t['subjects_n']}: {_num(row.subjects_approx, lang)}",
        f"{t['data']}:" if cat_lines else f"{t['data']}: {unknown}",
        *cat_lines,
        f"{t['records_n']}: {_num(row.records_approx, lang)}",
    ]
    contact = [x for x in (row.contact_name, row.contact_email, row.contact_phone) if x]
    sections = [
        Section("a", t["a"], f"{art} 33(3)(a)", nature),
        Section("b", t["b"], f"{art} 33(3)(b)", contact),
        Section("c", t["c"], f"{art} 33(3)(c)", _para(row.consequences, unknown)),
        Section("d", t["d"], f"{art} 33(3)(d)",
                [t["taken"], *_para(row.measures_taken, unknown), t["proposed"],
                 *_para(row.measures_proposed, unknown)]),
    ]
    return AuthorityNotice(row.id, country, auth.name, auth.breach_channel, auth.breach_url,
                           phase, now.isoformat(), header, sections, lang, t["title"])


def _processor_name(policy: Policy, key: str) -> str:
    """The name of a processor or sub-processor (the key when the policy no longer has it)."""
    for p in policy.processors:
        if p.key == key:
            return p.name
        for sub in p.sub_processors:
            if sub.key == key:
                return f"{sub.name} (sub-processor of {p.name})"
    return key


def _num(n: int | None, lang: str = "en") -> str:
    t = texts(lang)
    return str(t["unknown"]) if n is None else str(t["about"]).format(n=number(n, lang))


def _para(text: str | None, unknown: str = "not yet known") -> list[str]:
    return [line for line in (text or "").splitlines()] or [unknown]


# --- Art. 34: the letter to people ------------------------------------------------------------

# Written in English, translated in the catalogs (steward.i18n); the policy may reword them.
_LETTER = i18n.Texts({
    "subject": N_("Important: a personal data breach at {controller}"),
    "hello": N_("Dear customer,"),
    "intro": N_("We are writing to tell you about a security incident at {controller} that "
                "involves your personal data. We are telling you because it may put you at "
                "risk, and the law (GDPR Article 34) asks us to tell you directly."),
    "what": N_("What happened"),
    "consequences": N_("What this may mean for you"),
    "measures": N_("What we have done, and what we will do"),
    "contact": N_("Who to contact"),
    "contact_text": N_("If you have questions, contact {contact}."),
    "complaint": N_("You can also complain to the data protection authority: {authority}."),
    "sign": N_("Kind regards,\n{controller}"),
})


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
    with i18n.language(lang, policy.texts):
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
