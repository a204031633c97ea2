"""Risk assessment and the duties it creates (GDPR Arts. 33-34).

- unlikely to result in a risk: documented only (Art. 33(1), 33(5));
- a risk: notify the competent authority within 72 hours (Art. 33(1)) — the lead authority
  from the policy, and the ICO as well where UK data subjects are affected (UK GDPR Art. 33);
- a high risk: also tell the people (Art. 34(1)), unless an Art. 34(3) exception is recorded:
  (a) data unintelligible to others, (b) later measures removed the high risk, (c)
  disproportionate effort — then a public notice instead.
A breach without a risk assessment cannot be closed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from sqlalchemy.orm import Session

from steward import audit, i18n
from steward.breaches.inputs import AssessmentInput, Exception34, Risk
from steward.breaches.register import get_breach, keep_version, notifications
from steward.breaches.tables import Breach, BreachNotification
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.policy.models import Policy

UK = "GB"


@dataclass(frozen=True)
class Task:
    """One duty of a breach: `key` is stable (e.g. `notify_authority:DK`)."""

    key: str
    text: str  # the title, with {placeholders} filled from `values`
    article: str
    done: bool
    note_text: str = ""
    values: Mapping[str, object] = field(default_factory=dict)

    @property
    def title(self) -> str:
        """In English, as the register's exports and errors keep it."""
        return self.text.format(**self.values)

    @property
    def note(self) -> str:
        return self.note_text.format(**self.values)

    def title_words(self) -> str:
        """The title in the language in force, for the console."""
        return i18n.gettext(self.text).format(**self.values)

    def note_words(self) -> str:
        return i18n.gettext(self.note_text).format(**self.values) if self.note_text else ""

    def as_dict(self) -> dict[str, object]:
        return {"key": self.key, "title": self.title, "article": self.article,
                "done": self.done, "note": self.note}


# The notes of the assessment task: the risk found (Art. 33(1), 34(1)).
RISK_NOTES = {
    "unlikely": N_("assessed: unlikely to result in a risk"),
    "risk": N_("assessed: a risk to people"),
    "high": N_("assessed: a high risk to people"),
}


def competent_authorities(policy: Policy, row: Breach) -> list[str]:
    """Country codes of the authorities to notify: the lead authority (Art. 56), plus the
    ICO where UK data subjects are affected (the UK GDPR applies to them separately)."""
    out = [policy.controller.lead_authority]
    if UK in (row.countries or []) and UK != out[0] and UK in policy.authorities:
        out.append(UK)
    return out


def assess(
    session: Session, policy: Policy, breach_id: int, data: AssessmentInput, *, actor: str,
    now: datetime | None = None,
) -> Breach:
    """Record (or revise) the risk assessment; the earlier state is kept as a version."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    row = get_breach(session, breach_id)
    if row.status == "closed":
        raise InvalidInput(f"Breach {breach_id} is closed; it cannot be reassessed.")
    if data.exception is not None and data.risk is not Risk.high:
        raise InvalidInput(
            "An Art. 34(3) exception only applies when the risk is high (Art. 34(1)).",
            field="exception"
        )
    if data.exception is not None and not (data.exception_reason or "").strip():
        raise InvalidInput(
            f"Explain why the Art. 34(3)({data.exception.value}) exception applies.",
            field="exception_reason"
        )
    keep_version(session, row, actor=actor, change="assessed", now=now)
    row.risk = data.risk.value
    row.risk_reasoning = data.reasoning
    row.exception_34_3 = data.exception.value if data.exception else None
    row.exception_reason = data.exception_reason if data.exception else None
    row.assessed_at = now
    row.assessed_by = actor
    audit.append(session, actor=actor, action="breach.assessed", subject_ref=f"breach:{row.id}",
                 details={"risk": row.risk, "exception": row.exception_34_3})
    return row


def duties(policy: Policy, row: Breach, sent: list[BreachNotification]) -> list[Task]:
    """The tasks `row`'s assessment creates, each marked done from the notifications `sent`."""
    tasks = [Task("document", N_("Document the breach in the register"), "Art. 33(5)", True)]
    assess = N_("Assess the risk to people's rights and freedoms")
    if row.risk is None:
        tasks.append(Task("assess", assess, "Art. 33(1)", False,
                          N_("needed before the breach can be closed")))
        return tasks
    tasks.append(Task("assess", assess, "Art. 33(1)", True,
                      RISK_NOTES.get(row.risk, "{risk}"), {"risk": row.risk}))
    if row.risk == Risk.unlikely:
        return tasks  # Art. 33(1): no notification; the reasoning is documented (33(5))
    for cc in competent_authorities(policy, row):
        auth = policy.authorities.get(cc)
        name = auth.name if auth else cc
        done = any(n.kind == "authority" and n.authority == cc for n in sent)
        tasks.append(Task(f"notify_authority:{cc}", N_("Notify {name} ({cc})"), "Art. 33(1)",
                          done, "{channel}" if auth else "",
                          {"name": name, "cc": cc, "channel": auth.breach_channel if auth else ""}))
    if row.risk == Risk.high:
        exc = row.exception_34_3
        if exc in (Exception34.encrypted, Exception34.mitigated):
            tasks.append(Task("notify_subjects", N_("Tell the people affected"), "Art. 34(1)",
                              True, N_("not needed: Art. 34(3)({letter}) — {reason}"),
                              {"letter": exc, "reason": row.exception_reason}))
        elif exc == Exception34.disproportionate:
            done = any(n.kind == "public" for n in sent)
            tasks.append(Task("public_notice", N_("Publish a public communication instead"),
                              "Art. 34(3)(c)", done, "{reason}" if row.exception_reason else "",
                              {"reason": row.exception_reason}))
        else:
            done = any(n.kind == "subjects" for n in sent)
            tasks.append(Task("notify_subjects", N_("Tell the people affected, in plain language"),
                              "Art. 34(1)-(2)", done))
    return tasks


def tasks_for(session: Session, policy: Policy, row: Breach) -> list[Task]:
    return duties(policy, row, notifications(session, row.id))


def close_breach(
    session: Session, policy: Policy, breach_id: int, *, actor: str, now: datetime | None = None,
) -> Breach:
    """Close a breach: needs a risk assessment and every notification task done."""
    now = (now or datetime.now(UTC)).astimezone(UTC)
    row = get_breach(session, breach_id)
    if row.status == "closed":
        return row
    if row.risk is None:
        raise InvalidInput(
            "A breach without a risk assessment cannot be closed (Art. 33(5) documents the "
            "assessment with the breach)."
        )
    open_tasks = [t for t in tasks_for(session, policy, row) if not t.done]
    if open_tasks:
        raise InvalidInput("Still to do before closing: "
                           + "; ".join(f"{t.title} ({t.article})" for t in open_tasks) + ".")
    keep_version(session, row, actor=actor, change="closed", now=now)
    row.status = "closed"
    row.closed_at = now
    audit.append(session, actor=actor, action="breach.closed", subject_ref=f"breach:{row.id}",
                 details={"risk": row.risk})
    return row
