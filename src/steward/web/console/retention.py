"""The retention console: rules with their next run, past runs with counts and evidence,
deletions due in the next 30 days, and legal holds (officers place and lift them).

The rules' counts come from the cached plans (`retention.plancache`), refreshed by the daily
sweep job and by the officer's refresh button: loading the page never queries the company's
systems."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from steward.connectors.engines import SystemEngines
from steward.errors import NotFound, StewardError
from steward.jobs.tasks import RETENTION_HOUR
from steward.policy.models import Policy
from steward.retention import evidence, plancache
from steward.retention.cutoff import describe
from steward.retention.holds import active_holds, add_hold, all_holds, lift_hold, masked
from steward.retention.rules import resolve
from steward.retention.tables import RetentionRun
from steward.store.db import transaction
from steward.web.console.dashboard import Card
from steward.web.deps import Officer, PolicyDep, SessionDep, SettingsDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/retention", dependencies=[Depends(csrf_protect)])


def next_run(now: datetime | None = None) -> datetime:
    """The next daily sweep (UTC), as scheduled in `steward.jobs.tasks`."""
    now = now or datetime.now(UTC)
    at = now.replace(hour=RETENTION_HOUR, minute=0, second=0, microsecond=0)
    return at if at > now else at + timedelta(days=1)


def cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard: the last runs and active holds (no company system is queried here)."""
    runs = evidence.recent_runs(session, limit=20)
    waiting = [r for r in runs if r.status in ("waiting", "failed")]
    holds = active_holds(session)
    return [Card("Retention", f"{len(policy.retention_rules)} rules", "/console/retention",
                 tone="warn" if waiting else "ok",
                 note=f"next sweep {next_run():%Y-%m-%d %H:%M} UTC; {len(holds)} legal hold(s)",
                 lines=[f"{r.rule}: {r.status} ({r.reason or ''})" for r in waiting[:3]])]


@router.get("")
def index(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep,
          settings: SettingsDep) -> Response:
    error = request.session.pop("retention_error", None)
    message = request.session.pop("retention_message", None)
    entries = plancache.cached(session, policy)
    runs = evidence.recent_runs(session, limit=50)
    totals = {r.id: evidence.batch_totals(session, r.id) for r in runs}
    holds = [(h, masked(h.identity_value)) for h in active_holds(session)]
    lifted = [(h, masked(h.identity_value)) for h in all_holds(session, limit=50)
              if h.lifted_at is not None][:20]
    return render(
        request, "console/retention/index.html", {
            "entries": entries, "as_of": plancache.as_of(entries), "runs": runs,
            "totals": totals, "holds": holds, "lifted": lifted, "next_run": next_run(),
            "error": error, "message": message, "policy": policy,
            "periods": {r.key: describe(r.period) for r in policy.retention_rules},
            "systems": [s for s in policy.systems if s.connector == "sql"]})


@router.post("/refresh")
def refresh(request: Request, user: Officer, policy: PolicyDep,
            settings: SettingsDep) -> Response:
    """Count every rule in the company systems now and store the plans."""
    engines = SystemEngines.for_settings(settings)
    try:
        # Committed before the redirect, so the page it leads to shows the new counts.
        with transaction(request.app.state.sessionmaker) as s:
            plans = plancache.refresh(s, policy, engines=engines,
                                      secret=settings.resolved_secret_key())
    finally:
        engines.dispose()
    failed = sum(1 for p in plans if p.error)
    request.session["retention_message"] = (
        f"Counted {len(plans)} rule(s)" + (f"; {failed} could not be counted." if failed else "."))
    return RedirectResponse("/console/retention#rules-h", status_code=303)


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: int, user: Viewer, session: SessionDep,
             policy: PolicyDep) -> Response:
    run = session.get(RetentionRun, run_id)
    if run is None:
        raise NotFound(f"no retention run {run_id}")
    return render(
        request, "console/retention/run.html", {
            "run": run, "summary": evidence.summary(session, run, policy),
            "batches": [(b, json.loads(b.counts or b.expected or "{}"),
                         json.loads(b.after_pk) if b.after_pk else None)
                        for b in evidence.batches(session, run_id)],
            "blocking": _blocking(policy, run.rule)})


def _blocking(policy: Policy, rule_key: str) -> list[str]:
    """The dependant tables whose own rule can block the run's deletions ("table (rule)")."""
    try:
        rr = resolve(policy, rule_key)
    except StewardError:  # the rule may have changed or left the policy since the run
        return []
    return [f"{table} ({other.key})" for table, other in rr.governed.items()]


def _back(request: Request, error: str | None = None) -> Response:
    # The message travels in the session (not the URL), so no one can forge it in a link.
    if error:
        request.session["retention_error"] = error
    return RedirectResponse("/console/retention#holds", status_code=303)


@router.post("/holds")
async def place_hold(request: Request, user: Officer, policy: PolicyDep) -> Response:
    form = await request.form()

    def field(name: str) -> str | None:
        value = form.get(name)
        return value.strip() or None if isinstance(value, str) else None

    try:
        with transaction(request.app.state.sessionmaker) as s:
            add_hold(s, actor=user.email, reason=field("reason") or "", policy=policy,
                     system=field("system"), table=field("table"), pk=field("pk"),
                     identity_type=field("identity_type"),
                     identity_value=field("identity_value"))
    except StewardError as err:
        return _back(request, err.detail)
    return _back(request)


@router.post("/holds/{hold_id}/lift")
async def lift(request: Request, hold_id: int, user: Officer) -> Response:
    form = await request.form()
    reason = form.get("reason")
    try:
        with transaction(request.app.state.sessionmaker) as s:
            lift_hold(s, hold_id, actor=user.email,
                      reason=reason if isinstance(reason, str) else "")
    except StewardError as err:
        return _back(request, err.detail)
    return _back(request)
