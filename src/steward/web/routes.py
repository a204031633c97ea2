"""Every router of the web app, one line each. A capability adds its module here."""

from __future__ import annotations

import importlib

from fastapi import APIRouter
from fastapi.routing import APIRoute

ROUTERS: list[str] = [
    "steward.web.center.notice",
    "steward.web.center.versions",
    "steward.web.console.auth",
    "steward.web.console.dashboard",
    "steward.web.console.audit",
    "steward.web.console.policy",
    "steward.web.console.users",
    "steward.web.api.core",
    "steward.web.console.breaches",
    "steward.web.api.breaches",
    "steward.web.console.processors",
    "steward.web.api.processors",
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
