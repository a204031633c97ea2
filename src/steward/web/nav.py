"""The console's navigation: (label, path, least role). Capabilities add their pages here;
labels are marked `N_()` for the catalogs (the layout shows them translated)."""

from __future__ import annotations

from steward.auth.users import Role
from steward.i18n import N_

NAV: list[tuple[str, str, Role]] = [
    (N_("Dashboard"), "/console", Role.viewer),
    (N_("Policy"), "/console/policy", Role.viewer),
    (N_("Record of processing"), "/console/policy/ropa", Role.viewer),
    (N_("Data map"), "/console/datamap", Role.viewer),
    (N_("Announcements"), "/console/announcements", Role.viewer),
    (N_("Audit log"), "/console/audit", Role.viewer),
    (N_("Users"), "/console/users", Role.admin),
    (N_("Requests"), "/console/requests", Role.viewer),
    (N_("Outbox"), "/console/outbox", Role.officer),
    (N_("Consent"), "/console/consent", Role.viewer),
    (N_("Visitor statistics"), "/console/analytics", Role.viewer),
    (N_("Retention"), "/console/retention", Role.viewer),
    (N_("Scanner"), "/console/scanner", Role.viewer),
    (N_("Breaches"), "/console/breaches", Role.viewer),
    (N_("Processors"), "/console/processors", Role.viewer),
    (N_("Controllers served"), "/console/controllers", Role.viewer),
]


def visible(role: str) -> list[tuple[str, str]]:
    r = Role(role)
    return [(label, path) for label, path, need in NAV if r.allows(need)]
