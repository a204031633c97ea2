"""The consent texts people read, one entry per language: the mails (double opt-in
confirmation, preference-center link, the unsubscribe footer of marketing mail) and the
privacy-center pages (signup, confirmation, preference center, unsubscribe and done pages,
including how each past decision was taken: `how_<ledger method>` and `did_<ledger action>`).

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
        "email_label": "E-mail address",
        "signup_title": "Sign up",
        "signup_legend": "What would you like to receive?",
        "signup_note": "We send a confirmation link first; nothing is sent until you follow it.",
        "signup_button": "Sign up",
        "sent_title": "Check your inbox",
        "sent_confirm": "If the address is valid, a message with a confirmation link is on its "
                        "way. Your sign-up takes effect only when you follow that link.",
        "sent_preferences": "If the address is valid, a message with a link to your preferences "
                            "is on its way. The link works for {hours} hours.",
        "confirm_title": "Confirm your sign-up",
        "confirm_button": "Yes, confirm",
        "confirmed_title": "Thank you: confirmed",
        "confirmed_body": "Your consent is recorded. You can withdraw it at any time, as easily "
                          "as you gave it, with the link in every message (GDPR Art. 7(3)).",
        "preferences_link": "See and change all your choices",
        "pref_title": "Your privacy preferences",
        "pref_intro": "Withdrawing is as easy as giving (GDPR Art. 7(3)); you may object to "
                      "direct marketing at any time, and we then stop (Art. 21(3)).",
        "pref_request_intro": "We send a link to your address, so only you can see and change "
                              "your choices.",
        "pref_request_button": "Send me the link",
        "pref_now": "Now:",
        "pref_on": "on",
        "pref_off": "off",
        "basis_consent": "consent, GDPR Art. 6(1)(a)",
        "basis_interest": "legitimate interest, GDPR Art. 6(1)(f): you may object (Art. 21)",
        "give": "Give consent",
        "withdraw": "Withdraw consent",
        "object": "Object",
        "unobject": "Withdraw my objection",
        "history": "History",
        "col_when": "When (UTC)",
        "col_what": "What",
        "col_how": "How",
        "did_given": "consent given",
        "did_withdrawn": "consent withdrawn",
        "did_refused": "refused",
        "did_expired": "expired",
        "did_gpc_opt_out": "refused by your browser's Global Privacy Control signal",
        "did_objected": "objected",
        "how_double_opt_in": "confirmed by the link we e-mailed you",
        "how_rfc8058_one_click": "one-click unsubscribe from an e-mail",
        "how_unsubscribe_page": "unsubscribe link in an e-mail",
        "how_preference_center": "on this page",
        "how_cookie_banner": "cookie banner",
        "how_system": "expired automatically",
        "how_api": "recorded by our staff or systems",
        "how_import": "given before we used this system; imported from our earlier records",
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
        "email_label": "E-mailadresse",
        "signup_title": "Tilmeld dig",
        "signup_legend": "Hvad vil du gerne modtage?",
        "signup_note": "Vi sender først et bekræftelseslink; intet sendes, før du har fulgt det.",
        "signup_button": "Tilmeld",
        "sent_title": "Tjek din indbakke",
        "sent_confirm": "Hvis adressen er gyldig, er en besked med et bekræftelseslink på vej. "
                        "Din tilmelding træder først i kraft, når du følger linket.",
        "sent_preferences": "Hvis adressen er gyldig, er en besked med et link til dine "
                            "indstillinger på vej. Linket virker i {hours} timer.",
        "confirm_title": "Bekræft din tilmelding",
        "confirm_button": "Ja, bekræft",
        "confirmed_title": "Tak: bekræftet",
        "confirmed_body": "Dit samtykke er registreret. Du kan til enhver tid trække det "
                          "tilbage, lige så let som du gav det, med linket i hver besked "
                          "(GDPR art. 7, stk. 3).",
        "preferences_link": "Se og ændr alle dine valg",
        "pref_title": "Dine privatlivsindstillinger",
        "pref_intro": "Det er lige så let at trække et samtykke tilbage som at give det (GDPR "
                      "art. 7, stk. 3); du kan altid gøre indsigelse mod direkte markedsføring, "
                      "og så stopper vi (art. 21, stk. 3).",
        "pref_request_intro": "Vi sender et link til din adresse, så kun du kan se og ændre dine "
                              "valg.",
        "pref_request_button": "Send mig linket",
        "pref_now": "Nu:",
        "pref_on": "til",
        "pref_off": "fra",
        "basis_consent": "samtykke, GDPR art. 6, stk. 1, litra a",
        "basis_interest": "legitim interesse, GDPR art. 6, stk. 1, litra f: du kan gøre "
                          "indsigelse (art. 21)",
        "give": "Giv samtykke",
        "withdraw": "Træk samtykke tilbage",
        "object": "Gør indsigelse",
        "unobject": "Træk min indsigelse tilbage",
        "history": "Historik",
        "col_when": "Hvornår (UTC)",
        "col_what": "Hvad",
        "col_how": "Hvordan",
        "did_given": "samtykke givet",
        "did_withdrawn": "samtykke trukket tilbage",
        "did_refused": "afvist",
        "did_expired": "udløbet",
        "did_gpc_opt_out": "afvist af din browsers Global Privacy Control-signal",
        "did_objected": "indsigelse gjort",
        "how_double_opt_in": "bekræftet via linket, vi sendte dig på e-mail",
        "how_rfc8058_one_click": "afmelding med ét klik fra en e-mail",
        "how_unsubscribe_page": "afmeldingslink i en e-mail",
        "how_preference_center": "på denne side",
        "how_cookie_banner": "cookiebanner",
        "how_system": "udløb automatisk",
        "how_api": "registreret af vores medarbejdere eller systemer",
        "how_import": "givet, før vi tog dette system i brug; overført fra vores tidligere "
                      "registreringer",
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


def texts(policy: Policy, lang: str | None) -> dict[str, str]:
    """Every text in the language `language` picks for `lang` (for a page's template)."""
    return TEXTS[language(policy, lang)]


def how(lang: str, method: str) -> str:
    """A person-readable description of a ledger `method` code in `lang`; a code without an
    entry (e.g. a method named by an API caller) is shown as words."""
    return TEXTS[lang].get("how_" + method) or method.replace("_", " ")


def did(lang: str, action: str) -> str:
    """A person-readable ledger `action` in `lang`."""
    return TEXTS[lang].get("did_" + action) or action.replace("_", " ")
