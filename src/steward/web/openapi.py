"""The OpenAPI document says what each route really answers.

FastAPI declares `application/json` for every route that returns a plain `Response`. Here a
route returning a `Response` (not a model or a dict) is declared by what it is:
- a download (it takes a `format` or `fmt` parameter): the media type of each format it
  accepts (CSV, Excel, JSON, Markdown, text);
- any other route outside /api/: an HTML page (`text/html`);
- `MEDIA_OVERRIDES` for the few that are neither.
Routes that declared their responses themselves are left alone.
"""

from __future__ import annotations

import re
import typing
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.responses import Response

from steward.web.routes import api_routes

FORMAT_MEDIA = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "json": "application/json",
    "md": "text/markdown",
    "txt": "text/plain",
}
HTML = "text/html"
MEDIA_OVERRIDES = {("GET", "/privacy/download/{token}"): ["application/zip", HTML]}
_ALTERNATIVES = re.compile(r"^\^\(([a-z|]+)\)\$$")


def _returns_response(route: APIRoute) -> bool:
    try:
        hint = typing.get_type_hints(route.endpoint).get("return")
    except (NameError, TypeError):
        return False
    return isinstance(hint, type) and issubclass(hint, Response)


def _formats(route: APIRoute) -> list[str] | None:
    """The formats a download route accepts, from its `format`/`fmt` parameter's pattern (all
    known ones when the parameter has none); None for a route that is not a download."""
    params = route.dependant.query_params + route.dependant.path_params
    for p in params:
        if p.name not in ("format", "fmt"):
            continue
        for meta in p.field_info.metadata:
            pattern = getattr(meta, "pattern", None)
            m = _ALTERNATIVES.match(pattern) if isinstance(pattern, str) else None
            if m:
                return [f for f in m.group(1).split("|") if f in FORMAT_MEDIA]
        return ["csv", "xlsx", "json"]
    return None


def media_types(route: APIRoute, method: str) -> list[str] | None:
    """The media types `route` answers with, or None to keep what FastAPI declared."""
    if (method, route.path) in MEDIA_OVERRIDES:
        return MEDIA_OVERRIDES[(method, route.path)]
    if not _returns_response(route):
        return None
    formats = _formats(route)
    if formats is not None:
        return [FORMAT_MEDIA[f] for f in formats]
    if route.path.startswith("/api/"):
        return None
    return [HTML]


def declare_media_types(doc: dict[str, Any]) -> dict[str, Any]:
    """Rewrite, in `doc` (FastAPI's OpenAPI document), the success responses of routes that
    return a plain `Response` with their real media types; returns `doc`."""
    for route in api_routes():
        if not route.include_in_schema:
            continue
        for method in route.methods or ():
            op = doc.get("paths", {}).get(route.path, {}).get(method.lower())
            kinds = media_types(route, method)
            if op is None or kinds is None:
                continue
            for code, response in op.get("responses", {}).items():
                if code.startswith("2") and set(response.get("content", {})) <= {
                    "application/json"
                }:
                    schema = {"type": "string", "format": "binary"} if HTML not in kinds \
                        else {"type": "string"}
                    response["content"] = {k: {"schema": schema} for k in kinds}
    return doc


def install(app: FastAPI) -> None:
    """Make `app.openapi()` (served at the OpenAPI URL) declare the real media types."""
    generate = app.openapi
    done: list[bool] = []

    def openapi() -> dict[str, Any]:
        doc = generate()  # FastAPI's own, cached on the app
        if not done:
            declare_media_types(doc)
            done.append(True)
        return doc

    app.openapi = openapi  # type: ignore[method-assign]
