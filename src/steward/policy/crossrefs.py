"""Checks across policy sections, each finding line-numbered like the model's own errors.

`check_policy(policy, sources, base_dir)` returns `Findings` (errors and warnings). It checks:
undefined references (purposes, subject and data categories, retention rules, systems,
processors, consent purposes, the categories a free-text field `may_contain`); duplicate keys
within lists; data category keys outside the fideslang taxonomy; special-category data without
an Art. 9(2) condition; processors used as recipients without a signed DPA (Art. 28(3));
third-country processors without a transfer mechanism (Arts. 44-46); consent purposes without
wording or with opt-in on another basis than Art. 6(1)(a); lead/complaint authorities not
described; in `tablerefs.py`, retention rules and table references against the systems'
table definitions; in `completeness.py`, the Art. 13/14 notice items, the Art. 30 record and
the breach promise; in `retention_coverage.py`, tables no retention rule covers (Art. 5(1)(e)).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from steward.policy.identities import accepted_types
from steward.policy.models import IdentityKind, LegalBasis, Policy, TransferMechanism
from steward.policy.report import Findings, Report
from steward.policy.sources import Location, Path_, SourceMap
from steward.policy.tablerefs import check_systems
from steward.policy.tenancyrefs import check_controllers

# Art. 44: a transfer outside the EU/EEA needs a mechanism of Arts. 45-49.
EEA = frozenset(
    "AT BE BG HR CY CZ DK EE FI FR DE GR HU IE IT LV LT LU MT NL PL PT RO SK SI ES SE IS LI NO"
    .split()
)
FIDES_PREFIXES = ("user.", "system.")


@cache
def fides_keys() -> tuple[frozenset[str], frozenset[str]]:
    """fideslang's default data category and data use keys (loaded offline, once)."""
    from fideslang.default_taxonomy import DEFAULT_TAXONOMY

    return (
        frozenset(c.fides_key for c in DEFAULT_TAXONOMY.data_category),
        frozenset(u.fides_key for u in DEFAULT_TAXONOMY.data_use),
    )


def check_policy(
    policy: Policy, sources: SourceMap | None = None, base_dir: Path | None = None
) -> Findings:
    """Every cross-section problem of `policy`; `sources` gives positions (see loader)."""
    if sources is None:
        sources = SourceMap(Location("<policy>", 1, 1), data=policy.model_dump(mode="json"))
    r = Report(sources)
    subjects = r.unique(policy.subject_categories, ("subject_categories",))
    data = r.unique(policy.data_categories, ("data_categories",))
    purposes = r.unique(policy.purposes, ("purposes",))
    r.unique(policy.processing_activities, ("processing_activities",))
    rules = r.unique(policy.retention_rules, ("retention_rules",))
    consents = r.unique(policy.consent.purposes, ("consent", "purposes"))
    r.unique(policy.consent.cookies.categories, ("consent", "cookies", "categories"))
    processors = r.unique(policy.processors, ("processors",))
    r.unique(policy.processor_roles, ("processor_roles",))
    systems = r.unique(policy.systems, ("systems",))

    _data_categories(policy, r, subjects)
    _purposes(policy, r)
    _activities(policy, r, subjects, data, purposes, rules, consents, processors, systems)
    _consent(policy, r, purposes)
    _processors(policy, r, data, processors, systems)
    _notify(policy, r)
    _authorities(policy, r)
    _identities(policy, r)
    _analytics(policy, r, purposes)
    check_systems(policy, r, data, rules, systems, base_dir)
    check_controllers(policy, r, data)
    _may_contain(policy, r, data)
    # Imported here: these modules use this one's constants (EEA).
    from steward.policy.completeness import check_completeness
    from steward.policy.retention_coverage import check_retention_coverage

    check_completeness(policy, r)
    check_retention_coverage(policy, r)
    return r.findings


def _data_categories(policy: Policy, r: Report, subjects: dict[str, int]) -> None:
    taxonomy, _ = fides_keys()
    for i, cat in enumerate(policy.data_categories):
        path = ("data_categories", i)
        if cat.key.startswith(FIDES_PREFIXES) and not cat.custom and cat.key not in taxonomy:
            r.error(
                (*path, "key"),
                f"{cat.key!r} is not in the fideslang default taxonomy: use a taxonomy key "
                "(e.g. user.contact.email) or mark the category `custom: true`",
            )
        for j, s in enumerate(cat.only_subjects):
            r.known(s, subjects, (*path, "only_subjects", j), "subject category")


def _may_contain(policy: Policy, r: Report, data: dict[str, int]) -> None:
    # What a free-text field may hold must be a declared category: the scanner judges its
    # findings against these, and the notice names them (Art. 13(1)(c), 14(1)(d)).
    for i, system in enumerate(policy.systems):
        for t, table in enumerate(system.tables):
            for f, spec in enumerate(table.fields):
                for j, key in enumerate(spec.may_contain):
                    path = ("systems", i, "tables", t, "fields", f, "may_contain", j)
                    r.known(key, data, path, "data category")


def _purposes(policy: Policy, r: Report) -> None:
    _, uses = fides_keys()
    for i, p in enumerate(policy.purposes):
        if p.data_use is not None and p.data_use not in uses:
            r.error(
                ("purposes", i, "data_use"),
                f"{p.data_use!r} is not a fideslang data use (e.g. marketing.communications)",
            )


def _activities(
    policy: Policy,
    r: Report,
    subjects: dict[str, int],
    data: dict[str, int],
    purposes: dict[str, int],
    rules: dict[str, int],
    consents: dict[str, int],
    processors: dict[str, int],
    systems: dict[str, int],
) -> None:
    for i, act in enumerate(policy.processing_activities):
        path = ("processing_activities", i)
        for j, key in enumerate(act.purposes):
            r.known(key, purposes, (*path, "purposes", j), "purpose")
        for j, key in enumerate(act.subjects):
            r.known(key, subjects, (*path, "subjects", j), "subject category")
        for j, key in enumerate(act.retention):
            r.known(key, rules, (*path, "retention", j), "retention rule")
        for j, key in enumerate(act.systems):
            r.known(key, systems, (*path, "systems", j), "system")
        for j, key in enumerate(act.consent_purposes):
            r.known(key, consents, (*path, "consent_purposes", j), "consent purpose")
        # Art. 9(2): special categories need a condition on the activity or one of its purposes.
        has_art9 = act.art9_condition is not None or any(
            policy.purposes[purposes[k]].art9_condition is not None
            for k in act.purposes
            if k in purposes
        )
        for j, key in enumerate(act.data_categories):
            if not r.known(key, data, (*path, "data_categories", j), "data category"):
                continue
            cat = policy.data_categories[data[key]]
            if cat.special and not has_art9:
                r.error(
                    (*path, "data_categories", j),
                    f"{key!r} is a special category (GDPR Art. 9(1)): set art9_condition "
                    "(a GDPR Art. 9(2) letter) on the activity or one of its purposes",
                )
            if cat.only_subjects and not set(cat.only_subjects) & set(act.subjects):
                r.error(
                    (*path, "data_categories", j),
                    f"{key!r} is held only about {', '.join(cat.only_subjects)}, "
                    f"but this activity's subjects are {', '.join(act.subjects)}",
                )
        for j, rec in enumerate(act.recipients):
            if rec.processor is None:
                continue
            rpath = (*path, "recipients", j, "processor")
            if not r.known(rec.processor, processors, rpath, "processor"):
                continue
            proc = policy.processors[processors[rec.processor]]
            if proc.dpa is None or proc.dpa.signed is None:
                r.error(
                    rpath,
                    f"processor {rec.processor!r} receives personal data without a signed "
                    "data processing agreement (GDPR Art. 28(3)): set dpa.signed",
                )


def _consent(policy: Policy, r: Report, purposes: dict[str, int]) -> None:
    for i, cp in enumerate(policy.consent.purposes):
        path = ("consent", "purposes", i)
        r.known(cp.purpose, purposes, (*path, "purpose"), "purpose")
        if cp.wording is None or not policy.text(cp.wording).strip():
            r.error(
                path,
                "consent purpose without wording: the text shown must be kept as proof "
                "(GDPR Art. 7(1))",
            )
        if cp.mode == "opt_in" and cp.legal_basis != LegalBasis.consent:
            r.error(
                (*path, "legal_basis"),
                f"opt_in asks for consent, so legal_basis must be 'a' (GDPR Art. 6(1)(a)), "
                f"not {cp.legal_basis.value!r}",
            )


def _analytics(policy: Policy, r: Report, purposes: dict[str, int]) -> None:
    a = policy.analytics
    if a is None:
        return
    r.unique(a.sites, ("analytics", "sites"))
    r.known(a.purpose, purposes, ("analytics", "purpose"), "purpose")
    if a.purpose in purposes:
        bases = policy.purpose(a.purpose).legal_bases
        if LegalBasis.legitimate_interests not in bases:
            r.error(("analytics", "purpose"), "statistics without consent rest on legitimate "
                    "interests: the purpose needs legal basis 'f' (GDPR Art. 6(1)(f))")
    cats = {c.key for c in policy.consent.cookies.categories}
    if a.banner_category is not None and a.banner_category not in cats:
        r.error(("analytics", "banner_category"),
                f"unknown cookie category {a.banner_category!r}")
    if a.without_consent and a.banner_category is None:
        r.error(("analytics", "without_consent"),
                "without_consent needs banner_category: the banner category shown as on")


def _processors(
    policy: Policy,
    r: Report,
    data: dict[str, int],
    processors: dict[str, int],
    systems: dict[str, int],
) -> None:
    for i, proc in enumerate(policy.processors):
        path = ("processors", i)
        for j, key in enumerate(proc.data_categories):
            r.known(key, data, (*path, "data_categories", j), "data category")
        for j, key in enumerate(proc.systems):
            r.known(key, systems, (*path, "systems", j), "system")
        r.unique(proc.sub_processors, (*path, "sub_processors"))
        _transfer(r, proc.country, proc.transfer_mechanism, (*path, "transfer_mechanism"))
        for j, sub in enumerate(proc.sub_processors):
            spath = (*path, "sub_processors", j, "transfer_mechanism")
            _transfer(r, sub.country, sub.transfer_mechanism, spath)
    for i, role in enumerate(policy.processor_roles):
        path = ("processor_roles", i)
        for j, key in enumerate(role.data_categories):
            r.known(key, data, (*path, "data_categories", j), "data category")
        for j, key in enumerate(role.sub_processors):
            r.known(key, processors, (*path, "sub_processors", j), "processor")


def _notify(policy: Policy, r: Report) -> None:
    """Art. 19: every recipient outside the company (a processor in use, each of its
    sub-processors, a third party) should say how it is told of rectifications, erasures and
    restrictions; without a `notify` block an officer must tell it by hand and confirm."""
    hint = (
        "declares no `notify` channel: it cannot be told of rectifications, erasures and "
        "restrictions (GDPR Art. 19) until an officer does it by hand; add e.g. "
        "`notify: {channel: mail, email: ...}`"
    )
    named = {
        rec.processor for a in policy.processing_activities for rec in a.recipients if rec.processor
    }
    for i, proc in enumerate(policy.processors):
        if proc.key not in named and not proc.systems:
            continue  # not a recipient of any activity's data
        if proc.notify is None:
            r.warn(("processors", i), f"processor {proc.key!r} {hint}")
        for j, sub in enumerate(proc.sub_processors):
            if sub.notify is None:
                r.warn(("processors", i, "sub_processors", j), f"sub-processor {sub.key!r} {hint}")
    for i, act in enumerate(policy.processing_activities):
        for j, rec in enumerate(act.recipients):
            if rec.third_party and rec.notify is None:
                path = ("processing_activities", i, "recipients", j, "third_party")
                r.warn(path, f"third party {rec.third_party!r} {hint}")


def _transfer(r: Report, country: str, mechanism: TransferMechanism, path: Path_) -> None:
    if country not in EEA and mechanism == TransferMechanism.eea:
        r.error(
            path,
            f"{country} is outside the EU/EEA: name the transfer mechanism "
            "(adequacy Art. 45, scc Art. 46(2)(c), bcr Art. 47 or derogation Art. 49)",
        )


def _authorities(policy: Policy, r: Report) -> None:
    ctrl = policy.controller
    for field_name in ("lead_authority", "complaint_authority"):
        country = getattr(ctrl, field_name)
        if country is not None and country not in policy.authorities:
            r.error(
                ("controller", field_name),
                f"no `authorities` entry for {country}: describe the supervisory authority "
                "(name, website, breach channel)",
            )


def _identities(policy: Policy, r: Report) -> None:
    """Identity types (Art. 12(6)): unique, checkable, at least one able to start a request
    alone; every table's identity columns name an accepted type."""
    r.unique(policy.identities, ("identities",))
    for i, spec in enumerate(policy.identities):
        if spec.kind is IdentityKind.national_id and spec.country is not None:
            from stdnum.util import get_cc_module

            if get_cc_module(spec.country.lower(), "personalid") is None:
                r.error(
                    ("identities", i, "country"),
                    f"no national identity number check is known for {spec.country}: use "
                    "kind `text` with a `pattern`",
                )
        if spec.pattern is not None:
            import re

            try:
                re.compile(spec.pattern)
            except re.error as err:
                r.error(("identities", i, "pattern"), f"not a regular expression: {err}")
    if policy.identities and not any(t.alone for t in policy.identities):
        r.error(("identities",), "no identity type may start a request alone: mark one `alone`")
    types = accepted_types(policy)
    for si, system in enumerate(policy.systems):
        for ti, table in enumerate(system.tables):
            for kind in table.identities:
                if kind not in types:
                    r.error(
                        ("systems", si, "tables", ti, "identities", kind),
                        f"unknown identity type {kind!r}: declare it under `identities` "
                        f"(accepted: {', '.join(types)})",
                    )
