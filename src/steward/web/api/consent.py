"""The consent API: check one subject, filter a list, record a decision made elsewhere.

Access: an API key (`Authorization: Bearer stk_…`, made with `steward consent api-key
create`; only its sha256 is stored) or a signed-in console user (viewer to check and filter,
officer to record). A console user's session cookie is sent by the browser on any site's
request, so their POSTs must also carry the session's CSRF token (`X-CSRF-Token`); a key is
never sent by a browser on its own and needs none. Verified keys are cached for 30 s per
process, so a check costs one query (the state row and the Art. 18 restriction flag
together) on the read-only engine; a revoked key stops working within that time.
"""

from __future__ import annotations

import threading
import time
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from steward.auth.users import Role
from steward.consent import apikeys, checks, imports, ledger, mails, mailtexts
from steward.consent.purposes import resolve
from steward.consent.snapshots import purpose_notice
from steward.consent.subjects import subject_ref
from steward.errors import InvalidInput
from steward.web.deps import (
    NotSignedIn,
    PolicyDep,
    ReadSessionDep,
    RoleGuard,
    SessionDep,
    SettingsDep,
)
from steward.web.security import check_csrf

router = APIRouter(prefix="/api/consent", tags=["consent"])
KEY_TTL = 30.0


class ConsentApiAccess(RoleGuard):
    """An API key, or a console user holding at least `role`. Async, so the hot path (a cached
    key) costs no thread hop; database work goes to the thread pool."""

    _lock = threading.Lock()

    async def __call__(self, request: Request) -> Any:  # type: ignore[override]
        auth = request.headers.get("authorization", "")
        if auth[:7].lower() == "bearer ":
            key = auth[7:].strip()
            cache: dict[str, float] = request.app.state.extras.setdefault("consent_api_keys", {})
            with self._lock:
                until = cache.get(key)
            if not (until and until > time.monotonic()):
                if not await run_in_threadpool(self._verify, request, key):
                    raise NotSignedIn()
                with self._lock:
                    if len(cache) > 1000:
                        cache.clear()
                    cache[key] = time.monotonic() + KEY_TTL
            request.state.user = None
            request.state.api_key = key.split("_")[1]
            return None
        user = await run_in_threadpool(RoleGuard.__call__, self, request)
        # The role first (401 anonymous, 403 lower roles), then the CSRF token: the session
        # cookie authenticates this call, so a forged cross-site POST must fail.
        await check_csrf(request)
        return user

    @staticmethod
    def _verify(request: Request, key: str) -> bool:
        with request.app.state.sessionmaker() as s:
            return apikeys.verify(s, key) is not None


Reader = ConsentApiAccess(Role.viewer)
Writer = ConsentApiAccess(Role.officer)


def _actor(request: Request) -> str:
    user = getattr(request.state, "user", None)
    # Staff are named by id, never by e-mail address (the ledger and audit log are kept long).
    return f"user:{user.id}" if user else f"api_key:{request.state.api_key}"


def _secret(request: Request) -> str:
    extras = request.app.state.extras
    secret = extras.get("consent_secret")
    if secret is None:  # resolved once: without a configured key it is read from a file
        secret = extras["consent_secret"] = request.app.state.settings.resolved_secret_key()
    return str(secret)


_CHECK_PARAMS = {"parameters": [
    {"name": "subject", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "an e-mail address, acct:<id>, cid:<consent id> or email:<64 hex>"},
    {"name": "purpose", "in": "query", "required": True, "schema": {"type": "string"},
     "description": "a consent purpose key or cookie.<category>"},
]}


@router.get("/check", dependencies=[Depends(Reader)], openapi_extra=_CHECK_PARAMS)
async def check(request: Request) -> JSONResponse:
    """allowed/denied for one subject (e-mail, acct:…, cid:…) and purpose, with the basis."""
    # The two query parameters are read directly (documented in openapi_extra): FastAPI's
    # per-parameter validation was a measurable share of this hot path's time.
    query = request.query_params
    subject, purpose = query.get("subject"), query.get("purpose")
    if not subject or not purpose:
        raise InvalidInput("the query parameters subject and purpose are both required")
    state = request.app.state
    secret = _secret(request)

    def run() -> dict[str, Any]:
        # One thread hop and one short read-only transaction on the reader engine (SQLite:
        # never waits for the write lock), ended before the response is sent; a plain
        # connection, since building an ORM session cost more than the query.
        with state.read_sessionmaker.kw["bind"].connect() as conn:
            return checks.check(conn, state.policy, subject, purpose, secret=secret).as_dict()

    return JSONResponse(await run_in_threadpool(run))


class FilterIn(BaseModel):
    purpose: str
    emails: list[str] = Field(max_length=100_000)
    language: str | None = Field(None, max_length=8,
                                 description="language of the unsubscribe page (e.g. da)")


@router.post("/filter", dependencies=[Depends(Reader)])
def filter_(body: FilterIn, session: ReadSessionDep, policy: PolicyDep,
            settings: SettingsDep) -> dict[str, Any]:
    """Keep only the addresses that may be processed for `purpose`. `unsubscribe_urls` maps
    each kept address to its own one-click unsubscribe URL, signed for that recipient and
    purpose: put it in the mail as `List-Unsubscribe: <url>` with `List-Unsubscribe-Post:
    List-Unsubscribe=One-Click` (RFC 8058) and as the footer link."""
    rows = ({"email": e} for e in body.emails)
    lang = mailtexts.language(policy, body.language) if body.language else None
    link = mails.unsubscribe_urls(settings, body.purpose, lang)
    kept: list[str] = []
    urls: dict[str, str] = {}
    dropped = 0
    for row, result in checks.filter_rows(session, policy, settings.resolved_secret_key(), rows,
                                          body.purpose):
        if result is not None and result.allowed:
            kept.append(row["email"])
            urls[row["email"]] = link(result.subject_ref)
        else:
            dropped += 1
    return {"purpose": body.purpose, "kept": kept, "dropped": dropped, "unsubscribe_urls": urls}


class RecordIn(BaseModel):
    subject: str
    purpose: str
    action: str
    method: str = Field("api", max_length=40)
    evidence_ref: str | None = Field(None, max_length=600)
    language: str | None = None
    source_page: str | None = Field(None, max_length=500)


@router.post("/events", dependencies=[Depends(Writer)], status_code=201)
def record(request: Request, body: RecordIn, session: SessionDep, policy: PolicyDep,
           settings: SettingsDep) -> dict[str, Any]:
    """Record a decision taken outside Steward (a paper form at an event, a CRM signup)."""
    info = resolve(policy, body.purpose)
    if info.kind != "purpose":
        raise InvalidInput("cookie choices are recorded by the banner, not through this API")
    if body.method == imports.METHOD:  # that mark means "given before Steward", with proof
        raise InvalidInput("the method 'import' is reserved for consents given before Steward: "
                           "use `steward consent import` or the console's import page")
    ref = subject_ref(settings.resolved_secret_key(), body.subject)
    ev = ledger.record(
        session, policy, subject_ref=ref, purpose=info, action=body.action, method=body.method,
        notice=purpose_notice(policy, info.key, body.language), evidence_ref=body.evidence_ref,
        source_page=body.source_page, recorded_by=_actor(request),
    )
    return {"event_id": ev.event_id, "seq": ev.seq, "subject_ref": ref, "action": ev.action}
