"""Audit events as sentences a privacy officer reads: "anna@example.com extended the deadline
to 2027-03-01: complex request" instead of `dsr.extended {"due_on": ...}`.

`sentence(action, actor, details)` gives the sentence in the language in force
(`steward.i18n`); every action the code emits has one (a test collects the action names from
the source). An action without one still reads as a sentence naming the raw action, so a new
action is never hidden. Placeholders come from the event's details; a detail that is absent
(an older event) reads as a dash.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from steward.i18n import gettext as _

# Actors that are not people: how they read in a sentence.
_MACHINES = ("steward", "jobs", "retention", "api", "webhook", "demo", "public")


def actor_name(actor: str, names: Mapping[str, str] | None = None) -> str:
    """How an audit actor reads: a staff member by the name the caller knows for `user:<id>`,
    the person ("subject"), Steward itself, or the command line."""
    if names and actor in names:
        return names[actor]
    if actor == "subject":
        return _("The person")
    if actor in _MACHINES:
        return _("Steward")
    if actor == "cli" or actor.startswith("cli:"):
        return _("Someone at the command line")
    if actor.startswith("controller:"):
        return actor.removeprefix("controller:")
    return actor


def _sentences() -> dict[str, str]:
    """action -> sentence with %(actor)s and details placeholders. Built per call, so each
    sentence is in the language in force."""
    return {
        # Data-subject requests (GDPR Arts. 12-22)
        "dsr.received": _("%(actor)s recorded the request"),
        "dsr.duplicate": _("The same request arrived again and was joined to this one"),
        "dsr.awaiting_verification": _("%(actor)s asked the person to confirm their identity"),
        "dsr.code_sent": _("A one-time code was sent to the person"),
        "dsr.code_held_back": _("A code was held back: the mail limit was reached"),
        "dsr.code_rejected": _("A wrong or expired code was entered"),
        "dsr.verified": _("Identity verified (Art. 12(6)), recorded by %(actor)s"),
        "dsr.awaiting_approval": _("The request waits for an officer's approval"),
        "dsr.in_progress": _("%(actor)s started carrying out the request"),
        "dsr.waiting_on_system": _("The request waits for a system that did not answer"),
        "dsr.retry_failed": _("A retry failed; Steward tries again later"),
        "dsr.planned": _("%(actor)s searched the systems and prepared the plan"),
        "dsr.plan_rechecked": _("%(actor)s checked the plan again before acting"),
        "dsr.system_erase": _("%(actor)s erased the person's data in %(system)s (Art. 17)"),
        "dsr.system_restrict": _("%(actor)s restricted processing in %(system)s (Art. 18)"),
        "dsr.system_rectify": _("%(actor)s corrected the person's data in %(system)s (Art. 16)"),
        "dsr.restricted": _("Processing of the person's data is restricted (Art. 18)"),
        "dsr.objection_recorded": _("The person's objection was recorded (Art. 21)"),
        "dsr.objection_decided": _("%(actor)s decided on the objection (Art. 21(1))"),
        "dsr.disclosed": _("%(actor)s prepared the copy of the person's data (Art. 15)"),
        "dsr.completed": _("%(actor)s completed the request"),
        "dsr.refused": _("%(actor)s refused the request (Art. 12(4))"),
        "dsr.extended": _(
            "%(actor)s extended the deadline by two months, to %(due_on)s (Art. 12(3))"
        ),
        "dsr.awaiting_payment": _("%(actor)s asked for a fee (Art. 12(5)(a))"),
        "dsr.withdrawn": _("The person withdrew the request"),
        "dsr.information_requested": _(
            "%(actor)s asked the person for more information (Art. 12(6))"
        ),
        "dsr.information_received": _("%(actor)s recorded that the information arrived"),
        "dsr.notice_sent": _("The person was told by e-mail that the answer is ready"),
        "dsr.notice_failed": _("The answer mail could not be sent yet; it is retried"),
        "dsr.download_granted": _("The person was given a download link"),
        "dsr.downloaded": _("The person downloaded their data"),
        "dsr.package_deleted": _("The answer package was deleted after its time ran out"),
        "dsr.package_exported": _("%(actor)s exported the answer package"),
        "dsr.executed": _("%(actor)s carried out the request"),
        "dsr.awaiting_review": _("The answer waits for an officer to review and send it"),
        "dsr.draft_edited": _("%(actor)s edited the answer before sending it"),
        "dsr.answer_sent": _("%(actor)s sent the answer to the person"),
        "dsr.message_sent": _("%(actor)s sent the person a message"),
        "dsr.message_received": _("The person sent a message"),
        "dsr.attachment_opened": _("%(actor)s opened an attachment"),
        "dsr.attachment_deleted": _("An attachment was deleted after its time ran out"),
        # The controllers the company serves as processor (GDPR Art. 28(3)(e))
        "controllers.api_key_created": _(
            "%(actor)s created an API key for a controller we serve"
        ),
        "controllers.api_key_revoked": _("%(actor)s revoked a controller's API key"),
        "controllers.request_submitted": _(
            "%(actor)s asked for assistance with a data subject's request (Art. 28(3)(e))"
        ),
        "controllers.request_answered": _(
            "%(actor)s answered an assisted request for the controller (Art. 28(3)(e))"
        ),
        "controllers.package_downloaded": _(
            "%(actor)s downloaded the answer to an assisted request"
        ),
        "controllers.access_refused": _("%(actor)s was refused a request that is not theirs"),
        "consent.imported": _("%(actor)s imported consents given before Steward"),
        "retention.approved": _("%(actor)s approved a retention rule's run"),
        "dsr.deadline_reminder": _("Steward reminded the team of the deadline"),
        "dsr.assigned": _("%(actor)s assigned the request to %(assignee)s"),
        "dsr.unassigned": _("%(actor)s removed the assignment (it was %(previous)s)"),
        "dsr.note_added": _("%(actor)s added an internal note"),
        "dsr.art19_recorded": _("A recipient is to be told of the change (Art. 19)"),
        "dsr.art19_sent": _("A recipient was told of the change (Art. 19)"),
        "dsr.art19_failed": _("Telling a recipient of the change failed; it is retried"),
        "dsr.art19_task_opened": _("A task was opened to tell a recipient (Art. 19)"),
        "dsr.art19_confirmed": _("%(actor)s confirmed a recipient was told (Art. 19)"),
        "dsr.art19_waived": _("%(actor)s decided not to tell a recipient, with reasons (Art. 19)"),
        "dsr.restriction_lift_scheduled": _(
            "%(actor)s scheduled lifting the restriction (Art. 18(3))"
        ),
        "dsr.restriction_lift_noticed": _(
            "The person was told before the restriction is lifted (Art. 18(3))"
        ),
        "dsr.restriction_lift_notice_failed": _(
            "The notice of the restriction's lift could not be sent yet"
        ),
        "dsr.restriction_lift_waiting": _("Lifting the restriction waits for a system"),
        "dsr.restriction_lifted": _("%(actor)s lifted the restriction (Art. 18(3))"),
        # Breaches (Arts. 33-34)
        "breach.registered": _(
            "%(actor)s registered a breach; the authority must be told by %(deadline)s (Art. 33)"
        ),
        "breach.updated": _("%(actor)s updated the breach record (Art. 33(5))"),
        "breach.assessed": _("%(actor)s assessed the breach's risk as %(risk)s"),
        "breach.notified": _("%(actor)s notified %(authority)s of the breach (Art. 33)"),
        "breach.lookup": _("%(actor)s looked up the people affected by the breach"),
        "breach.letter_sent": _("%(actor)s sent the affected people a letter (Art. 34)"),
        "breach.reminder_sent": _("Steward reminded the team of the breach clock"),
        "breach.closed": _("%(actor)s closed the breach"),
        # Processors (Art. 28)
        "processor.changed": _("%(actor)s recorded a change of a processor"),
        "processor.subprocessor_added": _(
            "%(actor)s added a sub-processor; the controllers served were told (Art. 28(2))"
        ),
        "processor.subprocessor_objection": _(
            "%(actor)s objected to a new sub-processor (Art. 28(2))"
        ),
        "system_task.answered": _("%(actor)s answered a task for a system"),
        "system_task.callback_refused": _(
            "A system's answer was refused: its signature did not match"
        ),
        # Retention (Art. 5(1)(e))
        "retention.run_completed": _("A retention run finished"),
        "retention.run_failed": _("A retention run failed"),
        "retention.run_waiting": _("A retention run waits for a system"),
        "retention.run_paused": _("A retention run was paused"),
        "retention.hold_added": _("%(actor)s placed a legal hold"),
        "retention.hold_lifted": _("%(actor)s lifted a legal hold"),
        # Scanner
        "scanner.scanned": _("%(actor)s scanned %(system)s for sensitive data"),
        "scanner.redacted": _("%(actor)s redacted sensitive data"),
        "scanner.redaction_failed": _("A redaction failed"),
        # Consent, policy, announcements
        "consent.proof_exported": _("%(actor)s exported a consent proof (Art. 7(1))"),
        "consent.api_key_created": _("%(actor)s created a consent API key"),
        "consent.api_key_revoked": _("%(actor)s revoked a consent API key"),
        "policy.published": _("%(actor)s published policy version %(version)s"),
        "announcement.planned": _("%(actor)s planned an announcement of new purposes"),
        "announcement.started": _("%(actor)s started sending an announcement"),
        "announcement.mailed": _("An announcement was mailed"),
        # Users and sign-in
        "console.login": _("%(actor)s signed in to the console"),
        "user.created": _("%(actor)s created a console user"),
        "user.disabled": _("%(actor)s disabled a console user"),
        "user.enabled": _("%(actor)s enabled a console user"),
        "user.role_changed": _("%(actor)s changed a user's role from %(from)s to %(to)s"),
        "user.password_reset": _("%(actor)s reset a user's password"),
        "user.password_changed": _("%(actor)s changed a user's password"),
        "user.sessions_ended": _("%(actor)s ended a user's sessions"),
    }


def actions() -> frozenset[str]:
    """Every action that has a sentence."""
    return frozenset(_sentences())


class _Dash(dict[str, str]):
    """Placeholders whose detail is absent (older events) read as a dash."""

    def __missing__(self, key: str) -> str:
        return "\u2013"


def _value(v: Any, names: Mapping[str, str] | None) -> str:
    if isinstance(v, str):
        return actor_name(v, names) if v.startswith("user:") else v
    return json.dumps(v, ensure_ascii=False) if isinstance(v, dict | list) else str(v)


def sentence(
    action: str,
    actor: str,
    details: Mapping[str, Any] | str | None = None,
    *,
    note: str | None = None,
    names: Mapping[str, str] | None = None,
) -> str:
    """The event as a sentence; `note` (a timeline note, e.g. the extension's reasons) is
    added after a colon. `details` may be the stored JSON text."""
    if isinstance(details, str):
        try:
            parsed = json.loads(details) if details else {}
        except ValueError:
            parsed = {}
        details = parsed if isinstance(parsed, dict) else {}
    values = {k: _value(v, names) for k, v in (details or {}).items() if v is not None}
    values["actor"] = actor_name(actor, names)
    template = _sentences().get(action)
    if template is None:
        text = _("%(actor)s: %(action)s") % {"actor": values["actor"], "action": action}
    else:
        text = template % _Dash(values)
    if note:
        text = f"{text}: {note}"
    return text
