"""The controllers' portal (GDPR Art. 28(3)(e)): a customer company's admin passes on an
employee's request and fetches the answers with the controller's API key.

The key is typed into each form (no cookie is set), so there is no ambient credential for a
cross-site form to ride on; pages are never cached. Another controller's request is the same
"not found" as an unknown one, and the attempt is filed in the audit log.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response

from steward.errors import InvalidInput, NotFound
from steward.i18n import gettext as _
from steward.requests import assisted
from steward.requests.workflow import sealer_for
from steward.web.api.controllers import Caller, caller_for
from steward.web.console.desk import state_labels
from steward.web.deps import PUBLIC, PolicyDep, SessionDep, SettingsDep, render

router = APIRouter()


def assisted_label(type_: str) -> str:
    """The request type as the portal names it, with its article."""
    labels = {
        "access": _("Access (GDPR Art. 15)"),
        "erasure": _("Erasure (GDPR Art. 17)"),
        "rectification": _("Rectification (GDPR Art. 16)"),
        "restriction": _("Restriction (GDPR Art. 18)"),
    }
    return labels.get(type_, type_)


PAGE = "center/controllers/portal.html"
NO_STORE = {"cache-control": "no-store"}


def _changes(text: str) -> dict[str, str]:
    """`system.table.field = new value`, one a line (rectification, Art. 16)."""
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip():
            out[key.strip()] = value.strip()
    return out


def _page(
    request: Request,
    session: Any,
    policy: Any,
    caller: Caller | None,
    key: str,
    *,
    error: str = "",
    notice: str = "",
    status: int = 200,
) -> Response:
    rows = []
    name = ""
    if caller is not None:
        from steward.policy.tenancy import find

        name = find(policy, caller.controller).controller.name
        rows = [
            assisted.answer(session, policy, r)
            for r in assisted.listing(session, caller.controller)
        ]
    resp = render(
        request,
        PAGE,
        {
            "caller": caller,
            "controller_name": name,
            "key": key if caller else "",
            "rows": rows,
            "error": error,
            "notice": notice,
            "types": [(t, assisted_label(t)) for t in assisted.TYPES],
            "labels": {t: assisted_label(t) for t in assisted.TYPES},
            "states": state_labels(),
        },
        status_code=status,
    )
    resp.headers.update(NO_STORE)
    return resp


@router.get("/controllers/portal", dependencies=[PUBLIC], include_in_schema=False)
def portal(request: Request, session: SessionDep, policy: PolicyDep) -> Response:
    return _page(request, session, policy, None, "")


@router.post("/controllers/portal", dependencies=[PUBLIC], include_in_schema=False)
def act(
    request: Request,
    session: SessionDep,
    policy: PolicyDep,
    settings: SettingsDep,
    key: str = Form(""),
    action: str = Form("list"),
    type: str = Form(""),
    name: str = Form(""),
    email: str = Form(""),
    phone: str = Form(""),
    received_on: str = Form(""),
    details: str = Form(""),
    public_id: str = Form(""),
    changes: str = Form(""),
) -> Response:
    caller = caller_for(request, key.strip()) if key.strip() else None
    if caller is None:
        return _page(
            request,
            session,
            policy,
            None,
            "",
            error=_("The key is not valid (or was revoked)."),
            status=422,
        )
    if action == "submit":
        identities = {k: [v.strip()] for k, v in (("email", email), ("phone", phone)) if v.strip()}
        try:
            # Every check comes before the first write: a refused form stored nothing.
            req = assisted.submit(
                session,
                policy,
                sealer_for(settings),
                controller=caller.controller,
                type=type,
                name=name,
                identities=identities,
                received_on=received_on or None,
                details=details or None,
                changes=_changes(changes),
                actor=caller.actor,
            )
        except InvalidInput as err:
            return _page(request, session, policy, caller, key, error=err.detail, status=422)
        return _page(
            request,
            session,
            policy,
            caller,
            key,
            notice=_("Request %(id)s received.") % {"id": req.public_id[:8]},
        )
    if action in ("package", "report"):
        own = assisted.for_controller(session, caller.controller, public_id)
        if own is None:
            # Filed in this transaction: the page below is an answer, not an error.
            assisted.refuse(session, caller.controller, public_id, caller.actor, action)
            return _page(
                request, session, policy, caller, key, error=_("No such request."), status=404
            )
        try:
            if action == "package":
                filename, blob = assisted.package(
                    session, sealer_for(settings), settings.data_dir, own, caller.actor
                )
                return Response(
                    blob,
                    media_type="application/zip",
                    headers={
                        "content-disposition": f'attachment; filename="{filename}"',
                        **NO_STORE,
                    },
                )
            if not own.letter:
                raise NotFound(_("The request is not answered yet."))
        except NotFound as err:
            return _page(request, session, policy, caller, key, error=err.detail, status=404)
        text = sealer_for(settings).open_text(own.letter) or ""
        return Response(text, media_type="text/plain; charset=utf-8", headers=NO_STORE)
    return _page(request, session, policy, caller, key)
