"""The public privacy notice and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from markupsafe import Markup

from steward import i18n
from steward.policy.render import render_notice
from steward.web.deps import PUBLIC, PolicyDep, render

router = APIRouter()


@router.get("/", dependencies=[PUBLIC], include_in_schema=False)
def home() -> Response:
    return RedirectResponse("/privacy", status_code=307)


@router.get("/privacy", dependencies=[PUBLIC], include_in_schema=False)
def notice(request: Request, policy: PolicyDep) -> Response:
    # The language chosen for this request (`?lang=`, the cookie, Accept-Language, the default:
    # steward.web.language), always one the policy publishes in.
    lang = i18n.current()
    return render(
        request, "center/notice.html",
        {"notice": Markup(render_notice(policy, lang=lang, fmt="html")), "policy": policy,
         "lang": lang},
    )


@router.get("/healthz", dependencies=[PUBLIC])
def healthz() -> dict[str, str]:
    return {"status": "ok"}
