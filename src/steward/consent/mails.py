"""The mails the consent capability sends, and the headers marketing mail must carry.

Marketing mail carries RFC 2369 `List-Unsubscribe` with an HTTPS one-click URL and RFC 8058
`List-Unsubscribe-Post: List-Unsubscribe=One-Click`, so mail clients can withdraw consent
without any further interaction (Art. 7(3): as easy as giving it; Art. 21(2)-(3)).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from steward.config import Settings
from steward.consent import mailtexts, tokens
from steward.mail import Mailer
from steward.policy.models import Policy


class _OneLine(str):
    """A header value written on one line, never refolded. Python's default mail policy
    folds a long header without spaces into RFC 2047 encoded-words (`=?utf-8?q?…?=`); a URL
    in `List-Unsubscribe` must stay a plain `<https://…>` (RFC 2369 §2, RFC 8058 §3) or mail
    clients cannot use it. RFC 5322 §2.1.1 allows lines of up to 998 characters."""

    name: str

    def __new__(cls, name: str, value: str) -> _OneLine:
        if "\r" in value or "\n" in value or len(name) + len(value) + 2 > 998:
            raise ValueError(f"{name} does not fit on one header line")
        obj = super().__new__(cls, value)
        obj.name = name
        return obj

    def fold(self, *, policy: Any) -> str:  # called by email.policy when writing headers
        return f"{self.name}: {self}{policy.linesep}"


def _url(settings: Settings, path: str, token: str) -> str:
    return f"{settings.base_url.rstrip('/')}{path}?token={quote(token)}"


def unsubscribe_url(settings: Settings, subject_ref: str, purpose: str,
                    lang: str | None = None) -> str:
    """The RFC 8058 one-click target for one recipient and purpose (a signed token, no
    address in it): POST withdraws at once, GET shows a confirm button."""
    return unsubscribe_urls(settings, purpose, lang)(subject_ref)


def unsubscribe_urls(settings: Settings, purpose: str,
                     lang: str | None = None) -> Callable[[str], str]:
    """subject reference -> its `unsubscribe_url` for `purpose`, for many recipients (the
    signer and base URL are prepared once)."""
    sign = tokens.maker(settings.resolved_secret_key(), "unsubscribe")
    extra = {"l": lang} if lang else {}  # the unsubscribe page speaks the subject's language

    def url(subject_ref: str) -> str:
        return _url(settings, "/privacy/unsubscribe", sign({"s": subject_ref, "p": purpose,
                                                            **extra}))

    return url


def marketing_headers(settings: Settings, subject_ref: str, purpose: str,
                      lang: str | None = None) -> dict[str, str]:
    """Headers for one marketing message to `subject_ref` under `purpose` (RFC 8058)."""
    return {
        "List-Unsubscribe": _OneLine(
            "List-Unsubscribe", f"<{unsubscribe_url(settings, subject_ref, purpose, lang)}>"),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def send_marketing(settings: Settings, *, to: str, subject_ref: str, purpose: str,
                   subject: str, text: str, html: str | None = None,
                   policy: Policy | None = None, lang: str | None = None) -> str:
    """Send one marketing message with the unsubscribe headers and a footer link (in the
    subject's language when `policy` and `lang` are given)."""
    ui = mailtexts.language(policy, lang) if policy is not None else "en"
    link = unsubscribe_url(settings, subject_ref, purpose, ui)
    footer = mailtexts.text(ui, "unsubscribe_footer", policy=policy, link=link)
    body = f"{text}\n\n--\n{footer}\n"
    return Mailer(settings).send(to=to, subject=subject, text=body, html=html,
                                 headers=marketing_headers(settings, subject_ref, purpose, ui))


def send_confirmation(settings: Settings, policy: Policy, *, to: str, token: str,
                      titles: list[str], lang: str | None = None) -> str:
    """The double opt-in mail, in the subject's language: nothing is sent to the list until
    this link is followed (Art. 7(1): consent shown by a clear affirmative act)."""
    ui = mailtexts.language(policy, lang)
    fields = {"controller": policy.controller.name, "titles": ", ".join(titles),
              "hours": tokens.MAX_AGE["confirm"] // 3600,
              "link": _url(settings, "/privacy/newsletter/confirm", token)}
    return Mailer(settings).send(
        to=to, subject=mailtexts.text(ui, "confirm_subject", policy=policy, **fields),
        text=mailtexts.text(ui, "confirm_body", policy=policy, **fields))


def send_preferences_link(settings: Settings, policy: Policy, *, to: str, token: str,
                          lang: str | None = None) -> str:
    """The preference-center link, in the subject's language."""
    ui = mailtexts.language(policy, lang)
    fields = {"controller": policy.controller.name,
              "hours": tokens.MAX_AGE["preferences"] // 3600,
              "link": _url(settings, "/privacy/preferences", token)}
    return Mailer(settings).send(
        to=to, subject=mailtexts.text(ui, "preferences_subject", policy=policy, **fields),
        text=mailtexts.text(ui, "preferences_body", policy=policy, **fields))

