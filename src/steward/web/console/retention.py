"""The retention console: rules with their next run, past runs with counts and evidence,
deletions due in the next 30 days, and legal holds (officers place and lift them). An officer
approves and runs a rule from here (`sweep: approval` rules run no other way at night).

The rules' counts come from the cached plans (`retention.plancache`), refreshed by the daily
sweep job and by the officer's refresh button: loading the page never queries the company's
systems."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from fastapi import APIRouter, BackgroundTasks, Depends, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.config import Settings
from steward.connectors.engines import SystemEngines
from steward.errors import NotFound, StewardError
from steward.i18n import gettext as _
from steward.jobs.tasks import RETENTION_HOUR
from steward.policy.models import Policy
from steward.retention import evidence, plancache, statutes
from steward.retention.cutoff import describe_words
from steward.retention.holds import active_holds, add_hold, all_holds, lift_hold, masked
from steward.retention.rules import resolve
from steward.retention.tables import RetentionRun
from steward.store.db import transaction
from steward.web.codes import code_words
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
    """Dashboard: rules awaiting approval with their last counts, the last runs that wait or
    failed, and active holds (no company system is queried here)."""
    runs = evidence.recent_runs(session, limit=20)
    waiting = [r for r in runs if r.status in ("waiting", "failed")]
    holds = active_holds(session)
    pending = plancache.awaiting_approval(plancache.cached(session, policy))
    lines = [_awaiting_line(e) for e in pending]
    lines += [f"{r.rule}: {code_words('retention_run_status', r.status)} ({r.reason or ''})"
              for r in waiting[:3]]
    return [Card(_("Retention"), _("{n} rules").format(n=len(policy.retention_rules)),
                 "/console/retention", tone="warn" if waiting or pending else "ok",
                 note=_("next sweep {at} UTC; {holds} legal hold(s)").format(
                     at=f"{next_run():%Y-%m-%d %H:%M}", holds=len(holds)),
                 lines=lines)]


def _awaiting_line(e: plancache.CachedPlan) -> str:
    if e.plan is None or e.plan.error is not None:
        return _("%(rule)s: awaiting approval (not counted)") % {"rule": e.rule.key}
    return _("%(rule)s: awaiting approval, %(n)d to %(action)s (counted %(at)s UTC)") % {
        "rule": e.rule.key, "n": e.plan.to_process,
        "action": code_words("retention_action", e.rule.action.value),
        "at": f"{e.refreshed_at:%Y-%m-%d %H:%M}" if e.refreshed_at else "-"}


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
            "awaiting": {e.rule.key for e in plancache.awaiting_approval(entries)},
            "totals": totals, "holds": holds, "lifted": lifted, "next_run": next_run(),
            "error": error, "message": message, "policy": policy,
            "periods": {r.key: describe_words(r.period) for r in policy.retention_rules},
            "bases": _bases(policy), "warnings": _warnings(policy),
            "systems": [s for s in policy.systems if s.connector == "sql"]})


def _bases(policy: Policy) -> dict[str, str]:
    """What each rule rests on, in the language in force (a rule whose system left the
    policy has none)."""
    out: dict[str, str] = {}
    for rule in policy.retention_rules:
        try:
            country = statutes.country_of(rule, policy.system(rule.system))
        except StewardError:
            continue
        out[rule.key] = statutes.basis_words(policy, rule, country)
    return out


def _warnings(policy: Policy) -> dict[str, list[str]]:
    """Each rule's warnings (the statutory checks), in the language in force."""
    out: dict[str, list[str]] = {}
    for rule in policy.retention_rules:
        try:
            out[rule.key] = [f.words() for f in resolve(policy, rule).warnings]
        except StewardError:
            continue
    return out


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


@router.post("/rules/{rule_key}/run")
def approve_and_run(request: Request, rule_key: str, user: Officer, policy: PolicyDep,
                    settings: SettingsDep, background: BackgroundTasks) -> Response:
    """The officer approves the rule's plan as the page showed it and queues its run (the
    job queue, or in this process when no worker runs). Idempotent: a rule whose run is in
    progress is not queued again, a resumed run keeps its cutoff, and a finished run leaves
    nothing for the next one to do. The approval is an audit entry with the counts shown."""
    rule = policy.retention_rule(rule_key)  # NotFound (404) for a rule not in the policy
    sm = request.app.state.sessionmaker
    with transaction(sm) as s:
        running = s.scalar(sa.select(RetentionRun.id).where(
            RetentionRun.rule == rule.key, RetentionRun.status == "running").limit(1))
        if running is not None:
            request.session["retention_message"] = _(
                "Rule %(rule)s is running already (run #%(run)d): not queued again."
            ) % {"rule": rule.key, "run": running}
            return RedirectResponse("/console/retention#runs-h", status_code=303)
        entry = next((e for e in plancache.cached(s, policy) if e.rule.key == rule.key), None)
        plan = entry.plan if entry is not None else None
        audit.append(s, actor=user.email, action="retention.approved", details={
            "rule": rule.key, "action": rule.action.value, "sweep": rule.sweep,
            "plan_counted_at": entry.refreshed_at.isoformat()
            if entry is not None and entry.refreshed_at else None,
            "expired": plan.expired if plan else None,
            "to_process": plan.to_process if plan else None,
            "held": plan.held if plan else None, "blocked": plan.blocked if plan else None})
    tasks = request.app.state.extras.get("jobs")
    if tasks is not None:
        tasks.retention_sweep(rule=rule.key, actor=user.email)
    else:
        background.add_task(run_approved, sm, policy, settings, rule.key, user.email)
    request.session["retention_message"] = _(
        "Approved: rule %(rule)s is queued to run; its run and evidence appear under Runs."
    ) % {"rule": rule.key}
    return RedirectResponse("/console/retention#runs-h", status_code=303)


def run_approved(sm: sessionmaker[Session], policy: Policy, settings: Settings, rule_key: str,
                 actor: str) -> None:
    """Run one approved rule now and count it again (what the sweep job does for one rule)."""
    from steward.retention.sweep import run_rule
    from steward.retention.transforms import anonymize_key

    secret = settings.resolved_secret_key()
    engines = SystemEngines.for_settings(settings)
    try:
        run_rule(sm, policy, rule_key, engines=engines, anonymize_key=anonymize_key(secret),
                 actor=actor, secret=secret)
        with transaction(sm) as s:
            plancache.refresh(s, policy, engines=engines, rules=[rule_key], secret=secret)
    finally:
        engines.dispose()


@router.get("/runs/{run_id}")
def run_page(request: Request, run_id: int, user: Viewer, session: SessionDep,
             policy: PolicyDep) -> Response:
    run = session.get(RetentionRun, run_id)
    if run is None:
        raise NotFound(f"no retention run {run_id}")
    summary = evidence.summary(session, run, policy)
    try:
        rule = policy.retention_rule(run.rule)
    except Exception:  # noqa: BLE001 - the rule may have left the policy since the run
        rule = None
    return render(
        request, "console/retention/run.html", {
            "run": run, "summary": summary,
            "period": describe_words(rule.period) if rule is not None else None,
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
