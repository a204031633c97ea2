"""The demo company's newsletter tool: a small SaaS-like JSON API over its own SQLite file.

Steward reaches it through the HTTP connector, as it would a real processor's API. The web
app mounts `newsletter_app(db_path, token)` at `/demo/newsletter`; the API is under `/api`:

    GET    /api/subscribers?email=X     {"records": [subscriber, ...]}
    GET    /api/subscribers/{id}        subscriber, or 404
    PATCH  /api/subscribers/{id}        JSON {field: value}; the updated subscriber
    DELETE /api/subscribers/{id}        204, or 404 when it is gone already

Every call needs `Authorization: Bearer <token>`.
"""

from __future__ import annotations

import csv
import datetime as dt
import hmac
import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp

from steward.demo.schema import NEWSLETTER

TOKEN_ENV = "PROMARK_NEWSLETTER_TOKEN"
TOKEN_FILE = "newsletter.token"
EDITABLE = ("email", "name", "source", "lists")
_subscribers = NEWSLETTER.tables["subscribers"]


def demo_token(demo_dir: Path, env: Mapping[str, str] | None = None) -> str:
    """The newsletter API token: $PROMARK_NEWSLETTER_TOKEN, else the one kept in
    `<demo_dir>/newsletter.token` (made once, mode 0600). The HTTP connector reads the same."""
    env = os.environ if env is None else env
    if env.get(TOKEN_ENV):
        return env[TOKEN_ENV]
    path = demo_dir / TOKEN_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    demo_dir.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(24)
    path.touch(mode=0o600)
    path.write_text(token, encoding="utf-8")
    return token


# The consent purpose the newsletter tool's subscribers gave (the demo policy's key) and the
# columns of `steward consent import`.
CONSENT_PURPOSE = "newsletter"
CONSENTS_FILE = "newsletter-consents.csv"
_CONSENT_COLUMNS = ("identity", "purpose", "given_at", "source", "evidence")


def export_consents(db_path: Path, out: Path, *, now: dt.datetime | None = None) -> int:
    """Write the newsletter tool's subscribers as a consent import file (one row per
    subscriber: the address, the subscribed-since date as `given_at`, where they signed up);
    returns the number of rows. This is what a company exports from its own newsletter tool
    before it starts recording consents in Steward."""
    now = now or dt.datetime.now(dt.UTC)
    engine = sa.create_engine(f"sqlite:///{db_path}")
    try:
        with engine.connect() as conn:
            rows = conn.execute(sa.select(_subscribers.c.email, _subscribers.c.subscribed_at,
                                          _subscribers.c.source)
                                .order_by(_subscribers.c.id)).all()
    finally:
        engine.dispose()
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(_CONSENT_COLUMNS)
        for email, since, source in rows:
            at = since if isinstance(since, dt.datetime) else dt.datetime.fromisoformat(since)
            at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at
            # The generator may date a sign-up later today than the clock shows now.
            at = min(at, now)
            writer.writerow((email, CONSENT_PURPOSE, at.isoformat(timespec="seconds"),
                             "newsletter tool",
                             f"subscribed since {at:%Y-%m-%d} through {source}; "
                             f"double opt-in confirmed in the newsletter tool; subscriber "
                             f"list exported on {now:%Y-%m-%d}"))
    return len(rows)


def _public(row: Mapping[str, Any]) -> dict[str, Any]:
    at = row["subscribed_at"]
    return {
        "id": row["id"],
        "email": row["email"],
        "name": row["name"],
        "subscribed_at": at.isoformat() if isinstance(at, dt.datetime) else at,
        "source": row["source"],
        "lists": [x for x in (row["lists"] or "").split(",") if x],
    }


def _problem(status: int, title: str, detail: str) -> JSONResponse:
    return JSONResponse(
        {"type": "about:blank", "title": title, "status": status, "detail": detail},
        status_code=status, media_type="application/problem+json",
    )


def newsletter_app(db_path: Path, token: str) -> ASGIApp:
    """The newsletter API over the SQLite file at `db_path`, guarded by `token`."""
    engine = sa.create_engine(f"sqlite:///{db_path}")
    expected = f"Bearer {token}".encode()
    t = _subscribers

    def authorized(request: Request) -> bool:
        given = request.headers.get("authorization", "").encode()
        return hmac.compare_digest(given, expected)

    def one(conn: sa.Connection, sid: int) -> Mapping[str, Any] | None:
        row = conn.execute(sa.select(t).where(t.c.id == sid)).mappings().first()
        return dict(row) if row is not None else None

    def lookup(request: Request) -> Response:
        if not authorized(request):
            return _problem(401, "Unauthorized", "a valid bearer token is required")
        unknown = set(request.query_params) - {"email"}
        if unknown or "email" not in request.query_params:
            return _problem(422, "Invalid input", "look subscribers up by email only")
        email = request.query_params["email"]
        with engine.connect() as conn:
            rows = conn.execute(sa.select(t).where(t.c.email == email)).mappings().all()
        return JSONResponse({"records": [_public(dict(r)) for r in rows if r["email"] == email]})

    async def item(request: Request) -> Response:
        if not authorized(request):
            return _problem(401, "Unauthorized", "a valid bearer token is required")
        try:
            sid = int(request.path_params["sid"])
        except ValueError:
            return _problem(404, "Not found", "no such subscriber")
        if request.method == "PATCH":
            try:
                changes = await request.json()
            except ValueError:
                return _problem(422, "Invalid input", "the body must be a JSON object")
            if not isinstance(changes, dict) or not changes or set(changes) - set(EDITABLE):
                return _problem(422, "Invalid input", f"editable fields: {', '.join(EDITABLE)}")
            if isinstance(changes.get("lists"), list):
                changes["lists"] = ",".join(str(x) for x in changes["lists"])
        with engine.begin() as conn:
            row = one(conn, sid)
            if row is None:
                return _problem(404, "Not found", "no such subscriber")
            if request.method == "DELETE":
                conn.execute(sa.delete(t).where(t.c.id == sid))
                return Response(status_code=204)
            if request.method == "PATCH":
                conn.execute(sa.update(t).where(t.c.id == sid).values(changes))
                row = one(conn, sid)
        return JSONResponse(_public(row or {}))

    return Starlette(
        routes=[
            Route("/api/subscribers", lookup, methods=["GET"]),
            Route("/api/subscribers/{sid}", item, methods=["GET", "PATCH", "DELETE"]),
        ]
    )
