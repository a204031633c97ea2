"""Bounded input: every request is checked before any route reads it.

One pure ASGI middleware, `InputBounds`, in this order:
1. ids in the path beyond the store's integer range (2^63 - 1) name nothing: 404, before a
   database driver is asked to bind a number it cannot hold;
2. every unsafe request (POST, PUT, PATCH, DELETE) to a public route counts against the
   public rate limit, valid or not: an oversized or malformed body is a request too;
3. the request body is limited per route class (forms and JSON small, bulk lists larger,
   both in the settings): a `Content-Length` over the limit is refused at once, and a body
   without one is counted while it streams, so nothing over the limit is ever buffered.
Refusals are problem documents (RFC 9457) with 404, 429 or 413.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from steward.config import Settings
from steward.errors import TooManyRequests
from steward.web.deps import Public
from steward.web.routes import api_routes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

# Store ids are 64-bit signed integers (BIGINT on PostgreSQL and MariaDB, INTEGER on SQLite).
MAX_ID = 2**63 - 1
_NUMBER = re.compile(r"[+-]?[0-9]+")
UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Routes that take bulk lists (affected subjects of a breach, consent batches): the larger
# limit. Keyed by the route's path template.
LARGE_BODY_ROUTES = frozenset({
    "/api/breaches/{breach_id}/affected",
    "/console/breaches/{breach_id}/affected",
    "/api/consent/filter",
    "/api/consent/events",
    "/console/consent/import",  # a CSV of consents given before Steward
    # A message with an attachment (its own limit, `attachment_limit_bytes`, is checked after).
    "/privacy/requests/{public_id}/messages",
    "/console/requests/{req_id}/messages",
})
# Public routes with a looser per-client limit than `rate_limit_per_minute`: the setting that
# holds theirs. (The cookie banner posts one decision per visitor and page.)
LOOSER_PUBLIC = {
    "/consent/events": "consent_events_per_minute",
    # The statistics script posts one event per page view.
    "/analytics/event": "analytics_events_per_minute",
}


class BodyTooLarge(HTTPException):
    """Raised from `receive` when a streamed body passes its limit. An HTTPException, so the
    framework's body parsing lets it through to the 413 handler unchanged."""

    def __init__(self, limit: int) -> None:
        # `connection: close`: the server stops reading the rest instead of draining it.
        super().__init__(413, f"the request body is larger than {limit:,} bytes",
                         headers={"connection": "close"})


@dataclass(frozen=True)
class _Route:
    regex: re.Pattern[str]
    path: str
    methods: frozenset[str]
    public: bool


def _is_public(route: APIRoute) -> bool:
    def walk(dep: Any) -> bool:
        return any(isinstance(sub.call, Public) or walk(sub) for sub in dep.dependencies)

    return walk(route.dependant)


def id_out_of_range(path: str) -> bool:
    """True when a segment of `path` is an integer no store id can equal."""
    return any(_NUMBER.fullmatch(seg) and abs(int(seg)) > MAX_ID
               for seg in path.split("/") if 18 < len(seg) < 5000)


class InputBounds:
    """The middleware. `fastapi_app` holds the settings and the rate limiter; the route table
    (`steward.web.routes`) is read at the first request."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], *,
                 fastapi_app: FastAPI) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self._routes: list[_Route] | None = None

    def routes(self) -> list[_Route]:
        if self._routes is None:
            self._routes = [
                _Route(r.path_regex, r.path, frozenset(r.methods or ()), _is_public(r))
                for r in api_routes()
            ]
        return self._routes

    def _route(self, path: str, method: str) -> _Route | None:
        for r in self.routes():
            if method in r.methods and r.regex.match(path):
                return r
        return None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        if id_out_of_range(path):
            await self._refuse(scope, receive, send, 404, "Not found", "no such item")
            return
        method: str = scope["method"]
        settings: Settings = self.fastapi_app.state.settings
        route = self._route(path, method) if method in UNSAFE else None
        if route is not None and route.public:
            limit = getattr(settings, LOOSER_PUBLIC.get(route.path, "rate_limit_per_minute"))
            client = scope.get("client")
            try:
                self.fastapi_app.state.limiter.hit(f"public:{route.path}",
                                                   client[0] if client else "unknown",
                                                   limit=int(limit))
            except TooManyRequests as err:
                await self._refuse(scope, receive, send, 429, err.title, err.detail)
                return
        limit = (settings.upload_limit_bytes if route is not None
                 and route.path in LARGE_BODY_ROUTES else settings.body_limit_bytes)
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await self._refuse(scope, receive, send, 413, "Request body too large",
                               BodyTooLarge(limit).detail)
            return
        seen = 0

        async def bounded() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        await self.app(scope, bounded, send)

    async def _refuse(self, scope: Scope, receive: Receive, send: Send, status: int,
                      title: str, detail: str) -> None:
        from steward.web.problems import problem

        response = problem(status, title, detail, Request(scope, receive))
        if status == 413:
            # The rest of the body is not read: the connection is not reused.
            response.headers["connection"] = "close"
        await response(scope, receive, send)


def _content_length(scope: Scope) -> int | None:
    for key, value in scope.get("headers", ()):
        if key == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None
