"""RFC 9457 problem documents for the API, friendly error pages for HTML routes.

Domain errors (steward.errors) carry their status; this is the one place that maps them.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DataError, NoResultFound
from starlette.exceptions import HTTPException as StarletteHTTPException

from steward.errors import PolicyError, StewardError
from steward.i18n import N_
from steward.web.deps import render

log = logging.getLogger("steward.web")
PROBLEM = "application/problem+json"
# The titles an error can carry (steward.errors and the handlers below), marked for the
# catalogs: an error page shows its title in the page's language (error.html); a problem
# document keeps the English title, which API clients match on.
TITLES = (
    N_("Bad request"), N_("Invalid input"), N_("Not found"), N_("Conflict"), N_("Forbidden"),
    N_("Unauthorized"), N_("Too many requests"), N_("System unavailable"),
    N_("Invalid policy"), N_("System refused the operation"), N_("Method not allowed"),
    N_("Request body too large"), N_("Error"), N_("Internal error"),
)


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith("/api/") or path == "/api":
        return True
    accept = request.headers.get("accept", "")
    if "application/json" in accept and "text/html" not in accept:
        return True
    # A JSON body (a script, the cookie banner's beacon) gets a JSON answer unless HTML is asked.
    sent = request.headers.get("content-type", "")
    return sent.startswith("application/json") and "text/html" not in accept


def problem(status: int, title: str, detail: str, request: Request, **extra: Any) -> Response:
    if wants_json(request):
        body = {"type": "about:blank", "title": title, "status": status, "detail": detail,
                "instance": request.url.path, **extra}
        return JSONResponse(body, status_code=status, media_type=PROBLEM)
    return render(request, "error.html", {"status": status, "title": title, "detail": detail},
                  status_code=status)


def install(app: FastAPI) -> None:
    @app.exception_handler(StewardError)
    async def _steward(request: Request, exc: StewardError) -> Response:
        extra = dict(exc.extra)
        if isinstance(exc, PolicyError):
            extra["problems"] = exc.problems
        return problem(exc.status, exc.title, exc.detail, request, **extra)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "")}
            for e in exc.errors()
        ]
        detail = "; ".join(f"{'.'.join(e['loc'])}: {e['msg']}" for e in errors) or "invalid input"
        return problem(422, "Invalid input", detail, request, errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code in (302, 303) and exc.headers and "location" in {
            k.lower() for k in exc.headers
        }:
            return Response(status_code=exc.status_code, headers=exc.headers)
        titles = {401: "Unauthorized", 403: "Forbidden", 404: "Not found",
                  405: "Method not allowed", 413: "Request body too large",
                  429: "Too many requests"}
        title = titles.get(exc.status_code, "Error")
        resp = problem(exc.status_code, title, str(exc.detail), request)
        for k, v in (exc.headers or {}).items():
            resp.headers[k] = v
        return resp

    @app.exception_handler(NoResultFound)
    async def _no_row(request: Request, exc: NoResultFound) -> Response:
        # A route that looked up the item a URL names (`session.get_one`) and found none.
        return problem(404, "Not found", "no such item", request)

    @app.exception_handler(DataError)
    async def _unfit(request: Request, exc: DataError) -> Response:
        # The database refused a value it cannot hold (a number past its column's range, on
        # PostgreSQL a 32-bit id column): nothing stored can match it, nothing was written.
        if request.method in ("GET", "HEAD"):
            return problem(404, "Not found", "no such item", request)
        return problem(422, "Invalid input", "a value is out of the range the store can hold",
                       request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Log the type and place only: messages may carry personal data.
        log.error("unhandled %s on %s %s", exc.__class__.__name__, request.method,
                  request.url.path)
        return problem(500, "Internal error", "something went wrong; it has been logged",
                       request)


