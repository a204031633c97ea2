"""Privacy-center pages for consent: newsletter signup with double opt-in, its confirmation,
and the preference center reached by a verified e-mail link. Every form is CSRF-protected.
Pages speak the page's language: their texts are in `consent.mailtexts`, beside the mails'."""

from __future__ import annotations

from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from steward import i18n
from steward.consent import mailtexts, optin, preferences, tokens
from steward.consent.snapshots import purpose_notice
from steward.policy.models import Policy
from steward.web.deps import PUBLIC, PolicyDep, SessionDep, SettingsDep, render
from steward.web.security import client_id, csrf_protect

router = APIRouter(prefix="/privacy", dependencies=[Depends(csrf_protect)])


def _lang(policy: Policy, lang: str | None) -> str:
    """The language a form or link names, else the one chosen for this request."""
    langs = policy.policy.languages
    if lang is not None and lang in langs:
        return lang
    return i18n.current() if i18n.current() in langs else langs[0]


def _page(request: Request, name: str, ctx: dict[str, object], status: int = 200) -> Response:
    """Render a page; `lang` in ctx picks its texts (`t`, `_()`) and the html lang attribute."""
    policy: Policy = request.app.state.policy
    ui = mailtexts.language(policy, str(ctx.get("lang") or ""))
    with i18n.language(ui):
        ctx = {**ctx, "lang": ui, "t": mailtexts.texts(policy, ui)}
        return render(request, f"center/consent/{name}", ctx, status_code=status)


def _limit(request: Request) -> None:
    st = request.app.state
    st.limiter.hit("consent-center", client_id(request), limit=st.settings.rate_limit_per_minute)


@router.get("/newsletter", dependencies=[PUBLIC], include_in_schema=False)
def newsletter_form(request: Request, policy: PolicyDep, lang: str | None = None) -> Response:
    lang = _lang(policy, lang)
    notices = [purpose_notice(policy, k, lang) for k in optin.signup_purposes(policy)]
    return _page(request, "newsletter.html", {"notices": notices, "lang": lang})


@router.post("/newsletter", dependencies=[PUBLIC], include_in_schema=False)
async def newsletter_signup(request: Request, policy: PolicyDep, settings: SettingsDep,
                            email: str = Form(""), lang: str = Form("en")) -> Response:
    _limit(request)
    form = await request.form()
    chosen = [str(v) for v in form.getlist("purpose")]
    lang = _lang(policy, lang)
    await run_in_threadpool(optin.start, settings, policy, email=email, purposes=chosen,
                            lang=lang, source_page="/privacy/newsletter")
    return _page(request, "sent.html", {"lang": lang, "what": "confirm"})


@router.get("/newsletter/confirm", dependencies=[PUBLIC], include_in_schema=False)
def confirm_page(request: Request, settings: SettingsDep, token: str = "") -> Response:
    # Mail scanners follow links: showing a button first keeps them from confirming.
    data = tokens.read(settings.resolved_secret_key(), "confirm", token)
    return _page(request, "confirm.html", {"token": token, "purposes": data.get("p") or [],
                                           "lang": str(data.get("l") or "")})


@router.post("/newsletter/confirm", dependencies=[PUBLIC], include_in_schema=False)
def confirm(request: Request, session: SessionDep, policy: PolicyDep, settings: SettingsDep,
            token: str = Form("")) -> Response:
    events = optin.confirm(session, settings, policy, token, ip_address=client_id(request))
    lang = str(tokens.read(settings.resolved_secret_key(), "confirm", token).get("l") or "")
    return _page(request, "done.html", {"message": "confirmed", "count": len(events),
                                        "lang": lang})


@router.get("/preferences", dependencies=[PUBLIC], include_in_schema=False)
def preferences_page(request: Request, session: SessionDep, policy: PolicyDep,
                     settings: SettingsDep, token: str = "", lang: str | None = None) -> Response:
    if not token:
        return _page(request, "preferences_request.html", {"lang": _lang(policy, lang)})
    data = tokens.read(settings.resolved_secret_key(), "preferences", token)
    lang = _lang(policy, str(data.get("l")))
    rows = preferences.view(session, policy, str(data.get("s")), lang)
    ui = mailtexts.language(policy, lang)
    return _page(request, "preferences.html", {
        "rows": rows, "token": token, "lang": lang,
        "how": lambda method: mailtexts.how(ui, method),
        "did": lambda action: mailtexts.did(ui, action)})


@router.post("/preferences/link", dependencies=[PUBLIC], include_in_schema=False)
async def preferences_link(request: Request, policy: PolicyDep, settings: SettingsDep,
                           email: str = Form(""), lang: str = Form("en")) -> Response:
    _limit(request)
    lang = _lang(policy, lang)
    await run_in_threadpool(preferences.send_link, settings, policy, email=email, lang=lang)
    return _page(request, "sent.html", {"lang": lang, "what": "preferences",
                                        "hours": tokens.MAX_AGE["preferences"] // 3600})


@router.post("/preferences", dependencies=[PUBLIC], include_in_schema=False)
def preferences_change(request: Request, session: SessionDep, policy: PolicyDep,
                       settings: SettingsDep, token: str = Form(""), purpose: str = Form(""),
                       value: str = Form("")) -> Response:
    preferences.change(session, settings, policy, token, purpose=purpose, on=value == "on",
                       ip_address=client_id(request))
    return RedirectResponse(f"/privacy/preferences?token={quote(token)}", status_code=303)
