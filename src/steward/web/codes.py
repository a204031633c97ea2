"""Words for the codes the console shows: a status, a consent method or a transfer mechanism is
stored as a code (what the API, the CSV and JSON exports and the database keep) and shown to
people as words in the console's language (`code_words(kind, code)` in templates).

A code without words here (a consent method an API caller named, a status added later) is
shown as itself with its underscores made spaces, so nothing disappears.
"""

from __future__ import annotations

from steward import i18n
from steward.i18n import N_
from steward.policy.labels import LABELS
from steward.policy.models import TransferMechanism

WORDS: dict[str, dict[str, str]] = {
    # GDPR Art. 19: telling each recipient of a rectification, erasure or restriction
    # (`steward.requests.notifications`).
    "notification_status": {
        "pending": N_("waiting to be sent"),
        "open": N_("an officer is to tell them"),
        "sent": N_("told"),
        "waived": N_("waived"),
    },
    # How each recipient is told (`Notify.channel`; "task": an officer tells it by hand).
    "notification_channel": {
        "mail": N_("e-mail"),
        "http": N_("call to their system (signed HTTP)"),
        "task": N_("an officer's task"),
    },
    # A data subject request's state (`steward.requests.states.State`) and its type, the right
    # exercised, with its article.
    "request_state": {
        "received": N_("Received"),
        "awaiting_verification": N_("Waiting for identity check"),
        "verified": N_("Identity verified"),
        "awaiting_approval": N_("Waiting for approval"),
        "in_progress": N_("In progress"),
        "awaiting_review": N_("Answer waiting for review"),
        "waiting_on_system": N_("Waiting for a system"),
        "completed": N_("Completed"),
        "refused": N_("Refused"),
        "awaiting_payment": N_("Waiting for a fee"),
        "withdrawn": N_("Withdrawn"),
    },
    "request_type": {
        "access": N_("Access (Art. 15)"),
        "rectification": N_("Rectification (Art. 16)"),
        "erasure": N_("Erasure (Art. 17)"),
        "restriction": N_("Restriction (Art. 18)"),
        "portability": N_("Portability (Art. 20)"),
        "objection": N_("Objection (Art. 21)"),
        "automated_decisions": N_("Automated decisions (Art. 22)"),
    },
    # A console user's role (`steward.auth`).
    "user_role": {
        "viewer": N_("viewer"),
        "officer": N_("officer"),
        "admin": N_("administrator"),
    },
    # An announcement of a new or widened purpose, GDPR Art. 13(3), Art. 14(4)
    # (`steward.publication.announcements`).
    "announcement_status": {
        "planned": N_("planned: nobody told yet"),
        "sending": N_("sending"),
        "sent": N_("sent to everyone"),
    },
    "announcement_change": {
        "added": N_("new purpose"),
        "widened": N_("purpose widened"),
    },
    # How a consent decision was taken (the ledger's `method`, `steward.consent.ledger`).
    "consent_method": {
        "double_opt_in": N_("double opt-in: confirmed by a link e-mailed to the person"),
        "rfc8058_one_click": N_("one-click unsubscribe from an e-mail (RFC 8058)"),
        "unsubscribe_page": N_("unsubscribe page linked from an e-mail"),
        "preference_center": N_("the person's preference center"),
        "cookie_banner": N_("cookie banner"),
        "system": N_("expired automatically"),
        "api": N_("recorded through the API"),
        "import": N_("imported: given before Steward, from the earlier records"),
        "dsr": N_("a data subject request (objection or erasure)"),
        "checkbox": N_("checkbox on a form"),
    },
    # A consent decision's state (`steward.consent.state`), as the ledger records it.
    "consent_state": {
        "given": N_("given"),
        "withdrawn": N_("withdrawn"),
        "refused": N_("refused"),
        "expired": N_("expired"),
        "gpc_opt_out": N_("GPC opt-out"),
        "objected": N_("objected"),
    },
    # What the person did on the page that recorded the decision (the ledger's `ui_action`).
    "consent_ui_action": {
        "confirm_link": N_("opened the confirmation link"),
        "confirm_button": N_("pressed the confirm button"),
        "one_click_post": N_("one-click unsubscribe sent by the mail program"),
        "toggle_on": N_("switched it on"),
        "toggle_off": N_("switched it off"),
        "accept_all": N_("pressed Accept all"),
        "reject_all": N_("pressed Reject all"),
        "save": N_("saved the chosen categories"),
        "dismiss": N_("closed the banner"),
        "gpc": N_("Global Privacy Control signal from the browser"),
    },
    # A personal data breach (GDPR Art. 33, 34): open until closed, and its assessed risk.
    "breach_status": {"open": N_("open"), "closed": N_("closed")},
    "breach_risk": {"unlikely": N_("unlikely"), "risk": N_("risk"), "high": N_("high")},
    # Who a breach notification went to (Art. 33 the authority, Art. 34 the people or the
    # public) and whether it was the first or a later one (Art. 33(4)).
    "breach_notice_kind": {
        "authority": N_("authority"),
        "subjects": N_("the people affected"),
        "public": N_("the public"),
    },
    "breach_notice_phase": {"initial": N_("initial"), "supplement": N_("supplement")},
    # What a retention rule does to expired records (`steward.retention`).
    "retention_action": {
        "delete": N_("delete the rows"),
        "anonymize": N_("anonymize the rows"),
        "redact": N_("redact the fields' text"),
        "null": N_("clear the fields"),
    },
    # A retention run's state (`steward.retention.tables.RetentionRun.status`).
    "retention_run_status": {
        "running": N_("running"),
        "pending": N_("pending"),
        "paused": N_("paused"),
        "waiting": N_("waiting"),
        "done": N_("done"),
        "failed": N_("failed"),
    },
    # The safeguard of a transfer, GDPR Chapter V, with its article (the notice's words).
    "transfer_mechanism": {m.value: LABELS[f"mechanism_{m.value}"] for m in TransferMechanism},
}


def words_of(kind: str) -> dict[str, str]:
    """Every code of `kind` with its words in the language in force (a select's options)."""
    return {code: i18n.gettext(text) for code, text in WORDS[kind].items()}


def code_words(kind: str, code: str | None) -> str:
    """`code` of `kind` in words, in the language in force; an unknown code as itself."""
    if code is None:
        return ""
    text = WORDS[kind].get(code)
    return i18n.gettext(text) if text else code.replace("_", " ")
