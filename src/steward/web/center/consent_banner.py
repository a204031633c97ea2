"""The cookie banner's server side: the loader (with its configuration), the lazily loaded
dialog and stylesheet, the notice texts, the decision beacon, GPC's well-known file and a demo.

Decisions arrive by `navigator.sendBeacon` (text/plain JSON): they are rate-limited per client
address, so a flood from one source is refused while other visitors' decisions are kept.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from steward.consent import banner
from steward.errors import InvalidInput, StewardError
from steward.store.db import transaction
from steward.web.deps import PUBLIC, PolicyDep, render
from steward.web.security import client_id

router = APIRouter()
STATIC = Path(__file__).resolve().parents[1] / "static" / "consent"
MAX_EVENT_BYTES = 8192
PLACEHOLDER = "/*STEWARD_CONFIG*/null"


class EventTooLarge(StewardError):
    status = 413
    title = "Content too large"


async def read_capped(request: Request, limit: int) -> bytes:
    """The request body, read chunk by chunk and abandoned as soon as it passes `limit` bytes
    (413), so an oversized or endless upload never sits whole in memory. A declared
    Content-Length over the limit is refused before anything is read."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise EventTooLarge(f"the event is larger than {limit} bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise EventTooLarge(f"the event is larger than {limit} bytes")
    return bytes(body)


@lru_cache(maxsize=8)
def _file(name: str) -> bytes:
    return (STATIC / name).read_bytes()


def revision() -> str:
    """The banner code's revision: a short hash of the loader, dialog and stylesheet."""
    h = hashlib.sha256()
    for name in ("loader.js", "ui.js", "banner.css"):
        h.update(_file(name))
    return h.hexdigest()[:12]


def _gpc(request: Request) -> bool:
    return request.headers.get("sec-gpc", "").strip() == "1"


def loader_source(policy: Any, *, gpc_header: bool) -> bytes:
    """The loader with its configuration filled in (no texts: those load with the dialog)."""
    cfg = banner.core(policy, gpc_header=gpc_header)
    cfg["rev"] = revision()
    cfg["h"] = {lang: banner.notice(policy, lang).sha256 for lang in banner.ui_languages()}
    blob = json.dumps(cfg, separators=(",", ":"), ensure_ascii=False)
    return _file("loader.js").replace(PLACEHOLDER.encode(), blob.encode(), 1)


@router.get("/consent/banner.js", dependencies=[PUBLIC], include_in_schema=False)
def banner_js(request: Request, policy: PolicyDep) -> Response:
    body = loader_source(policy, gpc_header=_gpc(request))
    # Revalidated on every page view (a 304 is cheap), so a new notice version asks again at
    # once instead of after a cache lifetime.
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    headers = {"cache-control": "no-cache", "etag": etag, "vary": "Sec-GPC",
               "access-control-allow-origin": "*"}
    if request.headers.get("if-none-match") == etag:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="text/javascript", headers=headers)


@router.get("/consent/ui.js", dependencies=[PUBLIC], include_in_schema=False)
def ui_js() -> Response:
    return Response(_file("ui.js"), media_type="text/javascript",
                    headers={"cache-control": "public, max-age=86400"})


@router.get("/consent/banner.css", dependencies=[PUBLIC], include_in_schema=False)
def banner_css() -> Response:
    return Response(_file("banner.css"), media_type="text/css",
                    headers={"cache-control": "public, max-age=86400"})


@router.get("/consent/config.json", dependencies=[PUBLIC], include_in_schema=False)
def config_json(request: Request, policy: PolicyDep, lang: str = "en") -> Response:
    """Every text and choice the dialog shows in one language, and that notice's sha256."""
    n = banner.notice(policy, lang)
    body = {"v": policy.consent.cookies.version, "lang": n.language, "sha": n.sha256,
            "rev": revision(), "content": n.content}
    return JSONResponse(body, headers={"cache-control": "public, max-age=300",
                                       "access-control-allow-origin": "*"})


@router.post("/consent/events", dependencies=[PUBLIC], include_in_schema=False)
async def consent_events(request: Request) -> Response:
    """Record one banner decision; 204 when recorded, 422 for a bad or unknown notice."""
    state = request.app.state
    state.limiter.hit("consent-events", client_id(request),
                      limit=state.settings.consent_events_per_minute)
    raw = await read_capped(request, MAX_EVENT_BYTES)
    try:
        payload = json.loads(raw or b"null")
    except ValueError:
        raise InvalidInput("the event is not JSON") from None
    ip = client_id(request)
    gpc = _gpc(request)

    def write() -> int:
        with transaction(state.sessionmaker) as s:
            return len(banner.record(s, state.policy, payload, gpc_header=gpc, ip_address=ip))

    await run_in_threadpool(write)
    return Response(status_code=204)


@router.get("/.well-known/gpc.json", dependencies=[PUBLIC], include_in_schema=False)
def gpc_json(policy: PolicyDep) -> Response:
    """Global Privacy Control support resource (GPC spec §3.4)."""
    return JSONResponse({"gpc": True, "lastUpdate": policy.policy.effective.isoformat()},
                        headers={"access-control-allow-origin": "*"})


@router.get("/consent/demo", dependencies=[PUBLIC], include_in_schema=False)
def demo(request: Request, policy: PolicyDep, lang: str = "en") -> Response:
    """A page with a stand-in script for each cookie category that needs consent, run only
    once it is accepted, and the visitor statistics of the site this host belongs to: counted
    at once where the policy keeps them without consent, otherwise behind their category."""
    ui = banner.ui_language(lang)
    cats = policy.consent.cookies.categories
    guarded = [{"key": c.key, "title": policy.text(c.title, ui),
                "cookies": [n for s in c.services for n in s.cookies]}
               for c in cats if not banner.always_on(policy, c)]
    stats = None
    a = policy.analytics
    site = a and next((s for s in a.sites if request.url.hostname in s.hosts), None)
    if a and site:
        cat = next((c for c in cats if c.key == a.banner_category), None)
        free = cat is None or banner.statistics_without_consent(policy, cat)
        stats = {"site": site.key, "free": free, "why": banner.ui_texts(policy, ui)["exempt"],
                 "category_key": a.banner_category,
                 "category": policy.text(cat.title, ui) if cat else ""}
    return render(request, "center/consent/demo.html",
                  {"lang": ui, "policy": policy, "guarded": guarded, "stats": stats})
