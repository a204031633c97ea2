"""DPA alerts (GDPR Art. 28(3)): a processor or sub-processor without a data processing
agreement, one whose review date has passed or comes soon, and a transfer outside the EU/EEA
without a safeguard (Arts. 44-46)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from steward.policy.crossrefs import EEA
from steward.policy.models import Policy
from steward.processors.register import Entry

SOON_DAYS = 30


@dataclass(frozen=True)
class Alert:
    ref: str  # processor key or processor/sub-processor
    name: str
    level: str  # "bad" or "warn"
    message: str


def dpa_alerts(entries: list[Entry], today: date, *, soon_days: int = SOON_DAYS) -> list[Alert]:
    """Alerts for the active entries, most serious first."""
    out: list[Alert] = []
    for e in entries:
        if not e.active:
            continue
        if e.dpa_signed is None:
            out.append(Alert(e.ref, e.name, "bad",
                             "No signed data processing agreement recorded (Art. 28(3))."))
        if e.dpa_review_due is not None:
            if e.dpa_review_due < today:
                days = (today - e.dpa_review_due).days
                out.append(Alert(e.ref, e.name, "bad",
                                 f"DPA review overdue since {e.dpa_review_due} ({days} days)."))
            elif e.dpa_review_due <= today + timedelta(days=soon_days):
                out.append(Alert(e.ref, e.name, "warn",
                                 f"DPA review due on {e.dpa_review_due}."))
        if e.country and e.country not in EEA and e.transfer_mechanism == "eea":
            out.append(Alert(e.ref, e.name, "bad",
                             f"Transfer to {e.country} (outside the EU/EEA) has no safeguard "
                             "recorded (Arts. 44-46)."))
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
                out.append(Alert(ref, c.name, "bad", f"DPA review overdue since {due} "
                                 f"({(today - due).days} days) (Art. 28(3))."))
            elif due <= today + timedelta(days=soon_days):
                out.append(Alert(ref, c.name, "warn", f"DPA review due on {due} (Art. 28(3))."))
    return sorted(out, key=lambda a: (a.level != "bad", a.ref))
