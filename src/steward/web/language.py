"""The language of each request: chosen once, before any route runs, so pages, error pages and
problem documents all speak it (steward.i18n's context variable holds it for the request).

Order: `?lang=` (then remembered in a cookie), the cookie, `Accept-Language`, the policy's
default language (its first). Only languages the policy publishes in are chosen. The cookie
holds a preference the person set by clicking the language switch: a user-interface
customisation cookie, exempt from consent (ePrivacy Art. 5(3), WP29 Opinion 04/2012 §3.6).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from starlette.datastructures import Headers
from starlette.requests import cookie_parser
from starlette.types import ASGIApp, Message, Scope

from steward import i18n
from steward.i18n.negotiate import COOKIE, QUERY, choose, match

ONE_YEAR = 365 * 24 * 3600


class LanguageChoice:
    """Pure ASGI middleware: sets the language in force (and the policy's text overrides in it)
    for the whole request, and remembers an explicit `?lang=` in a cookie."""

    def __init__(self, app: ASGIApp, *, fastapi_app: Any, secure: bool) -> None:
        self.app = app
        self.fastapi_app = fastapi_app
        self.secure = secure

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = self.fastapi_app.state.policy
        offered = policy.policy.languages
        query = None
        for name, value in parse_qsl(
            scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True
        ):
            if name == QUERY:
                query = value
        headers = Headers(scope=scope)
        cookie = cookie_parser(headers.get("cookie", "")).get(COOKIE)
        lang = choose(
            offered=offered,
            query=query,
            cookie=cookie,
            accept_language=headers.get("accept-language"),
        )
        scope.setdefault("state", {})["lang"] = lang
        remember = query is not None and match(query, offered) is not None and cookie != lang

        async def _send(message: Message) -> None:
            if remember and message["type"] == "http.response.start":
                value = f"{COOKIE}={lang}; Path=/; Max-Age={ONE_YEAR}; SameSite=Lax"
                if self.secure:
                    value += "; Secure"
                message.setdefault("headers", []).append((b"set-cookie", value.encode()))
            await send(message)

        with i18n.language(lang, policy.texts):
            await self.app(scope, receive, _send)


def switch_links(path: str, query_string: str, offered: list[str]) -> list[dict[str, str]]:
    """One link per language the policy publishes in, to this same page (its other query
    parameters kept): the visible language switch, which needs no JavaScript."""
    path = "/" + path.lstrip("/")  # never `//host`: a link to another site
    kept = [(k, v) for k, v in parse_qsl(query_string, keep_blank_values=True) if k != QUERY]
    return [
        {"lang": lang, "href": f"{path}?{urlencode([*kept, (QUERY, lang)])}"} for lang in offered
    ]
