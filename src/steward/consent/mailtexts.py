"""The consent texts people read: the mails (double opt-in confirmation, preference-center
link, the unsubscribe footer of marketing mail) and the privacy-center pages (signup,
confirmation, preference center, unsubscribe and done pages, including how each past decision
was taken: `how_<ledger method>` and `did_<ledger action>`).

Each text is written here once, in English, and translated in the catalogs (steward.i18n); the
policy may reword any of them (`texts:`). A mail goes out in the subject's language (the
language of the form or page they used) when the policy offers that language and a catalog
exists for it; otherwise in the policy's default language, or English. Placeholders are
`str.format` fields.
"""

from __future__ import annotations

from typing import Any

from steward import i18n
from steward.i18n import N_
from steward.policy.models import Policy

# `TEXTS[lang][key]`: every text in one language (English, and each language with a catalog).
TEXTS = i18n.Texts(
    {
        "confirm_subject": N_("Please confirm: {titles}"),
        "confirm_body": N_(
            "Someone (we hope you) asked {controller} to send you: {titles}.\n"
            "\n"
            "To confirm, open this link within {hours} hours:\n"
            "{link}\n"
            "\n"
            "If this was not you, ignore this message: without confirmation we "
            "send nothing.\n"
            "You can withdraw your consent at any time, as easily as you gave "
            "it (GDPR Art. 7(3)).\n"
        ),
        "preferences_subject": N_("Your privacy preferences"),
        "preferences_body": N_(
            "Here is your link to see and change what {controller} may send "
            "you (valid for {hours} hours):\n"
            "{link}\n"
            "\n"
            "If you did not ask for it, ignore this message.\n"
        ),
        "unsubscribe_footer": N_("Unsubscribe with one click: {link}"),
        "unsubscribe_title": N_("Unsubscribe from {title}"),
        "unsubscribe_button": N_("Unsubscribe"),
        "unsubscribed_title": N_("You are unsubscribed"),
        "unsubscribed_body": N_(
            "We have recorded your choice and will send no more of these messages."
        ),
        "already_unsubscribed": N_("You were already unsubscribed; nothing more is sent."),
        "email_label": N_("E-mail address"),
        "signup_title": N_("Sign up"),
        "signup_legend": N_("What would you like to receive?"),
        "signup_note": N_(
            "We send a confirmation link first; nothing is sent until you follow it."
        ),
        "signup_button": N_("Sign up"),
        "sent_title": N_("Check your inbox"),
        "sent_confirm": N_(
            "If the address is valid, a message with a confirmation link is on "
            "its way. Your sign-up takes effect only when you follow that link."
        ),
        "sent_preferences": N_(
            "If the address is valid, a message with a link to your "
            "preferences is on its way. The link works for {hours} hours."
        ),
        "confirm_title": N_("Confirm your sign-up"),
        "confirm_button": N_("Yes, confirm"),
        "confirmed_title": N_("Thank you: confirmed"),
        "confirmed_body": N_(
            "Your consent is recorded. You can withdraw it at any time, as "
            "easily as you gave it, with the link in every message (GDPR Art. "
            "7(3))."
        ),
        "preferences_link": N_("See and change all your choices"),
        "pref_title": N_("Your privacy preferences"),
        "pref_intro": N_(
            "Withdrawing is as easy as giving (GDPR Art. 7(3)); you may object "
            "to direct marketing at any time, and we then stop (Art. 21(3))."
        ),
        "pref_request_intro": N_(
            "We send a link to your address, so only you can see and change your choices."
        ),
        "pref_request_button": N_("Send me the link"),
        "pref_now": N_("Now:"),
        "pref_on": N_("on"),
        "pref_off": N_("off"),
        "basis_consent": N_("consent, GDPR Art. 6(1)(a)"),
        "basis_interest": N_("legitimate interest, GDPR Art. 6(1)(f): you may object (Art. 21)"),
        "give": N_("Give consent"),
        "withdraw": N_("Withdraw consent"),
        "object": N_("Object"),
        "unobject": N_("Withdraw my objection"),
        "history": N_("History"),
        "col_when": N_("When (UTC)"),
        "col_what": N_("What"),
        "col_how": N_("How"),
        "did_given": N_("consent given"),
        "did_withdrawn": N_("consent withdrawn"),
        "did_refused": N_("refused"),
        "did_expired": N_("expired"),
        "did_gpc_opt_out": N_("refused by your browser's Global Privacy Control signal"),
        "did_objected": N_("objected"),
        "how_double_opt_in": N_("confirmed by the link we e-mailed you"),
        "how_rfc8058_one_click": N_("one-click unsubscribe from an e-mail"),
        "how_unsubscribe_page": N_("unsubscribe link in an e-mail"),
        "how_preference_center": N_("on this page"),
        "how_cookie_banner": N_("cookie banner"),
        "how_system": N_("expired automatically"),
        "how_api": N_("recorded by our staff or systems"),
        "how_import": N_("given before we used this system; imported from our earlier records"),
    }
)


def language(policy: Policy, lang: str | None) -> str:
    """The language to write to a subject in: theirs when the policy offers it and a catalog
    exists, else the policy's default language, else English."""
    base = (lang or "").lower().split("-")[0]
    if base in policy.policy.languages and base in TEXTS:
        return base
    default = policy.policy.default_language
    return default if default in TEXTS else "en"


def text(lang: str, key: str, *, policy: Policy | None = None, **fields: Any) -> str:
    """One text in `lang` (a language of TEXTS) with its placeholders filled; with `policy`,
    its own wording of the text wins."""
    with i18n.language(lang, policy.texts if policy is not None else None):
        return TEXTS.text(lang, key).format(**fields)


def texts(policy: Policy, lang: str | None) -> dict[str, str]:
    """Every text in the language `language` picks for `lang` (for a page's template)."""
    ui = language(policy, lang)
    with i18n.language(ui, policy.texts):
        return TEXTS[ui]


def how(lang: str, method: str) -> str:
    """A person-readable description of a ledger `method` code in `lang`; a code without an
    entry (e.g. a method named by an API caller) is shown as words."""
    if "how_" + method in TEXTS.english:
        return TEXTS.text(lang, "how_" + method)
    return method.replace("_", " ")


def did(lang: str, action: str) -> str:
    """A person-readable ledger `action` in `lang`."""
    if "did_" + action in TEXTS.english:
        return TEXTS.text(lang, "did_" + action)
    return action.replace("_", " ")
