"""What can be consented to, read from the policy: consent purposes and cookie categories.

Cookie categories appear in the ledger as `cookie.<category>`, so one ledger covers the
newsletter, e-marketing, photo consents and website tracking.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from steward.errors import InvalidInput
from steward.legal.periods import add_months
from steward.policy.models import LegalBasis, Policy

COOKIE_PREFIX = "cookie."
BANNER_NOTICE = "cookie-banner"


@dataclass(frozen=True)
class PurposeInfo:
    key: str
    kind: str  # "purpose" | "cookie"
    title: str
    version: int
    mode: str  # "opt_in" | "opt_out"
    legal_basis: str  # Art. 6(1) letter
    direct_marketing: bool
    double_opt_in: bool
    valid_days: int | None  # cookie categories: a number of days
    required: bool = False
    # visitor statistics the policy counts without consent (`analytics.without_consent`)
    statistics: bool = False
    valid_months: int | None = None  # consent purposes: calendar months

    @property
    def notice_id(self) -> str:
        return BANNER_NOTICE if self.kind == "cookie" else f"purpose:{self.key}"

    @property
    def legitimate_interest(self) -> bool:
        """Processing rests on Art. 6(1)(f) or is opt-out: allowed unless objected (Art. 21)."""
        return self.mode == "opt_out" or self.legal_basis == LegalBasis.legitimate_interests

    def valid_until(self, at: datetime) -> datetime | None:
        """When a consent given at `at` lapses: `valid_months` calendar months later (the same
        day-of-month, the month's last day when it has none: 31 Jan + 1 month = 28/29 Feb, as
        Reg. 1182/71 Art. 3(2)(c) counts months), else `valid_days` days; None when unlimited."""
        if self.valid_months:
            day = add_months(at.date(), self.valid_months)
            return datetime.combine(day, at.timetz())
        return at + timedelta(days=self.valid_days) if self.valid_days else None


def all_purposes(policy: Policy, lang: str | None = None) -> list[PurposeInfo]:
    out = [
        PurposeInfo(
            key=p.key, kind="purpose", title=policy.text(p.title, lang), version=p.version,
            mode=p.mode, legal_basis=p.legal_basis.value, direct_marketing=p.direct_marketing,
            double_opt_in=p.double_opt_in, valid_days=None, valid_months=p.valid_months,
        )
        for p in policy.consent.purposes
    ]
    version = policy.consent.cookies.version
    a = policy.analytics
    free = a.banner_category if a is not None and a.without_consent else None
    out.extend(
        PurposeInfo(
            key=COOKIE_PREFIX + c.key, kind="cookie", title=policy.text(c.title, lang),
            version=version, mode="opt_in", legal_basis=LegalBasis.consent.value,
            direct_marketing=False, double_opt_in=False, valid_days=c.valid_days,
            required=c.required or c.key == free, statistics=c.key == free,
        )
        for c in policy.consent.cookies.categories
    )
    return out


_CACHE: dict[tuple[int, str | None], tuple[Policy, dict[str, PurposeInfo]]] = {}


def by_key(policy: Policy, lang: str | None = None) -> dict[str, PurposeInfo]:
    """`all_purposes` as a mapping, cached per policy object (policies are immutable)."""
    hit = _CACHE.get((id(policy), lang))
    if hit is not None and hit[0] is policy:
        return hit[1]
    if len(_CACHE) > 64:
        _CACHE.clear()
    found = {p.key: p for p in all_purposes(policy, lang)}
    _CACHE[(id(policy), lang)] = (policy, found)
    return found


def known_keys(policy: Policy) -> list[str]:
    return [p.key for p in all_purposes(policy)]


def resolve(policy: Policy, key: str, lang: str | None = None) -> PurposeInfo:
    """The purpose named `key`; InvalidInput (422) naming the known ones otherwise."""
    found = by_key(policy, lang).get(key)
    if found is not None:
        return found
    known = known_keys(policy)
    raise InvalidInput(f"unknown purpose {key!r}; known purposes: {', '.join(known)}",
                       known_purposes=known)


def now() -> datetime:
    return datetime.now(UTC)
