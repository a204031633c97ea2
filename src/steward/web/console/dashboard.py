"""The console dashboard: what to do next (`next_steps`), one card per capability, each fed by
`dashboard_cards`, and the charts of requests and consent.

Capabilities contribute cards by adding a provider to `PROVIDERS` (a function taking the
request's session and policy and returning a list of `Card`s).
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward.audit.tables import AuditEvent
from steward.i18n import gettext as _
from steward.policy.models import Policy
from steward.web.deps import PolicyDep, SessionDep, Viewer, render

router = APIRouter(prefix="/console")


@dataclass(frozen=True)
class Card:
    title: str
    value: str
    link: str | None = None
    note: str | None = None
    tone: str = ""  # "", "ok", "warn", "bad"
    lines: list[str] = field(default_factory=list)


def _foundation(session: Session, policy: Policy) -> list[Card]:
    events = session.scalar(select(func.count(AuditEvent.seq))) or 0
    return [
        Card(_("Purposes"), str(len(policy.purposes)), "/console/policy"),
        Card(
            _("Processing activities"),
            str(len(policy.processing_activities)),
            "/console/policy/ropa",
            note=_("Art. 30 record"),
        ),
        Card(_("Connected systems"), str(len(policy.systems)), "/console/policy#systems"),
        Card(_("Audit events"), str(events), "/console/audit"),
    ]


# "module:function" providers; each capability appends its own.
PROVIDERS: list[str] = [
    "steward.web.console.consent:dashboard_cards",
    "steward.web.console.requests:cards",
    "steward.web.console.breaches:cards",
    "steward.web.console.processors:cards",
    "steward.web.console.retention:cards",
    "steward.web.console.scanner:cards",
    "steward.web.console.analytics:cards",
]


def dashboard_cards(session: Session, policy: Policy) -> list[Card]:
    cards = _foundation(session, policy)
    for ref in PROVIDERS:
        module, fn = ref.split(":")
        cards.extend(getattr(importlib.import_module(module), fn)(session, policy))
    return cards


@router.get("")
def dashboard(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    from steward.requests.workflow import sealer_for
    from steward.web.console import next_steps

    return render(
        request,
        "console/dashboard.html",
        {
            "groups": next_steps.groups(session, policy, sealer_for(request.app.state.settings)),
            "cards": dashboard_cards(session, policy),
            "charts": next_steps.charts(session, policy),
        },
    )
