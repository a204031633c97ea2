"""Render the public privacy notice (Arts. 13-14) from a policy, as HTML or Markdown.

`render_notice(policy, lang=..., fmt="html"|"md")` returns an HTML fragment (to embed in a page)
or Markdown; `render_notice_page` a standalone HTML page. Headings and fixed phrases are
`labels.LABELS`, translated through the catalogs (steward.i18n) or the policy's own `texts:`;
the company's texts come from the policy, falling back to its default language, then English.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from functools import cache
from pathlib import Path
from typing import Any, Literal

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from steward import i18n
from steward.errors import InvalidInput
from steward.legal import articles
from steward.policy.completeness import derivable_requirement, objection_applies
from steward.policy.crossrefs import EEA
from steward.policy.labels import LABELS
from steward.policy.models import LegalBasis, Policy, Purpose, Right, Text, TransferMechanism

TEMPLATES = Path(__file__).parent / "templates"
REQUESTS_PATH = "/privacy/requests"

# GDPR articles of each right (shown next to it in every language).
RIGHT_ARTICLES = {
    Right.access: articles.ART_15,
    Right.rectification: articles.ART_16,
    Right.erasure: articles.ART_17,
    Right.restriction: articles.ART_18,
    Right.portability: articles.ART_20,
    Right.objection: articles.ART_21,
    Right.automated_decisions: articles.ART_22,
}


@cache
def _env(html: bool) -> Environment:
    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=html,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def legal_basis_text(bases: list[LegalBasis], word_and: str = "and", gdpr: str = "GDPR") -> str:
    """`GDPR Art. 6(1)(b) and (f)` for the letters given."""
    letters = [f"({b.value})" for b in sorted(bases, key=lambda b: b.value)]
    joined = letters[0]
    if len(letters) > 1:
        joined = f"{', '.join(letters[:-1])} {word_and} {letters[-1]}"
    return f"{gdpr} Art. 6(1){joined}"


def format_date(
    day: date, lang: str, overrides: Mapping[str, Mapping[str, str]] | None = None
) -> str:
    """`20 February 2020` (en), `20. februar 2020` (da)."""
    lab = _Labels(lang, overrides)
    month = lab.get("months")[day.month - 1]
    return str(lab.get("date_format")).format(day=day.day, month=month, year=day.year)


class _Labels:
    """The notice's labels in one language (the policy's overrides first, then the catalog)."""

    def __init__(
        self, lang: str, overrides: Mapping[str, Mapping[str, str]] | None = None
    ) -> None:
        self.lang = lang
        self.overrides = overrides

    def get(self, key: str) -> Any:
        with i18n.language(self.lang, self.overrides):
            return _translated(LABELS[key])


def _translated(value: Any) -> Any:
    if isinstance(value, str):
        return i18n.gettext(value)
    if isinstance(value, list):
        return [_translated(v) for v in value]
    return {k: _translated(v) for k, v in value.items()}


def notice_context(policy: Policy, lang: str | None = None) -> dict[str, Any]:
    """Everything the templates show, resolved to `lang` (plain strings, lists and dicts)."""
    lang = lang or policy.policy.default_language
    lab = _Labels(lang, policy.texts)

    def t(value: Text | None) -> str:
        if isinstance(value, dict) and lang not in value and "en" in value:
            # Fallback order: requested language, policy default, English.
            return value.get(policy.policy.default_language) or value["en"]
        return policy.text(value, lang)

    def country(code: str) -> str:
        return str(lab.get("countries").get(code, code))

    c = policy.controller
    subjects = {s.key: t(s.name) for s in policy.subject_categories}
    general: list[dict[str, Any]] = []
    sensitive: list[dict[str, Any]] = []
    for cat in policy.data_categories:
        notes = []
        if cat.special:
            notes.append(lab.get("special_category"))
        if cat.national_id:
            notes.append(lab.get("national_id"))
        if cat.only_subjects:
            who = ", ".join(subjects.get(s, s).lower() for s in cat.only_subjects)
            notes.append(f"{lab.get('only_about')} {who}")
        item = {"name": t(cat.name), "notes": notes, "description": t(cat.description)}
        (sensitive if cat.special or cat.national_id else general).append(item)

    def requirement(p: Purpose) -> str:
        # Art. 13(2)(e): the policy's statement, or the one its single legal basis implies.
        if p.requirement is not None:
            r = p.requirement
            return " ".join([lab.get(f"req_{r.kind}"),
                             lab.get("req_obliged" if r.obliged else "req_not_obliged"),
                             t(r.consequences)])
        if not derivable_requirement(p.legal_bases):
            return ""
        basis = p.legal_bases[0]
        kind = {LegalBasis.contract: "contract_entry"}.get(basis, "voluntary")
        return " ".join([lab.get(f"req_{kind}"), lab.get("req_not_obliged"),
                         lab.get(f"req_derived_{basis.value}")])

    purposes = []
    for i, p in enumerate(policy.purposes, 1):
        purposes.append({
            "number": i,
            "title": t(p.title),
            "description": t(p.description),
            "examples": [t(x) for x in p.examples],
            "situations": [{"title": t(s.title), "text": t(s.text)} for s in p.situations],
            "foundation": legal_basis_text(p.legal_bases, lab.get("and"), lab.get("gdpr")),
            "interests": [t(x) for x in p.legitimate_interests],
            "art9": f"{lab.get('art9')} Art. 9(2)({p.art9_condition.value})"
            if p.art9_condition else "",
            "notes": [t(x) for x in p.notes],
            "requirement": requirement(p),
        })

    rights = [
        {"text": lab.get(f"right_{r.value}"), "article": RIGHT_ARTICLES[r]}
        for r in policy.rights.offered
    ]
    processors = [
        {
            "name": p.name, "service": p.service, "country": country(p.country),
            "safeguard": lab.get(f"mechanism_{p.transfer_mechanism.value}"),
            "subs": [
                {"name": s.name, "service": s.service, "country": country(s.country),
                 "safeguard": lab.get(f"mechanism_{s.transfer_mechanism.value}")}
                for s in p.sub_processors
            ],
        }
        for p in policy.processors
    ]
    # Art. 77 and 13(2)(d): the authority of every country where people live (the policy's
    # authorities), the lead authority (Art. 56) named; the complaint reference stays as written.
    authorities = [
        {"name": a.name, "website": a.website, "country": country(cc),
         "lead": cc == c.lead_authority}
        for cc, a in sorted(policy.authorities.items(),
                            key=lambda item: (item[0] != c.lead_authority, item[0]))
    ]
    transfers = [
        lab.get("transfer_to").format(recipient=who, country=country(cc),
                                      safeguard=lab.get(f"mechanism_{mech.value}"))
        + (f" ({doc})" if doc else "")
        for who, cc, mech, doc in _transfers(policy)
    ]
    authority = None
    if c.complaint_authority and c.complaint_authority in policy.authorities:
        a = policy.authorities[c.complaint_authority]
        authority = {"name": a.name, "website": a.website, "phone": a.phone or "",
                     "complaint_url": a.complaint_url or ""}
    cookies = [
        {
            "title": t(cat.title), "description": t(cat.description),
            # statistics without consent are shown always on, as the banner shows them
            "required": cat.required or bool(
                policy.analytics and policy.analytics.without_consent
                and policy.analytics.banner_category == cat.key),
            "services": [
                {"name": s.name, "provider": s.provider or "", "cookies": s.cookies,
                 "identifies": s.identifies_persons, "description": t(s.description)}
                for s in cat.services
            ],
        }
        for cat in policy.consent.cookies.categories
    ]
    n = policy.notice
    data_names = {d.key: t(d.name) for d in policy.data_categories}
    sources: dict[tuple[str, bool], list[str]] = {}
    for act in policy.processing_activities:
        for src in act.indirect_sources:
            names = sources.setdefault((t(src.source), src.publicly_accessible), [])
            names += [data_names.get(k, k) for k in src.data_categories
                      if data_names.get(k, k) not in names]
    objection = None
    if objection_applies(policy):
        objection = {
            # Art. 21(1): purposes on Art. 6(1)(e)/(f); 21(2): direct marketing.
            "situation": [t(p.title) for p in policy.purposes if {
                LegalBasis.public_task, LegalBasis.legitimate_interests} & set(p.legal_bases)],
            "marketing": [t(cp.title) for cp in policy.consent.purposes if cp.direct_marketing],
            "statement": t(n.objection_statement),
        }
    return {
        "lang": lang,
        "l": {k: lab.get(k) for k in LABELS},
        "title": t(policy.policy.title),
        "intro": t(n.intro),
        "controller": {
            "name": c.name, "street": c.address.street,
            "postal_city": f"{c.address.postal_code} {c.address.city}",
            "country": lab.get("countries").get(c.address.country, c.address.country),
            "registration": f"{c.registration.scheme} {c.registration.number}"
            if c.registration else "",
            "phone": c.phone or "", "email": c.email or "", "website": c.website or "",
        },
        "general_data": general,
        "sensitive_data": sensitive,
        "purposes": purposes,
        "new_purposes_statement": t(n.new_purposes_statement),
        "rights": rights,
        "rights_statement": t(policy.rights.statement),
        "rights_extension": lab.get("rights_extension").format(
            months=policy.rights.extension_months
        ) if policy.rights.extension_months else "",
        "rights_ask": lab.get("rights_ask") if policy.rights.may_ask_for_information else "",
        "automated_statement": t(policy.rights.automated_decisions_statement),
        # Art. 13(2)(c): consent can be withdrawn, wherever a purpose relies on it.
        "withdraw_consent": lab.get("withdraw_consent") if any(
            LegalBasis.consent in p.legal_bases for p in policy.purposes) else "",
        "requests_path": REQUESTS_PATH,
        "processors_statement": t(n.processors_statement),
        "processors": processors,
        "transfers": transfers,
        "transfer_copy": t(n.transfer_safeguards_copy),
        "sources": [{"source": k[0], "public": k[1], "data": v} for k, v in sources.items()],
        "objection": objection,
        "authorities": authorities,
        "retention_statement": t(n.retention_statement),
        "retention_rules": [t(r.description) for r in policy.retention_rules],
        "breach_promise": t(policy.breaches.promise),
        "breach_deadline": lab.get("breaches_deadline").format(
            hours=policy.breaches.notify_within_hours
        ),
        "authority": authority,
        "email_note": t(n.email_security_note),
        "cookies_statement": t(n.cookies_statement),
        "cookies": cookies,
        "analytics": _analytics(policy, lab, t),
        "extra_sections": [{"title": t(s.title), "text": t(s.text)} for s in n.extra_sections],
        "effective": lab.get("effective").format(
            date=format_date(policy.policy.effective, lang, policy.texts)
        ),
        "closing": [t(x) for x in n.closing],
    }


def _analytics(policy: Policy, lab: _Labels, t: Any) -> dict[str, str] | None:
    """The visitor-statistics paragraph: Art. 13(1)(c)-(d) names the purpose, the legal basis
    and, for Art. 6(1)(f), the interest pursued; signals honoured and retention (Art. 13(2)(a))."""
    a = policy.analytics
    if a is None:
        return None
    signals = a.honour_dnt or a.honour_gpc
    # Whether the statistics need consent is the policy's reading of the national rules under
    # ePrivacy Art. 5(3); the notice says which, as the banner shows it.
    cat = next((c for c in policy.consent.cookies.categories if c.key == a.banner_category), None)
    consent = ""
    if cat is not None:
        consent = lab.get("analytics_without_consent" if a.without_consent else
                          "analytics_with_consent").format(category=t(cat.title))
    return {
        "title": lab.get("analytics"),
        "basis": lab.get("analytics_basis").format(
            sites=", ".join(t(s.name) for s in a.sites), interest=t(a.interest)),
        "what": lab.get("analytics_what"),
        "retention": lab.get("analytics_retention").format(months=a.retention_months),
        "signals": lab.get("analytics_signals") if signals else "",
        "consent": consent,
    }


def _transfers(policy: Policy) -> list[tuple[str, str, TransferMechanism, str | None]]:
    """(recipient, country, mechanism, document) of each transfer outside the EU/EEA: the
    processors' and sub-processors', and the activities' own; an activity's transfer to a
    country a processor already covers only adds its document (as the Art. 30 record does)."""
    out: list[list[Any]] = []
    for p in policy.processors:
        if p.country not in EEA:
            out.append([p.name, p.country, p.transfer_mechanism, None])
        out += [[s.name, s.country, s.transfer_mechanism, None]
                for s in p.sub_processors if s.country not in EEA]
    for act in policy.processing_activities:
        for tr in act.transfers:
            if tr.country in EEA:
                continue
            same = [row for row in out if row[1] == tr.country]
            if not same:
                out.append([tr.recipient or "", tr.country, tr.mechanism, tr.document])
            elif tr.document and same[0][3] is None:
                same[0][3] = tr.document
    return [(str(a), str(b), c, d) for a, b, c, d in out]


def render_notice(
    policy: Policy, *, lang: str | None = None, fmt: Literal["html", "md"] = "html"
) -> str:
    """The notice as an HTML fragment (no <html>) or as Markdown."""
    if fmt not in ("html", "md"):
        raise InvalidInput(f"unknown notice format {fmt!r}: use html or md")
    ctx = notice_context(policy, lang)
    name = "notice.html.j2" if fmt == "html" else "notice.md.j2"
    return _env(fmt == "html").get_template(name).render(**ctx)


def render_notice_page(policy: Policy, *, lang: str | None = None) -> str:
    """A standalone HTML page holding the notice."""
    ctx = notice_context(policy, lang)
    ctx["fragment"] = render_notice(policy, lang=lang, fmt="html")
    return _env(True).get_template("notice_page.html.j2").render(**ctx)
