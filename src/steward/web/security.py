"""Security headers (with a per-request CSP nonce), CSRF tokens and a rate limiter.

The CSP allows no inline script or style: every script is a file under /static or served by
Steward itself; a nonce is available (`request.state.csp_nonce`) for pages that must embed one.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, MutableMapping
from typing import Any

from fastapi import Request
from starlette.datastructures import FormData

from steward.errors import Forbidden, TooManyRequests
from steward.web.ratelimit_backends import CounterBackend, MemoryCounters

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
ASGIApp = Callable[
    [Scope, Callable[[], Awaitable[Message]], Callable[[Message], Awaitable[None]]], Awaitable[None]
]


def csp(nonce: str) -> str:
    return (
        "default-src 'self'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self'; "
        "img-src 'self' data:; "
        "connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
    )


# Static files and the cookie banner's assets set their own caching; every other response is
# `no-store` unless its route chose a cache policy.
CACHEABLE = ("/static/", "/consent/", "/.well-known/")


class SecurityHeaders:
    """Pure ASGI middleware: adds security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, hsts: bool) -> None:
        self.app = app
        self.hsts = hsts

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = secrets.token_urlsafe(16)
        scope.setdefault("state", {})["csp_nonce"] = nonce

        async def _send(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = message.setdefault("headers", [])
                existing = {k.lower() for k, _ in headers}
                add = [
                    (b"x-content-type-options", b"nosniff"),
                    (b"x-frame-options", b"DENY"),
                    (b"referrer-policy", b"same-origin"),
                    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
                    (b"cross-origin-opener-policy", b"same-origin"),
                    (b"content-security-policy", csp(nonce).encode()),
                ]
                if self.hsts:
                    add.append((b"strict-transport-security", b"max-age=31536000"))
                if not scope["path"].startswith(CACHEABLE):
                    # Pages show personal data (requests, consent history, the console): no
                    # browser or proxy keeps a copy for the next user of the machine.
                    add.append((b"cache-control", b"no-store"))
                # A header the route set itself is its own choice (a page's own CSP, a
                # file's own cache policy): kept as it is, not sent a second time.
                headers.extend(h for h in add if h[0] not in existing)
            await send(message)

        await self.app(scope, receive, _send)


# --- CSRF ------------------------------------------------------------------------------------

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created on first use (synchronizer-token pattern)."""
    token = request.session.get("csrf")
    if not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return str(token)


async def check_csrf(request: Request) -> FormData | None:
    """Raise Forbidden unless an unsafe request echoes the session's token (in the
    `X-CSRF-Token` header or the form's `csrf_token` field); returns the form it read, if
    any (closed here when the check fails)."""
    if request.method not in UNSAFE:
        return None
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    form = None
    if not sent:
        ctype = request.headers.get("content-type", "")
        if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()
            value = form.get(CSRF_FIELD)
            sent = value if isinstance(value, str) else None
    if not expected or not sent or not hmac.compare_digest(str(expected), sent):
        if form is not None:
            await form.close()
        raise Forbidden(
            "the form has expired or did not come from this site (CSRF check); "
            "reload the page and try again"
        )
    return form


async def csrf_protect(request: Request) -> AsyncIterator[None]:
    """Dependency for form routes: unsafe methods must echo the session's token. The form
    read for the check is closed when the request ends, so an upload's spooled files never
    outlive it, whether the route ran or a later guard (the role check) refused it."""
    form = await check_csrf(request)
    try:
        yield
    finally:
        if form is not None:
            await form.close()


# --- rate limiting ---------------------------------------------------------------------------


class RateLimiter:
    """Fixed-window counter per (bucket, client). The counters live in `backend`
    (`web/ratelimit_backends.py`): this process's memory by default, Redis when several
    processes serve one installation, so that one limit holds across all of them."""

    def __init__(self, backend: CounterBackend | None = None) -> None:
        self._backend = backend or MemoryCounters()

    def hit(self, bucket: str, client: str, *, limit: int, window: float = 60.0) -> None:
        count, left = self._backend.hit(f"{bucket}\x1f{client}", window)
        if count > limit:
            raise TooManyRequests(f"too many requests; try again in {int(left) + 1} s")

    def reset(self, bucket: str, client: str) -> None:
        self._backend.reset(f"{bucket}\x1f{client}")


def client_id(request: Request) -> str:
    return request.client.host if request.client else "unknown"


# --- access log ------------------------------------------------------------------------------


class QueryRedactor(logging.Filter):
    """Drops the query string from uvicorn's access-log lines.

    Queries carry personal data and bearer secrets (`/api/consent/check?subject=<e-mail>`,
    the console's subject search, signed e-mail links `?token=`): the access log keeps the
    path only. Uvicorn logs `(client, method, path?query, http version, status)`.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        args = record.args
        if isinstance(args, tuple) and len(args) >= 3 and isinstance(args[2], str):
            path, sep, _ = args[2].partition("?")
            if sep:
                record.args = (*args[:2], path + "?[redacted]", *args[3:])
        return True


def redact_access_log(logger_name: str = "uvicorn.access") -> None:
    """Install `QueryRedactor` on the access logger once (app factories may run many times)."""
    logger = logging.getLogger(logger_name)
    if not any(isinstance(f, QueryRedactor) for f in logger.filters):
        logger.addFilter(QueryRedactor())
