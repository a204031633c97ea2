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
    # A personal data breach (GDPR Art. 33, 34): open until closed, and its assessed risk.
    "breach_status": {"open": N_("open"), "closed": N_("closed")},
    "breach_risk": {"unlikely": N_("unlikely"), "risk": N_("risk"), "high": N_("high")},
    # What a retention rule does to expired records (`steward.retention`).
    "retention_action": {
        "delete": N_("delete the rows"),
        "anonymize": N_("anonymize the rows"),
        "redact": N_("redact the fields' text"),
        "null": N_("clear the fields"),
    },
    # The safeguard of a transfer, GDPR Chapter V, with its article (the notice's words).
    "transfer_mechanism": {m.value: LABELS[f"mechanism_{m.value}"] for m in TransferMechanism},
}


def code_words(kind: str, code: str | None) -> str:
    """`code` of `kind` in words, in the language in force; an unknown code as itself."""
    if code is None:
        return ""
    text = WORDS[kind].get(code)
    return i18n.gettext(text) if text else code.replace("_", " ")
