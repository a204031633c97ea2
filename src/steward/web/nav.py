"""The console's navigation: (label, path, least role). Capabilities add their pages here."""

from __future__ import annotations

from steward.auth.users import Role

NAV: list[tuple[str, str, Role]] = [
    ("Dashboard", "/console", Role.viewer),
    ("Policy", "/console/policy", Role.viewer),
    ("Record of processing", "/console/policy/ropa", Role.viewer),
    ("Announcements", "/console/announcements", Role.viewer),
    ("Audit log", "/console/audit", Role.viewer),
    ("Users", "/console/users", Role.admin),
    ("Requests", "/console/requests", Role.viewer),
    ("Outbox", "/console/outbox", Role.officer),
    ("Consent", "/console/consent", Role.viewer),
    ("Visitor statistics", "/console/analytics", Role.viewer),
    ("Retention", "/console/retention", Role.viewer),
    ("Scanner", "/console/scanner", Role.viewer),
    ("Breaches", "/console/breaches", Role.viewer),
    ("Processors", "/console/processors", Role.viewer),
    ("Controllers served", "/console/controllers", Role.viewer),
]


def visible(role: str) -> list[tuple[str, str]]:
    r = Role(role)
    return [(label, path) for label, path, need in NAV if r.allows(need)]
