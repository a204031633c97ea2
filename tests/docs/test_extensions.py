"""Every built-in extension registered through an entry point has a test and a docs page
(as Datasette checks its plugin hooks): a new connector, detector or notifier registered in
pyproject.toml without them fails here."""

from __future__ import annotations

import re
from importlib.metadata import EntryPoint, entry_points
from pathlib import Path

import pytest
from tests.docs.console import DOCS, ROOT

GROUPS = {"steward.connectors": "Connectors", "steward.detectors": "Scanner detectors",
          "steward.notifiers": "Notification channels"}
PAGE = DOCS / "extending.md"
THIS = Path(__file__).resolve()


def _builtin(group: str) -> list[EntryPoint]:
    return sorted((ep for ep in entry_points(group=group) if ep.value.startswith("steward.")),
                  key=lambda ep: ep.name)


def _implementation(ep: EntryPoint) -> tuple[str, str]:
    """(module, name) of the code behind an entry point: a detector's function, else the
    registered object itself."""
    obj = ep.load()
    target = getattr(obj, "detect", obj)
    return target.__module__, target.__name__


def _section(group: str) -> str:
    text = PAGE.read_text(encoding="utf-8")
    m = re.search(rf"^## {GROUPS[group]}\n(.*?)(?=^## |\Z)", text, re.S | re.M)
    assert m, f"docs/extending.md has no section '## {GROUPS[group]}'"
    return m.group(1)


def has_test(module: str, name: str, value: str, tests: list[str]) -> bool:
    """A test names the entry point, imports the implementing module, or imports the name."""
    imports = re.compile(rf"^\s*(from {re.escape(module)} import|import {re.escape(module)}\b)"
                         rf"|\b{re.escape(name)}\b", re.M)
    return any(value in t or imports.search(t) for t in tests)


def has_docs(ep: EntryPoint, section: str) -> bool:
    """The group's section lists the entry point: its name and its object, in one table row."""
    return any(f"`{ep.name}`" in row and f"`{ep.value}`" in row
               for row in section.splitlines() if row.startswith("|"))


@pytest.fixture(scope="module")
def test_sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("test_*.py")
            if p.resolve() != THIS]


@pytest.mark.parametrize("group", sorted(GROUPS))
def test_builtin_extensions_have_tests_and_docs(group: str, test_sources: list[str]) -> None:
    eps = _builtin(group)
    assert eps, f"no built-in {group} registered: is the package installed (pip install -e .)?"
    section = _section(group)
    assert f"`{group}`" in section, f"docs/extending.md does not name the group {group}"
    missing = []
    for ep in eps:
        module, name = _implementation(ep)
        if not has_test(module, name, ep.value, test_sources):
            missing.append(f"{group} {ep.name} ({ep.value}): no test imports {module}")
        if not has_docs(ep, section):
            missing.append(f"{group} {ep.name}: no row in docs/extending.md '{GROUPS[group]}'")
    assert not missing, "\n".join(missing)


def test_the_checks_catch_what_is_missing() -> None:
    value = "steward.scanner.detectors:PASSPORTS"
    sources = ["from steward.scanner.contact import detect_emails\n"]
    assert not has_test("steward.scanner.passports", "detect_passports", value, sources)
    assert has_test("steward.scanner.contact", "detect_phones", value, sources)
    assert has_test("acme.x", "Y", value, [f'names = ["{value}"]'])
    ep = EntryPoint("passports", value, "steward.detectors")
    assert not has_docs(ep, "| `passports` | something else |\n")
    assert has_docs(ep, f"| `passports` | `{value}` | passports |\n")
    assert not has_docs(ep, f"`passports` and `{value}` in prose\n")
