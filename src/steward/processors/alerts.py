"""DPA alerts (GDPR Art. 28(3)): a processor or sub-processor without a data processing
agreement, one whose review date has passed or comes soon, and a transfer outside the EU/EEA
without a safeguard (Arts. 44-46)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta

from steward import i18n
from steward.i18n import N_
from steward.policy.crossrefs import EEA
from steward.policy.models import Policy
from steward.processors.register import Entry

SOON_DAYS = 30


NO_DPA = N_("No signed data processing agreement recorded (Art. 28(3)).")
REVIEW_OVERDUE = N_("DPA review overdue since {due} ({days} days) (Art. 28(3)).")
REVIEW_SOON = N_("DPA review due on {due} (Art. 28(3)).")
NO_SAFEGUARD = N_("Transfer to {country} (outside the EU/EEA) has no safeguard recorded "
                  "(Arts. 44-46).")


@dataclass(frozen=True)
class Alert:
    ref: str  # processor key or processor/sub-processor
    name: str
    level: str  # "bad" or "warn"
    text: str  # one of the texts above, with {placeholders}
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def message(self) -> str:
        """In English, as the registers' CSV and JSON exports keep it."""
        return self.text.format(**self.values)

    def words(self) -> str:
        """In the language in force, for the console."""
        return i18n.gettext(self.text).format(**self.values)


def dpa_alerts(entries: list[Entry], today: date, *, soon_days: int = SOON_DAYS) -> list[Alert]:
    """Alerts for the active entries, most serious first."""
    out: list[Alert] = []
    for e in entries:
        if not e.active:
            continue
        if e.dpa_signed is None:
            out.append(Alert(e.ref, e.name, "bad", NO_DPA))
        if e.dpa_review_due is not None:
            if e.dpa_review_due < today:
                days = (today - e.dpa_review_due).days
                out.append(Alert(e.ref, e.name, "bad", REVIEW_OVERDUE,
                                 {"due": e.dpa_review_due, "days": days}))
            elif e.dpa_review_due <= today + timedelta(days=soon_days):
                out.append(Alert(e.ref, e.name, "warn", REVIEW_SOON, {"due": e.dpa_review_due}))
        if e.country and e.country not in EEA and e.transfer_mechanism == "eea":
            out.append(Alert(e.ref, e.name, "bad", NO_SAFEGUARD, {"country": e.country}))
    return sorted(out, key=lambda a: (a.level != "bad", a.ref))


def controller_dpa_alerts(policy: Policy, today: date, *,
                          soon_days: int = SOON_DAYS) -> list[Alert]:
    """The same review alerts for the DPAs with the controllers the company serves as a
    processor (Art. 28(3)): a review overdue or coming soon."""
    out: list[Alert] = []
    for role in policy.processor_roles:
        for c in role.controllers:
            ref = f"{role.key}/{c.name}"
            due = c.dpa_review_due
            if due is None:
                continue
            if due < today:
                out.append(Alert(ref, c.name, "bad", REVIEW_OVERDUE,
                                 {"due": due, "days": (today - due).days}))
            elif due <= today + timedelta(days=soon_days):
                out.append(Alert(ref, c.name, "warn", REVIEW_SOON, {"due": due}))
    return sorted(out, key=lambda a: (a.level != "bad", a.ref))
