"""One-click unsubscribe (RFC 8058): the signed token in the URL is the authorization.

A POST to the `List-Unsubscribe` URL (body `List-Unsubscribe=One-Click`, sent by mail clients)
withdraws without any further interaction; a GET shows a page with a confirm button, because
mail scanners pre-fetch links. No CSRF token here: mail clients post without a session, and a
forged request would need a valid signed token anyway. Tampered or expired → 400, no change.
"""

from __future__ import annotations

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from steward import i18n
from steward.consent import mailtexts, preferences, tokens
from steward.consent.purposes import resolve
from steward.policy.models import Policy
from steward.web.deps import PUBLIC, PolicyDep, SessionDep, SettingsDep, render
from steward.web.security import client_id

router = APIRouter(prefix="/privacy")


def _texts(policy: Policy, data: dict[str, object]) -> dict[str, str]:
    """The page's texts in the language the mail was written in (kept in the token)."""
    return mailtexts.texts(policy, str(data.get("l") or ""))


@router.get("/unsubscribe", dependencies=[PUBLIC], include_in_schema=False)
def unsubscribe_page(request: Request, policy: PolicyDep, settings: SettingsDep,
                     token: str = "") -> Response:
    data = tokens.read(settings.resolved_secret_key(), "unsubscribe", token)
    texts = _texts(policy, data)
    lang = mailtexts.language(policy, str(data.get("l") or ""))
    info = resolve(policy, str(data.get("p", "")), lang)
    with i18n.language(lang):  # the page speaks the mail's language
        return render(
            request, "center/consent/unsubscribe.html",
            {"token": token, "heading": texts["unsubscribe_title"].format(title=info.title),
             "button": texts["unsubscribe_button"], "lang": lang})


@router.post("/unsubscribe", dependencies=[PUBLIC], include_in_schema=False)
def unsubscribe(request: Request, policy: PolicyDep, settings: SettingsDep,
                session: SessionDep, token: str = "",
                list_unsubscribe: str = Form("", alias="List-Unsubscribe")) -> Response:
    # A bad or expired token raises BadToken (400) before anything is written.
    event = preferences.unsubscribe(session, settings, policy, token,
                                    one_click=list_unsubscribe == "One-Click",
                                    ip_address=client_id(request))
    data = tokens.read(settings.resolved_secret_key(), "unsubscribe", token)
    lang = mailtexts.language(policy, str(data.get("l") or ""))
    with i18n.language(lang):
        return render(
            request, "center/consent/done.html",
            {"message": "unsubscribed", "count": 1 if event else 0, "t": _texts(policy, data),
             "lang": lang})
