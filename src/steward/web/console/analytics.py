"""Console pages for visitor statistics: visits and visitors per day, top pages, referring
domains, countries and devices over a chosen range, as server-rendered SVG, and a CSV export
of the hourly totals."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session
from starlette.concurrency import run_in_threadpool

from steward.analytics import report
from steward.errors import InvalidInput
from steward.i18n import N_
from steward.i18n import gettext as _
from steward.policy.models import Policy
from steward.web.center.analytics import flush
from steward.web.console.analytics_chart import daily, ranking
from steward.web.console.dashboard import Card
from steward.web.deps import PolicyDep, SessionDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/analytics", dependencies=[Depends(csrf_protect)])
RANKINGS = (("page", N_("Top pages")), ("referrer", N_("Top referring domains")),
            ("country", N_("Countries (browser language)")), ("device", N_("Devices")))


def _range(start: str, end: str) -> tuple[date, date]:
    try:
        last = date.fromisoformat(end) if end else datetime.now(UTC).date()
        first = date.fromisoformat(start) if start else last - timedelta(days=29)
    except ValueError:
        raise InvalidInput("dates are written YYYY-MM-DD") from None
    return first, last


@router.get("", response_class=HTMLResponse)
async def overview(request: Request, user: Viewer, policy: PolicyDep, site: str = "",
                   start: str = "", end: str = "") -> Response:
    await run_in_threadpool(flush, request)  # what has gathered in memory shows at once
    first, last = _range(start, end)

    def build() -> Response:
        with request.app.state.read_sessionmaker() as s:
            rep = report.build(s, first=first, last=last, site=site or None)
        assert policy.analytics is not None  # flush() refused otherwise
        return render(request, "console/analytics/overview.html", {
            "rep": rep, "daily": daily(rep), "site": site, "sites": policy.analytics.sites,
            "text": policy.text,
            "rankings": [(_(title), ranking(dim, _(title), rep.top[dim]))
                         for dim, title in RANKINGS],
        })

    return await run_in_threadpool(build)


@router.get(".csv", response_class=Response,
            responses={200: {"content": {"text/csv": {}}, "description": "hourly totals"}})
async def export(request: Request, user: Viewer, session: SessionDep, site: str = "",
                 start: str = "", end: str = "") -> Response:
    await run_in_threadpool(flush, request)
    first, last = _range(start, end)
    body = report.csv_text(session, first=first, last=last, site=site or None)
    name = f"visits-{first.isoformat()}-{last.isoformat()}.csv"
    return Response(body, media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


def cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard provider: page views and daily visitors over the last 7 days (UTC), as
    written so far (the in-memory totals of the last seconds join at the next flush)."""
    if policy.analytics is None:
        return []
    last = datetime.now(UTC).date()
    rep = report.build(session, first=last - timedelta(days=6), last=last, top=3)
    lines = [_("{n} views: {path}").format(n=n, path=path) for path, n in rep.top["page"]]
    return [Card(_("Page views, 7 days"), str(rep.total_views), "/console/analytics",
                 note=_("{n} daily visitors; no cookie").format(n=rep.total_visitors),
                 lines=lines)]
