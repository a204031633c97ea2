"""In the real Chromium, every page of tests/web/pages.py: axe-core (vendored, tests/web/assets)
finds no accessibility violation at desktop width (public pages at 390 px too), and no page
scrolls sideways on a phone (320 and 390 px, the privacy center) or at 768 px (the console).

The pages are filled with data first (tests/web/seeded.py), so lists, details and signed-link
pages are checked with content in them.
axe-core runs with all its default rules (WCAG 2.0-2.2 A/AA and best practices): none is
disabled. It is injected past the pages' Content Security Policy (`bypass_csp`), which the
other browser tests keep on.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.helpers import PASSWORD
from tests.web.pages import CONSOLE_PAGES, PUBLIC_PAGES, Page
from tests.web.seeded import Site, running_site

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "assets" / "axe.min.js"
PHONES = (320, 390)
PHONE_AXE = 390  # the public pages are checked by axe-core at this width too
CONSOLE_WIDTH = 768
DESKTOP = 1280
# A folder to save every page's screenshot at each small width in, to look at them by eye.
SHOTS = os.environ.get("STEWARD_SCREENSHOTS")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    with running_site(tmp_path_factory.mktemp("pages")) as s:
        yield s


def _context(browser: Any, site: Site, role: str) -> Any:
    ctx = browser.new_context(bypass_csp=True, viewport={"width": DESKTOP, "height": 900})
    if role != "public":
        page = ctx.new_page()
        page.goto(f"{site.url}/console/login")
        page.get_by_label("E-mail").fill(f"{role}@steward.example")
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{site.url}/console")
        page.close()
    return ctx


def _axe(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ["violations"]});
        return r.violations.map(v => `${v.id} (${v.impact}): ${v.help}: ` +
            v.nodes.slice(0, 3).map(n => n.target.join(" ")).join(" | "));
    }""")
    return list(found)


def _too_wide(page: Any) -> str | None:
    width, inner = page.evaluate("[document.documentElement.scrollWidth, innerWidth]")
    return None if width <= inner else f"{width} px wide in a {inner} px window"


def _visit(
    browser: Any, site: Site, pages: list[Page], widths: tuple[int, ...], tmp_path: Path
) -> dict[str, list[str]]:
    problems: dict[str, list[str]] = {}
    by_role: dict[str, list[Page]] = {}
    for p in pages:
        by_role.setdefault(p.role, []).append(p)
    for role, group in by_role.items():
        ctx = _context(browser, site, role)
        page = ctx.new_page()
        for p in group:
            url = site.fill(p)
            out: list[str] = []
            page.set_viewport_size({"width": DESKTOP, "height": 900})
            answer = page.goto(url)
            if answer is None or answer.status != p.status:
                out.append(f"answered {answer and answer.status}, not {p.status}")
            out += _axe(page)
            for w in widths:
                page.set_viewport_size({"width": w, "height": 800})
                page.goto(url)
                if w == PHONE_AXE:  # contrast and overlap as laid out on a phone
                    out += [f"at {w} px: {v}" for v in _axe(page)]
                name = re.sub(r"\W+", "_", p.path).strip("_") or "root"
                if (wide := _too_wide(page)) is not None:
                    out.append(f"at {w} px: {wide}")
                    page.screenshot(path=str(tmp_path / f"{name}-{w}.png"), full_page=True)
                if SHOTS:  # to look at every page by eye
                    page.screenshot(path=str(Path(SHOTS) / f"{name}-{w}.png"), full_page=True)
            if out:
                problems[f"{p.path} ({p.kind}, {role})"] = out
        ctx.close()
    return problems


def _report(problems: dict[str, list[str]]) -> str:
    return "\n".join(f"{k}:\n  " + "\n  ".join(v) for k, v in problems.items())


def test_public_pages_have_no_axe_violations_and_fit_phones(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    problems = _visit(browser, site, PUBLIC_PAGES, PHONES, tmp_path)
    assert not problems, _report(problems)


def test_console_pages_have_no_axe_violations_and_fit_768(
    browser: Any, site: Site, tmp_path: Path
) -> None:
    problems = _visit(browser, site, CONSOLE_PAGES, (CONSOLE_WIDTH,), tmp_path)
    assert not problems, _report(problems)


def test_cookie_dialog_fits_a_small_phone_and_every_choice_is_in_view(
    browser: Any, site: Site
) -> None:
    # Mobile emulation: a page wider than the phone widens the layout viewport, and the
    # dialog with it, past the visible screen (what a phone shows; a desktop window would not).
    ctx = browser.new_context(
        viewport={"width": 320, "height": 568},
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    page = ctx.new_page()
    page.goto(f"{site.url}/consent/demo")
    dialog = page.get_by_role("dialog")
    for state in ("first view", "every category shown"):
        if state == "every category shown":
            page.get_by_role("button", name="Choose").click()
        screen = page.evaluate("[visualViewport.width, visualViewport.height]")
        box = dialog.bounding_box()
        assert box is not None
        assert box["x"] >= 0 and box["y"] >= 0, state
        assert box["x"] + box["width"] <= screen[0], f"{state}: wider than the screen"
        assert box["y"] + box["height"] <= screen[1], f"{state}: taller than the screen"
        for name in ("Reject all", "Accept all"):
            b = page.get_by_role("button", name=name).bounding_box()
            assert b is not None and b["y"] + b["height"] <= screen[1], f"{state}: {name}"
    ctx.close()
