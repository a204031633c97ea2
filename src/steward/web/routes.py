"""Every router of the web app, one line each. A capability adds its module here."""

from __future__ import annotations

import importlib

from fastapi import APIRouter
from fastapi.routing import APIRoute

ROUTERS: list[str] = [
    # First: routes are matched in order, and the consent check is the hottest API path.
    "steward.web.api.consent",
    # Second: every page view of the company's website posts one event here.
    "steward.web.center.analytics",
    "steward.web.center.notice",
    "steward.web.center.versions",
    "steward.web.console.auth",
    "steward.web.console.dashboard",
    "steward.web.console.audit",
    "steward.web.console.policy",
    "steward.web.console.datamap",
    "steward.web.console.users",
    "steward.web.api.core",
    "steward.web.api.requests",
    "steward.web.center.requests",
    "steward.web.console.desk",
    "steward.web.console.requests",
    "steward.web.console.request_messages",
    "steward.web.console.outbox",
    "steward.web.console.breaches",
    "steward.web.api.breaches",
    "steward.web.console.processors",
    "steward.web.api.processors",
    "steward.web.api.controllers",
    "steward.web.center.controller_portal",
    "steward.web.console.controllers",
    "steward.web.console.retention",
    "steward.web.console.scanner",
    "steward.web.center.consent",
    "steward.web.center.consent_unsubscribe",
    "steward.web.center.consent_banner",
    "steward.web.console.consent",
    "steward.web.console.analytics",
    "steward.web.console.announcements",
    "steward.web.center.system_tasks",
    "steward.web.center.subprocessor_objections",
]


def routers() -> list[APIRouter]:
    out: list[APIRouter] = []
    for name in ROUTERS:
        module = importlib.import_module(name)
        out.append(module.router)
    return out


def api_routes() -> list[APIRoute]:
    """Every endpoint of every router, with its full path: the route table the access-rule
    test walks (a route added anywhere shows up here)."""
    out: list[APIRoute] = []
    for router in routers():
        out.extend(r for r in router.routes if isinstance(r, APIRoute))
    return out
