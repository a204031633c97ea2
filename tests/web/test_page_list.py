"""The page table of the browser tests (tests/web/pages.py) against the app's routes: every GET
route outside the JSON API is a listed page or a listed non-page (with its reason), so a page
added later is visited by axe-core and the small-screen checks too."""

from __future__ import annotations

import re

from tests.web.pages import CONSOLE_PAGES, NOT_PAGES, PUBLIC_PAGES, SEEDED, all_pages

from steward.web.routes import api_routes


def _get_routes() -> set[str]:
    return {r.path for r in api_routes() if "GET" in r.methods and not r.path.startswith("/api/")}


def test_every_page_route_is_visited_or_excused() -> None:
    visited = {p.route_path for p in all_pages() if p.route_path}
    missing = sorted(_get_routes() - visited - set(NOT_PAGES))
    assert missing == [], "GET routes missing from tests/web/pages.py (add a Page row)"


def test_the_table_names_only_existing_routes() -> None:
    routes = _get_routes()
    listed = [p.route_path for p in all_pages() if p.route_path] + list(NOT_PAGES)
    assert sorted(set(listed) - routes) == [], "rows in tests/web/pages.py without a route"
    assert not {p.route_path for p in all_pages()} & set(NOT_PAGES), "a page is also excused"


def test_console_routes_without_parameters_are_all_pages_or_files() -> None:
    # The rule the coordinator relies on: a new console page is in the list without anyone
    # having to remember it; only downloads may stay out.
    plain = {r for r in _get_routes() if r.startswith("/console") and "{" not in r}
    pages = {p.route_path for p in CONSOLE_PAGES + PUBLIC_PAGES}
    for route in sorted(plain - pages):
        assert re.search(r"\.(csv|json|xlsx|js|css)$", route), f"{route} is not in the page list"


def test_placeholders_are_filled_and_roles_known() -> None:
    for p in all_pages():
        for name in re.findall(r"\{([^}]+)\}", p.path):
            assert name in SEEDED, f"{p.path}: the browser test does not create {{{name}}}"
        assert p.role in ("public", "viewer", "officer", "admin"), p
    assert all(p.role == "public" for p in PUBLIC_PAGES)
    assert all(p.role != "public" for p in CONSOLE_PAGES)
    paths = [p.path for p in all_pages()]
    assert len(paths) == len(set(paths)), "a page is listed twice"
