"""The public side of visitor statistics: the script and the event endpoint.

Every event gets 204 whatever became of it (counted, malformed, oversized, a replay, a bot, a
Do Not Track/GPC signal), so the answer tells a prober nothing; only an undeclared site or
host is refused (403), and a flood from one address is rate-limited (429).
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from steward.analytics.events import MAX_EVENT_BYTES, UnknownSite
from steward.analytics.ingest import Collector, Signals
from steward.errors import NotFound
from steward.store.db import transaction
from steward.web.deps import PUBLIC, Public
from steward.web.problems import PROBLEM
from steward.web.security import client_id

router = APIRouter()


class _Public(Public):
    """`Public`, awaited in the event loop: the event endpoint's hottest path, where a hop to
    the thread pool for a dependency that does nothing would cost more than counting."""

    async def __call__(self, request: Request) -> None:  # type: ignore[override]
        request.state.user = None


EVENT_PUBLIC = Depends(_Public())
SCRIPT = Path(__file__).resolve().parents[1] / "static" / "analytics" / "script.js"


@lru_cache(maxsize=1)
def _script() -> bytes:
    return SCRIPT.read_bytes()


def collector(request: Request) -> Collector:
    """This app's collector (one per process: the daily salt lives in its memory)."""
    state = request.app.state
    if state.policy.analytics is None:
        raise NotFound("visitor statistics are not enabled in the policy")
    found = state.extras.get("analytics")
    if found is None:
        found = state.extras["analytics"] = Collector(state.policy.analytics)
    return found  # type: ignore[no-any-return]


def flush(request: Request) -> None:
    """Write the collector's pending totals now (the console calls it before reading)."""
    c = collector(request)
    with transaction(request.app.state.sessionmaker) as s:
        c.flush(s)


async def _body(request: Request) -> bytes | None:
    """The body, or None once it passes the limit (abandoned, never held whole)."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_EVENT_BYTES:
        return None
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > MAX_EVENT_BYTES:
            return None
    return bytes(body)


@router.get("/analytics/script.js", dependencies=[PUBLIC], include_in_schema=False)
def script() -> Response:
    return Response(_script(), media_type="text/javascript",
                    headers={"cache-control": "public, max-age=86400",
                             "access-control-allow-origin": "*"})


@router.post("/analytics/event", dependencies=[EVENT_PUBLIC], include_in_schema=False)
async def event(request: Request) -> Response:
    c = collector(request)
    state = request.app.state
    ip = client_id(request)
    state.limiter.hit("analytics-events", ip, limit=state.settings.analytics_events_per_minute)
    raw = await _body(request)
    if raw is not None:
        h = request.headers
        try:
            c.offer(raw, Signals(ip=ip, user_agent=h.get("user-agent", ""),
                                 accept_language=h.get("accept-language", ""),
                                 dnt=h.get("dnt", "").strip() == "1",
                                 gpc=h.get("sec-gpc", "").strip() == "1",
                                 origin=h.get("origin")))
        except UnknownSite as err:
            # Always a problem document: the script posts text/plain, and no page asks here.
            return JSONResponse({"type": "about:blank", "title": err.title, "status": err.status,
                                 "detail": err.detail, "instance": request.url.path},
                                status_code=err.status, media_type=PROBLEM)
        if c.due():
            await run_in_threadpool(flush, request)
    return Response(status_code=204)
