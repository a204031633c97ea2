"""Helpers for policy tests: a small valid policy as YAML text, edited per test."""

from __future__ import annotations

from pathlib import Path

import pytest

from steward.errors import PolicyError
from steward.policy.loader import load_policy_text_report

ROOT = Path(__file__).resolve().parents[2]
PROMARK = ROOT / "examples" / "promark"

BASE = """\
policy:
  id: acme
  version: "1"
  effective: 2024-01-01
controller:
  name: Acme Ltd
  address: {street: 1 Road, postal_code: "1000", city: Town, country: DK}
  lead_authority: DK
authorities:
  DK: {name: Datatilsynet, website: https://www.datatilsynet.dk, breach_channel: form}
subject_categories:
  - key: customer
    name: Customers
data_categories:
  - key: user.contact.email
    name: E-mail
  - key: user.health_and_medical
    name: Health
    special: true
purposes:
  - key: service
    title: Service
    description: Providing the service
    legal_bases: [b]
processing_activities:
  - key: accounts
    name: Accounts
    purposes: [service]
    subjects: [customer]
    data_categories: [user.contact.email]
    recipients:
      - processor: host
    retention: [closed_accounts]
    systems: [app]
retention_rules:
  - key: closed_accounts
    description: Deleted 1 year after closing
    system: app
    table: accounts
    trigger: {field: accounts.closed_at}
    period: {years: 1}
systems:
  - key: app
    name: App
    connector: sql
    url: sqlite:///app.db
    storage_country: DK
    tables:
      - name: accounts
        identities: {email: email}
        fields:
          - {name: email, category: user.contact.email}
          - {name: closed_at}
      - name: notes
        references: [{field: account_id, to: accounts.id}]
        fields:
          - {name: body}
processors:
  - key: host
    name: Host ApS
    service: Hosting
    country: DK
    dpa: {signed: 2023-01-01}
    notify: {channel: mail, email: privacy-host@example.com}
consent:
  purposes:
    - key: news
      title: News
      purpose: service
      mode: opt_in
      legal_basis: a
      wording: Yes, send me news.
"""


def edit(text: str, old: str, new: str) -> str:
    """Replace the one occurrence of `old` (so a test cannot silently edit nothing)."""
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times"
    return text.replace(old, new)


def line_of(text: str, needle: str) -> int:
    """1-based number of the (only) line containing `needle`."""
    hits = [i for i, line in enumerate(text.splitlines(), 1) if needle in line]
    assert len(hits) == 1, f"{needle!r} is on lines {hits}"
    return hits[0]


def problems(text: str, name: str = "acme.yaml", base_dir: Path | None = None) -> list[str]:
    """The problems reported for `text` (fails if it loads cleanly)."""
    with pytest.raises(PolicyError) as info:
        load_policy_text_report(text, name, base_dir)
    return info.value.problems


def one_problem(text: str, needle: str, name: str = "acme.yaml") -> str:
    """The single problem of `text`; asserts it points at the line holding `needle`."""
    found = problems(text, name)
    assert len(found) == 1, found
    assert found[0].startswith(f"{name}:{line_of(text, needle)}:"), (found[0], needle)
    return found[0]
