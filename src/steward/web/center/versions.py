"""Earlier versions of the privacy notice, each as it was published, with what changed."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup

from steward import i18n
from steward.policy.render import render_notice
from steward.publication.announcements import for_version
from steward.publication.versions import changes_since_previous, history, load_version
from steward.web.deps import PUBLIC, SessionDep, render

router = APIRouter(prefix="/privacy/versions")


@router.get("", dependencies=[PUBLIC])
def versions(request: Request, session: SessionDep) -> Response:
    return render(request, "center/versions.html", {
        "versions": [(v, for_version(session, v.id)) for v in history(session)]})


@router.get("/{version_id}", dependencies=[PUBLIC])
def version(request: Request, session: SessionDep, version_id: int) -> Response:
    row, policy = load_version(session, version_id)
    changes = changes_since_previous(session, version_id)
    # The new purposes this version announces, with the date each may start (Art. 13(3)).
    # In the language chosen for the request when that version published in it.
    lang = i18n.current() if i18n.current() in policy.policy.languages else None
    announced = [(a, policy.text(policy.purpose(a.purpose).title, lang))
                 for a in for_version(session, version_id)]
    return render(
        request, "center/version.html",
        {"row": row, "changes": changes, "announced": announced,
         "notice": Markup(render_notice(policy, lang=lang, fmt="html"))},
    )
