"""Which law, if any, a retention rule rests on, and until when the law requires keeping.
Pure: the policy and `legal.retention_periods`, no database.

Law is cited only where there is law (LEGAL.md, Retention):
- bookkeeping material (`record_kind` accounting or correspondence) is kept under the
  bookkeeping act of its storage country, counted from the end of the financial year in which
  the record falls (the country's financial-year end, 31 December unless the policy says
  otherwise); the periods are Steward's built-in DK/NO/SE/GB table or those the policy
  declares under `storage_countries`;
- any other rule with `legal_obligation` rests on the statute its own `statutory_basis` names,
  for its own period (a health-records act is not a bookkeeping act);
- everything else is the company's own choice (a maximum it promises, GDPR Art. 5(1)(e)) and is
  described as such, never as a legal obligation.
Only a rule resting on a statute is an exception to erasure (GDPR Art. 17(3)(b)).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from steward import i18n
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.legal.retention_periods import (
    Finding,
    StatutoryRetention,
    applicable_rules,
    check_rule_period,
    minimum_ends,
)
from steward.policy.models import Policy, RetentionRule, StorageCountry, SystemSpec
from steward.policy.report import Report
from steward.retention.cutoff import (
    as_legal_period,
    describe,
    describe_words,
    is_immediate,
    last_day,
)

BOOKKEEPING_KINDS = ("accounting", "correspondence")


def country_of(rule: RetentionRule, system: SystemSpec) -> str:
    return system.storage_country if rule.jurisdiction == "storage_country" else rule.jurisdiction


def _country(policy: Policy, country: str) -> StorageCountry:
    return policy.storage_countries.get(country) or StorageCountry()


def financial_year_end(policy: Policy, country: str) -> tuple[int, int]:
    """(month, day) the financial year ends on in `country` (default 31 December)."""
    month, day = _country(policy, country).financial_year_end.split("-")
    return int(month), int(day)


def declared(policy: Policy, country: str) -> tuple[StatutoryRetention, ...]:
    """The statutory periods the policy declares for `country`, in the legal table's form."""
    return tuple(
        StatutoryRetention(
            country, p.record_kind, p.statute, p.article, p.months, p.counted_from,
            policy.text(p.summary) or f"{p.months} months ({p.counted_from.replace('_', ' ')})",
        )
        for p in _country(policy, country).periods
    )


def is_bookkeeping(rule: RetentionRule) -> bool:
    return rule.record_kind in BOOKKEEPING_KINDS


def rests_on_statute(rule: RetentionRule) -> bool:
    """Does the law (not the company) require keeping the rule's data (Art. 17(3)(b))?"""
    return rule.legal_obligation


def bookkeeping_ends(
    policy: Policy, rule: RetentionRule, country: str, record_date: date
) -> list[tuple[StatutoryRetention, date]]:
    """Each statute's last day of keeping a bookkeeping record dated `record_date`; raises
    InvalidInput when no period is built in or declared for `country`."""
    return minimum_ends(
        record_date, country, kind=rule.record_kind,
        financial_year_end=financial_year_end(policy, country),
        company_type=_country(policy, country).company_type, declared=declared(policy, country),
    )


def legal_keep(
    policy: Policy, rule: RetentionRule, country: str, record_date: date | None,
    lang: str | None = None,
) -> tuple[date, str] | None:
    """(last day the law requires keeping, the statute cited) for a record under `rule`, or
    None when no law requires keeping it. The policy's `statutory_basis` text wins over the
    built-in citation; `date.max` when the record date is unknown (kept: the period cannot be
    shown to have ended)."""
    if not rests_on_statute(rule):
        return None
    basis = policy.text(rule.statutory_basis, lang)
    if record_date is None:
        return date.max, basis or f"retention rule {rule.key} (record date unknown)"
    if is_bookkeeping(rule):
        try:
            statute, end = max(bookkeeping_ends(policy, rule, country, record_date),
                               key=lambda pair: pair[1])
            return end, basis or statute.citation
        except InvalidInput:
            if not basis:
                raise
    # Its own statute, for its own period: kept through the period's last day.
    return last_day(rule.period, record_date), basis


def findings(policy: Policy, rule: RetentionRule, country: str) -> list[Finding]:
    """Statutory checks of a bookkeeping rule against its storage country's minimum (an error
    when it deletes earlier, GDPR Art. 17(3)(b); a warning when it keeps longer, Art.
    5(1)(e)). Raises InvalidInput for a period the check cannot compare or an unknown
    country."""
    if not is_bookkeeping(rule):
        return []
    period = as_legal_period(rule.period)
    if period is None:
        raise InvalidInput(
            f"retention rule {rule.key!r}: a bookkeeping period must use one unit (years, "
            f"months, days or years with anchor end_of_year), got {describe(rule.period)}"
        )
    return check_rule_period(
        period, country=country, kind=rule.record_kind,
        financial_year_end=financial_year_end(policy, country),
        company_type=_country(policy, country).company_type, declared=declared(policy, country),
        deleted_on_last_day=rule.kind == "maximum",
    )


# What a rule rests on, in words (`basis`): written here once, in English for plans and
# evidence, in the language in force for the console (`basis_words`).
OWN_MAXIMUM = N_("kept for up to {period}, as our policy states (the company's choice; GDPR "
                 "Art. 5(1)(e) storage limitation)")
OWN_IMMEDIATE = N_("not kept once its trigger has happened, as our policy states (the "
                   "company's choice; GDPR Art. 5(1)(e) storage limitation)")
OWN_MINIMUM = N_("kept for at least {period}, as our policy states (the company's choice)")
BOOKKEEPING = N_("the law requires keeping it: {law} (GDPR Art. 17(3)(b), in {country}); "
                 "after that, {own}")
STATUTE = N_("the law requires keeping it for {period}: {law} (GDPR Art. 17(3)(b))")
# The legal basis of a run's deletions, in its evidence.
RUN_ON_STATUTE = N_("GDPR Art. 17(3)(b) (kept for a legal obligation until expiry), "
                    "Art. 5(1)(e)")
RUN_OWN = N_("GDPR Art. 5(1)(e) storage limitation")


def basis(policy: Policy, rule: RetentionRule, country: str, lang: str | None = None) -> str:
    """What the rule rests on, in plain English words for plans and evidence."""
    return _basis(policy, rule, country, lang, str, describe(rule.period))


def basis_words(policy: Policy, rule: RetentionRule, country: str) -> str:
    """`basis` in the language in force, for the console; the statutes' citations (names,
    sections) stay as the law writes them."""
    return _basis(policy, rule, country, i18n.current(), i18n.gettext,
                  describe_words(rule.period))


def _basis(policy: Policy, rule: RetentionRule, country: str, lang: str | None,
           words: Callable[[str], str], period: str) -> str:
    own = words(OWN_IMMEDIATE if is_immediate(rule.period) else OWN_MAXIMUM).format(
        period=period)
    if rule.kind == "statutory" and not rule.legal_obligation:
        own = words(OWN_MINIMUM).format(period=period)
    if not rests_on_statute(rule):
        return own
    text = policy.text(rule.statutory_basis, lang)
    if is_bookkeeping(rule):
        try:
            statutes = applicable_rules(country, rule.record_kind,
                                        _country(policy, country).company_type,
                                        declared(policy, country))
        except InvalidInput:
            statutes = []
        law = text or "; ".join(f"{s.citation} ({words(s.summary)})" for s in statutes)
        return words(BOOKKEEPING).format(law=law, country=country, own=own)
    return words(STATUTE).format(period=period, law=text)


def check_rule(policy: Policy, r: Report, i: int, system: SystemSpec) -> None:
    """Policy validation (`steward.rule_checks` entry point): bookkeeping material kept for
    less than its storage country's statutory minimum is an error (GDPR Art. 17(3)(b))."""
    rule = policy.retention_rules[i]
    if not is_bookkeeping(rule):
        return
    country = country_of(rule, system)
    try:
        found = findings(policy, rule, country)
    except InvalidInput as err:
        r.error(("retention_rules", i, "record_kind"),
                f"{err.detail} (storage country {country} of system {system.key!r})")
        return
    for f in found:
        if f.severity == "error":
            r.error(("retention_rules", i, "period"), f.message)
