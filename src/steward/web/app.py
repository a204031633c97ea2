"""The application factory: `create_app(settings)` builds a FastAPI app with its own engine,
policy and templates (nothing at import time), so tests build as many as they like."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from markupsafe import escape
from sqlalchemy import Engine
from starlette.middleware.sessions import SessionMiddleware
from starlette.types import ASGIApp

from steward import __version__, i18n
from steward.auth.sessions import make_store
from steward.config import Settings
from steward.legal import erasure_words
from steward.policy.models import Policy
from steward.store.db import make_engine, make_reader, make_sessionmaker
from steward.web import openapi, problems, routes
from steward.web.bounds import InputBounds
from steward.web.codes import code_words
from steward.web.deps import NotSignedIn
from steward.web.language import LanguageChoice, switch_links
from steward.web.nav import visible
from steward.web.ratelimit_backends import counters_for
from steward.web.security import RateLimiter, SecurityHeaders, csrf_token, redact_access_log

HERE = Path(__file__).parent


class Steward(FastAPI):
    """The app, with its security headers outermost. Starlette answers an unexpected error (a
    500, from the handler `problems.install` registers) outside every added middleware; wrapped
    here, that answer carries the headers too (no sniffing, no framing, no stored copy)."""

    def __init__(self, *, hsts: bool, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.hsts = hsts

    def build_middleware_stack(self) -> ASGIApp:
        return SecurityHeaders(super().build_middleware_stack(), hsts=self.hsts)


def make_templates() -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    env = templates.env
    # `_()` and `ngettext()` in templates: the language in force for the request (steward.i18n).
    env.add_extension("jinja2.ext.i18n")
    env.install_gettext_callables(_html_gettext, _html_ngettext, newstyle=True)  # type: ignore[attr-defined]
    # `<html lang>`: the language in force, always a two-letter BCP 47 tag.
    env.globals["current_language"] = i18n.current
    env.globals["language_switch"] = _language_switch
    env.globals["csrf_token"] = csrf_token
    env.globals["nav"] = visible
    env.globals["version"] = __version__
    # A status, consent method or transfer mechanism in words (the code stays in exports).
    env.globals["code_words"] = code_words
    env.globals["erasure_words"] = erasure_words.in_language
    return templates


def _html_gettext(message: str) -> str:
    # Jinja marks translations safe (they are ours); a policy's override is the company's
    # text: escaped, so a `<` in it is shown, never run.
    override = i18n.override(message)
    return escape(override) if override else i18n.gettext(message)


def _html_ngettext(singular: str, plural: str, n: int) -> str:
    override = i18n.override(singular if n == 1 else plural)
    return escape(override) if override else i18n.ngettext(singular, plural, n)


def _language_switch(request: Request) -> list[dict[str, str]]:
    """The links of the language switch: this page in each language the policy publishes."""
    languages = request.app.state.policy.policy.languages
    links = switch_links(request.url.path, request.url.query, languages)
    return [{**link, "name": i18n.autonym(link["lang"])} for link in links]


def create_app(
    settings: Settings, *, policy: Policy | None = None, engine: Engine | None = None
) -> FastAPI:
    """Build the app. `policy` and `engine` default to the ones `settings` names."""
    if policy is None:
        from steward.policy.loader import load_policy

        policy = load_policy(settings.policy)
    engine = engine or make_engine(settings.database_url)
    from steward.jobs.worker import lifespan  # the in-process job worker of `steward serve`

    app = Steward(
        hsts=settings.base_url.startswith("https://"),
        title="Steward",
        version=__version__,
        openapi_url="/api/openapi.json",
        docs_url=None,
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.policy = policy
    app.state.engine = engine
    app.state.sessionmaker = make_sessionmaker(engine)
    app.state.read_sessionmaker = make_sessionmaker(make_reader(engine))
    app.state.templates = make_templates()
    # Shared by every server process when Redis is configured (`steward serve --workers N`).
    app.state.limiter = RateLimiter(counters_for(settings.redis_url, settings.jobs_name))
    app.state.sessions = make_store(app.state.sessionmaker, settings)
    app.state.extras = {}  # per-app caches: the job worker, the consent API keys

    problems.install(app)
    openapi.install(app)
    # The policy this server runs is a published version: kept, so earlier ones stay viewable.
    from steward.publication.versions import publish
    from steward.store.db import transaction

    with transaction(app.state.sessionmaker) as s:
        app.state.policy_version_id = publish(s, policy).id

    @app.exception_handler(NotSignedIn)
    async def _login_first(request: Request, exc: NotSignedIn) -> Response:
        if problems.wants_json(request):
            return problems.problem(401, "Unauthorized", "sign in first", request)
        # Encoded: a decoded path may hold `&`, `#` or line breaks (a header-splitting
        # attempt); the login page only ever follows it to a /console path.
        target = request.url.path
        if request.url.query:
            target += "?" + request.url.query
        return RedirectResponse(f"/console/login?next={quote(target, safe='')}", status_code=303)

    for router in routes.routers():
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=str(HERE / "static")), name="static")
    _mount_demo_newsletter(app, settings)

    # Inside the session middleware (its refusals render pages that read the session), outside
    # every route: ids, public rate limits and body sizes are checked before anything parses.
    app.add_middleware(InputBounds, fastapi_app=app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.resolved_secret_key(),
        session_cookie="steward_session",
        max_age=int(timedelta(hours=settings.session_absolute_hours).total_seconds()),
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # Outside everything that renders: error pages and problem documents speak it too.
    app.add_middleware(LanguageChoice, fastapi_app=app, secure=settings.secure_cookies)
    redact_access_log()  # no personal data in logs: queries carry e-mails and link tokens
    return app


def _mount_demo_newsletter(app: FastAPI, settings: Settings) -> None:
    """`steward demo` makes a newsletter tool that Steward reaches over HTTP like any SaaS API;
    on a laptop it is served by this same process, at /demo/newsletter."""
    db = settings.data_dir / "demo" / "newsletter.db"
    if not db.exists():
        return
    from steward.demo.newsletter import demo_token, newsletter_app

    app.mount("/demo/newsletter", newsletter_app(db, demo_token(db.parent)), name="demo-newsletter")
