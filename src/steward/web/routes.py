"""Every router of the web app, one line each. A capability adds its module here."""

from __future__ import annotations

import importlib

from fastapi import APIRouter

ROUTERS: list[str] = [
    "steward.web.center.notice",
    "steward.web.console.auth",
    "steward.web.console.dashboard",
    "steward.web.console.audit",
    "steward.web.console.policy",
    "steward.web.api.core",
]


def routers() -> list[APIRouter]:
    out: list[APIRouter] = []
    for name in ROUTERS:
        module = importlib.import_module(name)
        out.append(module.router)
    return out
