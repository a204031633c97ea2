"""The consent mails' texts, one entry per language: the double opt-in confirmation, the
preference-center link, the unsubscribe footer of marketing mail and the unsubscribe page.

Texts are data, not code branches: a language is added by adding an entry. A mail goes out in
the subject's language (the language of the form or page they used) when the policy offers
that language and an entry exists here; otherwise in the policy's default language, or English.
Placeholders are `str.format` fields.
"""

from __future__ import annotations

from steward.policy.models import Policy

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "confirm_subject": "Please confirm: {titles}",
        "confirm_body": (
            "Someone (we hope you) asked {controller} to send you: {titles}.\n\n"
            "To confirm, open this link within {hours} hours:\n{link}\n\n"
            "If this was not you, ignore this message: without confirmation we send nothing.\n"
            "You can withdraw your consent at any time, as easily as you gave it "
            "(GDPR Art. 7(3)).\n"),
        "preferences_subject": "Your privacy preferences",
        "preferences_body": (
            "Here is your link to see and change what {controller} may send you "
            "(valid for {hours} hours):\n{link}\n\n"
            "If you did not ask for it, ignore this message.\n"),
        "unsubscribe_footer": "Unsubscribe with one click: {link}",
        "unsubscribe_title": "Unsubscribe from {title}",
        "unsubscribe_button": "Unsubscribe",
        "unsubscribed_title": "You are unsubscribed",
        "unsubscribed_body": "We have recorded your choice and will send no more of these "
                             "messages.",
        "already_unsubscribed": "You were already unsubscribed; nothing more is sent.",
    },
    "da": {
        "confirm_subject": "Bekræft venligst: {titles}",
        "confirm_body": (
            "Nogen (forhåbentlig dig) har bedt {controller} om at sende dig: {titles}.\n\n"
            "Åbn dette link inden for {hours} timer for at bekræfte:\n{link}\n\n"
            "Hvis det ikke var dig, kan du se bort fra denne besked: uden bekræftelse "
            "sender vi intet.\n"
            "Du kan til enhver tid trække dit samtykke tilbage, lige så let som du gav det "
            "(GDPR art. 7, stk. 3).\n"),
        "preferences_subject": "Dine privatlivsindstillinger",
        "preferences_body": (
            "Her er dit link til at se og ændre, hvad {controller} må sende dig "
            "(gyldigt i {hours} timer):\n{link}\n\n"
            "Hvis du ikke har bedt om det, kan du se bort fra denne besked.\n"),
        "unsubscribe_footer": "Afmeld med ét klik: {link}",
        "unsubscribe_title": "Afmeld {title}",
        "unsubscribe_button": "Afmeld",
        "unsubscribed_title": "Du er afmeldt",
        "unsubscribed_body": "Vi har registreret dit valg og sender ikke flere af disse "
                             "beskeder.",
        "already_unsubscribed": "Du var allerede afmeldt; der sendes ikke mere.",
    },
}


def language(policy: Policy, lang: str | None) -> str:
    """The language to write to a subject in: theirs when the policy offers it and a text
    exists, else the policy's default language, else English."""
    base = (lang or "").lower().split("-")[0]
    if base in policy.policy.languages and base in TEXTS:
        return base
    default = policy.policy.default_language
    return default if default in TEXTS else "en"


def text(lang: str, key: str, **fields: object) -> str:
    """One text in `lang` (a key of TEXTS) with its placeholders filled."""
    return TEXTS[lang][key].format(**fields)
