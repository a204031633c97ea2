"""Every page a person or an officer opens, in one table, written by hand.

The browser tests (tests/web/test_axe.py) run axe-core on each page at desktop width and check
that no page scrolls sideways on a phone (320 and 390 px, public pages) or at 768 px (console);
tests/web/test_page_list.py fails when a GET route outside the JSON API is neither a page here
nor listed in NOT_PAGES with the reason. A page you add needs a row.

A path may hold `{name}` placeholders, spelled as in the route: the browser test fills them
from the data it creates first (`SEEDED` lists the names it can fill). A query string is part
of what the browser opens, not of the route.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Page:
    path: str  # what the browser opens; {placeholders} filled from the seeded data
    kind: str  # the page type: notice, list, detail, form, dashboard, login, error, ...
    role: str = "public"  # who opens it: public, viewer, officer or admin
    # The route it renders when that is not the path without its query ("" for none: the
    # error page of an unknown address).
    route: str | None = None
    status: int = 200  # the status the page answers with (an error page's own)

    @property
    def route_path(self) -> str:
        return self.route if self.route is not None else self.path.split("?", 1)[0]


# The values the browser test creates before visiting (tests/web/test_axe.py, `site`).
SEEDED = (
    "public_id",
    "req_id",
    "breach_id",
    "version_id",
    "announcement_id",
    "token",
    "link",
    "sha",
    "run_id",
    "confirm",
    "prefs",
    "ref",
)

PUBLIC_PAGES: list[Page] = [
    Page("/privacy", "notice"),
    Page("/privacy?lang=da", "notice in Danish"),
    Page("/privacy/versions", "list"),
    Page("/privacy/versions/{version_id}", "detail (an earlier notice and its changes)"),
    Page("/privacy/requests", "form"),
    Page("/privacy/requests?lang=da", "form in Danish"),
    Page("/privacy/requests/verify?r={public_id}", "form (code)"),
    Page("/privacy/requests/{public_id}", "status"),
    Page("/privacy/newsletter", "form"),
    Page("/privacy/newsletter/confirm?{confirm}", "confirmation (signed link)"),
    Page("/privacy/preferences", "form"),
    Page("/privacy/preferences?{prefs}", "form (signed link, the person's choices)"),
    Page("/privacy/unsubscribe", "error (link without its token)", status=400),
    Page("/consent/demo", "cookie banner"),
    Page("/system-tasks/{link}", "task form (a system owner's signed link)"),
    Page("/processors/objections/{token}", "objection form (a controller's signed link)"),
    Page("/privacy/requests/{public_id}/messages", "messages (asks for the code first)"),
    Page("/privacy/requests/{public_id}/download", "download (asks for the code first)"),
    Page("/controllers/portal", "form (a served controller's key)"),
    Page("/privacy/no-such-page", "error (not found)", route="", status=404),
    Page("/console/login", "login"),
]

CONSOLE_PAGES: list[Page] = [
    Page("/console", "dashboard", "viewer"),
    Page("/console/policy", "detail", "viewer"),
    Page("/console/policy/ropa", "wide table", "viewer"),
    Page("/console/announcements", "list", "viewer"),
    Page("/console/announcements/{announcement_id}", "detail", "viewer"),
    Page("/console/audit", "list", "viewer"),
    Page("/console/users", "list and form", "admin"),
    Page("/console/requests", "list", "viewer"),
    Page("/console/requests/new", "form", "officer"),
    Page("/console/requests/{req_id}", "detail", "officer"),
    Page("/console/outbox", "list", "officer"),
    Page("/console/consent", "overview", "viewer"),
    Page("/console/consent/subject", "form", "officer"),
    Page("/console/consent/subject?ref={ref}", "detail (one person's consents)", "officer"),
    Page("/console/consent/proof?ref={ref}", "proof (a person's consent record)", "officer"),
    Page("/console/consent/notices", "list", "viewer"),
    Page("/console/consent/notices/{sha}", "detail", "viewer"),
    Page("/console/analytics", "charts", "viewer"),
    Page("/console/retention", "list", "viewer"),
    Page("/console/retention/runs/{run_id}", "detail", "viewer"),
    Page("/console/scanner", "list and form", "viewer"),
    Page("/console/breaches", "list", "viewer"),
    Page("/console/breaches/new", "form", "officer"),
    Page("/console/breaches/{breach_id}", "detail", "officer"),
    Page("/console/breaches/{breach_id}/edit", "form", "officer"),
    Page("/console/breaches/{breach_id}/notice", "letter", "viewer"),
    Page("/console/processors", "list", "viewer"),
    Page("/console/controllers", "list and form (controllers served, their keys)", "viewer"),
    Page("/console/datamap", "picture (data map)", "viewer"),
    Page("/console/systems/crm", "detail (one system)", "viewer", route="/console/systems/{key}"),
    Page("/console/consent/import", "form (upload)", "officer"),
    Page("/console/requests/{req_id}/confirm", "confirmation", "officer"),
    Page("/console/no-such-page", "error (not found, signed in)", "viewer", route="", status=404),
]

# GET routes outside /api/ that are not pages a person reads, with the reason.
NOT_PAGES: dict[str, str] = {
    "/": "redirects to the privacy center",
    "/healthz": "JSON health check",
    "/.well-known/gpc.json": "JSON (Global Privacy Control support resource)",
    "/privacy/download/{token}": "a one-time file download (zip)",
    "/consent/banner.js": "script",
    "/consent/ui.js": "script",
    "/consent/banner.css": "stylesheet",
    "/consent/config.json": "JSON for the banner",
    "/analytics/script.js": "script",
    "/console/analytics.csv": "CSV download",
    "/privacy/requests/{public_id}/messages/files/{attachment_id}": "an attachment download",
    "/console/requests/{req_id}/messages/files/{attachment_id}": "an attachment download",
    "/console/breaches/export/{fmt}": "register download (CSV/JSON)",
    "/console/processors/export/{fmt}": "register download (CSV/JSON)",
    "/console/processors/record.{fmt}": "record download",
}


def all_pages() -> list[Page]:
    return PUBLIC_PAGES + CONSOLE_PAGES
