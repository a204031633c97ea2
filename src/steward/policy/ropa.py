"""The record of processing activities (GDPR Art. 30) derived from the policy.

`ropa_rows(policy)` gives one row per processing activity with every Art. 30(1) item (a)-(g),
plus the legal basis (Art. 6(1)) and the Art. 9(2) condition; `ropa_processor_rows(policy)` the
Art. 30(2) record of processing done as a processor. `export_rows(rows, fields, fmt)` writes
either as CSV, XLSX or JSON bytes.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from typing import Any, Literal

from steward import i18n
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.policy.crossrefs import EEA
from steward.policy.labels import LABELS
from steward.policy.models import (
    Contact,
    LegalBasis,
    Policy,
    ProcessorRole,
    RetentionRule,
    ServedController,
    Text,
    TransferMechanism,
)
from steward.policy.render import legal_basis_text

Format = Literal["csv", "xlsx", "json"]

# (key, column heading): the order of the exported columns. The headings are translated into
# the language of the export (steward.i18n); the keys (JSON) stay as they are.
CONTROLLER_FIELDS: tuple[tuple[str, str], ...] = (
    ("activity", N_("Processing activity")),
    ("controller", N_("(a) Controller, name and contact details")),
    ("dpo", N_("(a) Data protection officer")),
    ("representative", N_("(a) Representative / joint controller")),
    ("purposes", N_("(b) Purposes of the processing")),
    ("legal_basis", N_("Legal basis (Art. 6(1))")),
    ("art9_condition", N_("Condition for special categories (Art. 9(2))")),
    ("data_subjects", N_("(c) Categories of data subjects")),
    ("data_categories", N_("(c) Categories of personal data")),
    ("recipients", N_("(d) Categories of recipients")),
    ("third_countries", N_("(d) Recipients in third countries")),
    ("transfers", N_("(e) Transfers to third countries and safeguards")),
    ("erasure_time_limits", N_("(f) Time limits for erasure")),
    ("security_measures", N_("(g) Technical and organisational security measures")),
    ("systems", N_("Systems")),
    ("sources", N_("Sources of the data")),
)
PROCESSOR_FIELDS: tuple[tuple[str, str], ...] = (
    ("role", N_("Processing as processor")),
    ("processor", N_("(a) Processor, name and contact details")),
    ("controller", N_("(a) Controller on whose behalf we act")),
    ("controller_contact", N_("(a) Controller's contact details")),
    ("controller_dpo", N_("(a) Controller's representative and data protection officer")),
    ("dpo", N_("(a) Data protection officer")),
    ("categories_of_processing", N_("(b) Categories of processing")),
    ("data_categories", N_("Categories of personal data")),
    ("systems", N_("Systems processed for the controller, and how its data is kept apart")),
    ("sub_processors", N_("Sub-processors")),
    ("transfers", N_("(c) Transfers to third countries and safeguards")),
    ("security_measures", N_("(d) Technical and organisational security measures")),
)
# The safeguard of a transfer (GDPR Chapter V), in the notice's words (`labels.py`), translated
# where a row is written; the policy's code (`scc`, `bcr`...) stays in the policy.
MECHANISMS = {m: LABELS[f"mechanism_{m.value}"] for m in TransferMechanism}
# "after <event>": what starts a retention period (`trigger.event`), for the record's
# Art. 30(1)(f) time limits.
AFTER_EVENT = {
    "relationship_ended": N_("after the relationship ended"),
    "process_completed": N_("after the process was completed"),
    "case_closed": N_("after the case was closed"),
    "collected": N_("after the data was collected"),
}
# (kind, counted to the end of the year?) -> how long; `{amount}` is "3 months", "1 year 6 months"
LIMITS = {
    ("maximum", False): N_("no later than {amount} {after}"),
    ("maximum", True): N_("no later than {amount} plus the current year {after}"),
    ("statutory", False): N_("at least {amount} {after}"),
    ("statutory", True): N_("at least {amount} plus the current year {after}"),
}
ACTIONS = {
    "delete": N_("{what}: deleted {when}"),
    "anonymize": N_("{what}: anonymized {when}"),
    "redact": N_("{what}: redacted {when}"),
    "null": N_("{what}: cleared {when}"),
}
COMPANY_CHOICE_WITHIN_STATUTE = N_(
    "the company's choice; within it, the storage country's bookkeeping act requires keeping "
    "it, Art. 17(3)(b)"
)
REQUIRED_BY_LAW = N_("required by law, Art. 17(3)(b)")
NONE = N_("none")
UNDETERMINED = N_("not determined")
# The record's own words around the policy's values, in the record's language.
NOT_DESIGNATED = N_("not designated")
NOT_RECORDED = N_("not recorded")
NO_DPO = N_("no DPO designated; privacy contact: {contact}")
INTERNAL = N_("internal: {who}")
THIRD_PARTY = N_("third party: {who}")
PROCESSOR = N_("processor: {name} ({service}, {country})")
SUB_PROCESSOR_OF = N_("{name}, sub-processor of {processor}")
RECIPIENT = N_("recipient")
REPRESENTATIVE = N_("representative: {contact}")
DPO = N_("DPO: {contact}")
ART9 = N_("Art. 9(2)({letter})")
OWN_DATABASE = N_("a database of its own")
TENANT_PER_TABLE = N_("tenant column per table")


def mechanism(mech: TransferMechanism, lang: str | None = None) -> str:
    """A transfer's safeguard in words, with its article, in `lang` (None: the language in
    force)."""
    return _words(lang, MECHANISMS[mech])[0]


def _words(lang: str | None, *messages: str) -> list[str]:
    """`messages` translated into `lang` (None: the language in force)."""
    if lang is None:
        return [i18n.gettext(m) for m in messages]
    with i18n.language(lang):
        return [i18n.gettext(m) for m in messages]


def _say(lang: str | None, template: str, **values: Any) -> str:
    """`template` in `lang` (None: the language in force), with `values` put in."""
    return _words(lang, template)[0].format(**values)


def _contact(c: Contact | None, lang: str | None = None) -> str:
    if c is None:
        return _say(lang, NOT_DESIGNATED)
    parts = [c.name, c.email, c.phone]
    if c.address:
        parts.append(f"{c.address.street}, {c.address.postal_code} {c.address.city}, "
                     f"{c.address.country}")
    return ", ".join(p for p in parts if p) or _say(lang, NOT_DESIGNATED)


def _dpo(policy: Policy, lang: str | None = None) -> str:
    c = policy.controller
    if c.dpo is not None:
        return _contact(c.dpo, lang)
    return _say(lang, NO_DPO, contact=_contact(c.privacy_contact, lang))


def controller_contact(policy: Policy) -> str:
    c = policy.controller
    parts = [c.name, f"{c.address.street}, {c.address.postal_code} {c.address.city}, "
             f"{c.address.country}"]
    if c.registration:
        parts.append(f"{c.registration.scheme} {c.registration.number}")
    parts += [x for x in (c.phone, c.email) if x]
    return "; ".join(parts)


def amount_words(years: int, months: int, days: int) -> str:
    """`1 year 6 months` in the language in force, each unit in its plural form for its number."""
    units = (
        (years, i18n.ngettext("%(num)s year", "%(num)s years", years)),
        (months, i18n.ngettext("%(num)s month", "%(num)s months", months)),
        (days, i18n.ngettext("%(num)s day", "%(num)s days", days)),
    )
    return " ".join(text % {"num": n} for n, text in units if n)


def period_words(rule: RetentionRule, lang: str | None = None) -> str:
    """`crm.customers: deleted no later than 10 years plus the current year after the
    relationship ended`, in `lang` (None: the language in force)."""
    if lang is not None:
        with i18n.language(lang):
            return period_words(rule)
    _ = i18n.gettext
    p = rule.period
    amount = amount_words(p.years, p.months, p.days)
    event = AFTER_EVENT.get(rule.trigger.event or "")
    after = _(event) if event else _("after the date in {field}").format(field=rule.trigger.field)
    if not amount:
        when = _("immediately {after}").format(after=after)
    else:
        limit = LIMITS[("maximum" if rule.kind == "maximum" else "statutory",
                        p.anchor == "end_of_year")]
        when = _(limit).format(amount=amount, after=after)
    what = f"{rule.system}.{rule.table}"
    if rule.fields:
        what += f" ({', '.join(rule.fields)})"
    text = _(ACTIONS[rule.action.value]).format(what=what, when=when)
    # Art. 17(3)(b) only for what a statute requires; a longer period is the company's choice.
    if rule.legal_obligation and rule.record_kind != "other" and rule.kind == "maximum":
        text += f" ({_(COMPANY_CHOICE_WITHIN_STATUTE)})"
    elif rule.legal_obligation:
        text += f" ({_(REQUIRED_BY_LAW)})"
    return text


def ropa_rows(policy: Policy, lang: str | None = None) -> list[dict[str, str]]:
    """One Art. 30(1) row per processing activity, every value a string."""

    def t(value: Text | None) -> str:
        return policy.text(value, lang)

    # an empty item's words, in the row's language (`lang`, else the language in force)
    none, undetermined = _words(lang, NONE, UNDETERMINED)
    purposes = {p.key: p for p in policy.purposes}
    data = {d.key: d for d in policy.data_categories}
    subjects = {s.key: s for s in policy.subject_categories}
    rules = {r.key: r for r in policy.retention_rules}
    processors = {p.key: p for p in policy.processors}
    rows = []
    for act in policy.processing_activities:
        bases: set[LegalBasis] = set()
        art9 = {act.art9_condition} if act.art9_condition else set()
        for key in act.purposes:
            if key in purposes:
                bases.update(purposes[key].legal_bases)
                condition = purposes[key].art9_condition
                if condition:
                    art9.add(condition)
        special = [k for k in act.data_categories if k in data and data[k].special]
        recipients, third, transfers = [], [], []
        for rec in act.recipients:
            if rec.internal:
                recipients.append(_say(lang, INTERNAL, who=rec.internal))
            elif rec.third_party:
                recipients.append(_say(lang, THIRD_PARTY, who=rec.third_party))
            elif rec.processor in processors:
                proc = processors[rec.processor]
                recipients.append(_say(lang, PROCESSOR, name=proc.name, service=proc.service,
                                       country=proc.country))
                for who, country, mech in [(proc.name, proc.country, proc.transfer_mechanism)] + [
                    (_say(lang, SUB_PROCESSOR_OF, name=s.name, processor=proc.name), s.country,
                     s.transfer_mechanism)
                    for s in proc.sub_processors
                ]:
                    if country not in EEA:
                        third.append(f"{who} ({country})")
                        transfers.append(f"{country}: {who}; {mechanism(mech, lang)}")
        for tr in act.transfers:
            who = tr.recipient or _say(lang, RECIPIENT)
            line = f"{tr.country}: {who}; {mechanism(tr.mechanism, lang)}"
            if tr.document:
                line += f" ({tr.document})"
            if not any(x.startswith(f"{tr.country}: ") for x in transfers):
                transfers.append(line)
        limits = [period_words(rules[k], lang) for k in act.retention if k in rules]
        if act.retention_description:
            limits.append(t(act.retention_description))
        art9_text = none if not special else "; ".join(
            [_say(lang, ART9, letter=c.value) for c in sorted(art9, key=lambda c: c.value)]
            + ([t(act.art9_note)] if act.art9_note else [])
        )
        rows.append({
            "activity": f"{t(act.name)} ({act.key})",
            "controller": controller_contact(policy),
            "dpo": _dpo(policy, lang),
            "representative": _contact(policy.controller.representative, lang),
            "purposes": "; ".join(t(purposes[k].title) for k in act.purposes if k in purposes),
            "legal_basis": legal_basis_text(sorted(bases)) if bases else none,
            "art9_condition": art9_text,
            "data_subjects": "; ".join(t(subjects[k].name) for k in act.subjects if k in subjects),
            "data_categories": "; ".join(
                f"{t(data[k].name)} ({k})" for k in act.data_categories if k in data
            ),
            "recipients": "; ".join(recipients) or none,
            "third_countries": "; ".join(third) or none,
            "transfers": "; ".join(transfers) or none,
            "erasure_time_limits": "; ".join(limits) or undetermined,
            "security_measures": "; ".join(t(m) for m in act.security_measures) or none,
            "systems": ", ".join(act.systems) or none,
            "sources": "; ".join(t(s) for s in act.sources) or none,
        })
    return rows


def ropa_processor_rows(policy: Policy, lang: str | None = None) -> list[dict[str, str]]:
    """Art. 30(2): one row per controller served in each processing the company performs as
    a processor (30(2)(a): each controller named with contact details; 30(2)(b): the
    categories of processing carried out for it). A role naming its controllers only in a
    phrase (`controller`) gives one row, and validation warns."""

    def t(value: Text | None) -> str:
        return policy.text(value, lang)

    (none,) = _words(lang, NONE)

    data = {d.key: d for d in policy.data_categories}
    processors = {p.key: p for p in policy.processors}
    rows = []
    for role in policy.processor_roles:
        subs, transfers = [], []
        for key in role.sub_processors:
            if key not in processors:
                continue
            proc = processors[key]
            subs.append(f"{proc.name} ({proc.service}, {proc.country})")
            for who, country, mech in [(proc.name, proc.country, proc.transfer_mechanism)] + [
                (s.name, s.country, s.transfer_mechanism) for s in proc.sub_processors
            ]:
                if country not in EEA:
                    transfers.append(f"{country}: {who}; {mechanism(mech, lang)}")
        transfers += [
            f"{tr.country}: {tr.recipient or _say(lang, RECIPIENT)}; "
            f"{mechanism(tr.mechanism, lang)}"
            for tr in role.transfers
        ]
        common = {
            "role": role.key,
            "processor": controller_contact(policy),
            "dpo": _dpo(policy, lang),
            "data_categories": "; ".join(
                f"{t(data[k].name)} ({k})" if k in data else k for k in role.data_categories
            ) or none,
            "sub_processors": "; ".join(subs) or none,
            "transfers": "; ".join(transfers) or none,
            "security_measures": "; ".join(t(m) for m in role.security_measures) or none,
        }
        role_processing = "; ".join(t(c) for c in role.categories_of_processing)
        served: list[ServedController | None] = list(role.controllers) or [None]
        for ctrl in served:
            if ctrl is None:
                (unknown,) = _words(lang, NOT_RECORDED)
                cells = {"controller": role.controller or none,
                         "controller_contact": unknown, "controller_dpo": unknown,
                         "categories_of_processing": role_processing,
                         "systems": ", ".join(sp.key for sp in role.systems) or none}
            else:
                name = ctrl.name + (f" ({ctrl.country})" if ctrl.country else "")
                others = [_say(lang, REPRESENTATIVE, contact=_contact(ctrl.representative, lang))
                          if ctrl.representative else "",
                          _say(lang, DPO, contact=_contact(ctrl.dpo, lang)) if ctrl.dpo else ""]
                cells = {
                    "controller": name,
                    "controller_contact": _contact(ctrl.contact, lang),
                    "controller_dpo": ("; ".join(x for x in others if x)
                                       or _say(lang, NOT_DESIGNATED)),
                    "categories_of_processing": "; ".join(
                        t(c) for c in ctrl.categories_of_processing) or role_processing,
                    **_scope_cells(role, ctrl, data, t, common["data_categories"], lang),
                }
            row = {**common, **cells}
            rows.append({key: row[key] for key, _ in PROCESSOR_FIELDS})
    return rows


def export_rows(
    rows: list[dict[str, str]], fields: tuple[tuple[str, str], ...], fmt: str,
    lang: str | None = None,
) -> bytes:
    """Rows as CSV (UTF-8 with BOM, for spreadsheet apps), XLSX or JSON bytes; the CSV and
    XLSX headings in `lang` (default: the language in force)."""
    with i18n.language(lang or i18n.current()):
        return _export(rows, fields, fmt)


def _export(rows: list[dict[str, str]], fields: tuple[tuple[str, str], ...], fmt: str) -> bytes:
    if fmt == "json":
        return (json.dumps(rows, indent=2, ensure_ascii=False) + "\n").encode()
    if fmt == "csv":
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\r\n")
        writer.writerow([i18n.gettext(heading) for _, heading in fields])
        for row in rows:
            writer.writerow([row[key] for key, _ in fields])
        return ("\ufeff" + buf.getvalue()).encode()
    if fmt == "xlsx":
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font

        wb = Workbook()
        ws = wb.active
        ws.title = i18n.gettext("Art. 30 record")
        ws.append([i18n.gettext(heading) for _, heading in fields])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([row[key] for key, _ in fields])
        for col in ws.columns:
            ws.column_dimensions[col[0].column_letter].width = 40
            for cell in col:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        out = io.BytesIO()
        wb.save(out)
        return out.getvalue()
    raise InvalidInput(f"unknown export format {fmt!r}: use csv, xlsx or json")


def _scope_cells(
    role: ProcessorRole,
    ctrl: ServedController,
    data: dict[str, Any],
    t: Callable[[Text | None], str],
    role_categories: str,
    lang: str | None = None,
) -> dict[str, str]:
    """Art. 30(2)(b) for one controller from its `scope`: the systems processed for it, how
    its data is kept apart in each, and the categories processed (the scope's own, else the
    categories of those systems' fields); the role's when it declares no scope."""
    if not ctrl.scope:
        return {"systems": ", ".join(sp.key for sp in role.systems) or _say(lang, NONE),
                "data_categories": role_categories}
    specs = {sp.key: sp for sp in role.systems}
    systems, keys = [], []
    for sc in ctrl.scope:
        spec = specs.get(sc.system)
        if sc.url_env or sc.url_file:
            how = _say(lang, OWN_DATABASE)
        elif sc.tenant is not None and not sc.tables:
            how = f"{sc.tenant.column} = {sc.tenant.value}"
        else:
            how = _say(lang, TENANT_PER_TABLE)
        systems.append(f"{t(spec.name) if spec else sc.system} ({sc.system}): {how}")
        declared = list(sc.data_categories) or [
            f.category for tb in (spec.tables if spec else []) for f in tb.fields if f.category]
        keys += [k for k in declared if k not in keys]
    categories = "; ".join(f"{t(data[k].name)} ({k})" if k in data else k for k in keys)
    return {"systems": "; ".join(systems), "data_categories": categories or role_categories}
