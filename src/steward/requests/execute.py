"""Executing a verified, approved request across the company's systems.

`execute_request(session_factory, settings, policy, request_id)` is the plain function the job
runner schedules. It is safe to run again at any time:
- a system that cannot be reached puts the request in `waiting_on_system` (with the next retry
  time); nothing is reported complete while any system is missing;
- erasure, restriction and rectification record per-system progress (`dsr_progress`) in the
  same step as the audit event, so a rerun after a kill skips finished systems and the
  connectors' idempotent changes finish the rest; nothing is done twice.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.config import Settings
from steward.connectors.base import ErasurePlan, SubjectRecords, plain_key
from steward.errors import Conflict, SystemRefused, Unavailable
from steward.policy.models import Policy, Right
from steward.policy.tenancy import scope_lines, scoped_policy
from steward.requests import (
    drafts,
    fanout,
    legalholds,
    letters,
    notices,
    notifications,
    objections,
    packages,
    portability,
    redaction,
    suppression,
)
from steward.requests.identities import remember_discovered, request_identities
from steward.requests.plan import (
    Discovery,
    Systems,
    discover,
    erasure_plans,
    plan_summary,
    systems_for,
)
from steward.requests.states import State, move, record, ref
from steward.requests.tables import (
    DsrProgress,
    DsrRequest,
)
from steward.store.db import transaction
from steward.store.sealing import Sealer, value_hash

RETRY_MINUTES = (1, 5, 15, 60, 240)
ACTOR = "steward"


def sealer_for(settings: Settings) -> Sealer:
    return Sealer(settings.resolved_secret_key())


def _identities(session: Session, settings: Settings, req: DsrRequest) -> dict[str, list[str]]:
    # Only verified identities start the search (the e-mail proven by code, values an officer
    # checked); identifiers typed into the form by a person not yet proven to own them are
    # never searched (Art. 15(4): other people's data).
    found = request_identities(session, req.id, sealer=sealer_for(settings))
    return found or {"email": [req.email]}


def _done(session: Session, req_id: int, step: str) -> dict[str, dict[str, Any]]:
    rows = session.scalars(
        select(DsrProgress).where(DsrProgress.request_id == req_id, DsrProgress.step == step)
    )
    return {r.system: json.loads(r.counts_json) for r in rows}


def _progress(
    session: Session, req: DsrRequest, system: str, step: str, counts: dict[str, Any]
) -> None:
    session.add(
        DsrProgress(
            request_id=req.id,
            system=system,
            step=step,
            at=datetime.now(UTC),
            counts_json=json.dumps(counts),
        )
    )
    audit.append(
        session,
        actor=ACTOR,
        action=f"dsr.system_{step}",
        subject_ref=ref(req),
        details={"system": system, **counts},
    )


def _wait(sm: sessionmaker[Session], req_id: int, err: Unavailable) -> str:
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, req_id)
        req.retries += 1
        delay = RETRY_MINUTES[min(req.retries - 1, len(RETRY_MINUTES) - 1)]
        req.next_retry_at = datetime.now(UTC) + timedelta(minutes=delay)
        req.last_error = err.detail[:500]
        if req.state != State.waiting_on_system.value:
            move(s, req, State.waiting_on_system, ACTOR, err.detail[:500], retry_in_min=delay)
        else:
            record(
                s, req, "retry_failed", ACTOR, err.detail[:500], details={"retries": req.retries}
            )
        return req.state


def _audit_key(policy: Policy, system: str, table: str, key: object) -> str:
    """A row's key for the audit log: as it is (a JSON list for a composite key), or its hash
    when a key column holds personal data (an e-mail in a key): the audit holds none."""
    spec = next((t for t in policy.system(system).tables if t.name == table), None)
    personal = set() if spec is None else set(spec.identity_column_names) | {
        f.name for f in spec.fields if f.category
    }
    if spec is not None and personal & set(spec.key_columns):
        return "sha256:" + value_hash(key)
    return json.dumps(key) if isinstance(key, tuple) else str(key)


def _refused(sm: sessionmaker[Session], req_id: int, err: SystemRefused) -> str:
    """A system said no for a reason waiting will not change (a trigger, a constraint,
    permission): the request is not retried but handed back to the officer (awaiting
    approval) with the database's message, to fix the system and approve again, or refuse.
    Systems finished before it stay done (their progress is recorded); the failed one rolled
    back, and running the request again does exactly what is left."""
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, req_id)
        req.last_error = err.detail[:500]
        req.next_retry_at = None
        move(s, req, State.awaiting_approval, ACTOR, err.detail[:500])
        return req.state


def prepare_plan(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    request_id: int,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
) -> dict[str, Any]:
    """The erasure dry run (systems, tables, statements, kept rows) stored on the request for
    the officer to read before approving. Raises Unavailable when a system is down."""
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        ident = _identities(s, settings, req)
        controller = req.controller
    if controller:
        policy = scoped_policy(policy, controller)  # Art. 28(3)(e): its data only
    systems = systems_for(policy, settings, env=env, base_dir=base_dir)
    try:
        found = discover(policy, systems, ident)
        summary: dict[str, Any] = {
            "identities": {k: len(v) for k, v in found.identities.items()},
            "rounds": found.rounds,
            "found": {k: r.count() for k, r in found.records.items()},
            "not_searched": dict(found.not_searched),
        }
        if controller:
            summary["controller"] = controller
            summary["scope"] = scope_lines(policy, controller)
        if req.type == Right.erasure.value:
            with transaction(sm) as s:
                holds = legalholds.active(s)
            plans = erasure_plans(
                policy,
                systems,
                found,
                datetime.now(UTC).date(),
                settings.resolved_secret_key(),
                holds,
            )
            summary["systems"] = plan_summary(plans)
            summary["holds"] = _holds_applied(plans, holds)
    finally:
        systems.close()
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        req.plan_json = json.dumps(summary)
        remember_discovered(s, sealer_for(settings), request_id, found.identities)
        record(s, req, "planned", ACTOR, details={"found": summary["found"]})
    return summary


def execute_request(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    request_id: int,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    actor: str = ACTOR,
) -> str:
    """Run a request that is in_progress (or waiting_on_system); return its new state:
    `awaiting_review` when its answer waits for an officer (`drafts`), `completed` when the
    policy sends it without review. `actor`: who started the run (an officer, or Steward's
    own job runner), on the timeline."""
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        if req.state == State.waiting_on_system.value:
            move(s, req, State.in_progress, ACTOR, "retrying")
        if req.state != State.in_progress.value:
            raise Conflict(f"request {req.public_id} is {req.state}, not in progress")
        ident = _identities(s, settings, req)
        s.expunge(req)
    if req.controller:
        # Art. 28(3)(e): a controller's assisted request searches and changes its data only.
        policy = scoped_policy(policy, req.controller)
    sealer = sealer_for(settings)
    systems = systems_for(policy, settings, env=env, base_dir=base_dir)
    try:
        found = discover(policy, systems, ident)
        with transaction(sm) as s:
            remember_discovered(s, sealer, request_id, found.identities)
        if found.not_searched:
            # Art. 15(1): a system not searched is not "no data": the request stays open for
            # the officer, with the reason, until every system can be searched.
            raise Unavailable(not_searched_text(found.not_searched))
        result = _run(sm, settings, policy, sealer, systems, req, found)
    except Unavailable as err:
        return _wait(sm, request_id, err)
    except SystemRefused as err:
        return _refused(sm, request_id, err)
    finally:
        systems.close()
    if result.get("assessing"):
        return _await_decision(sm, request_id, result)
    untold = _art19(sm, settings, policy, sealer, req, found, result, env=env)
    if untold is not None:
        return _wait(sm, request_id, untold)
    return _finish(sm, settings, policy, sealer, request_id, found, result, actor)


def not_searched_text(not_searched: Mapping[str, str]) -> str:
    return "; ".join(f"not searched: {k}: {why}" for k, why in sorted(not_searched.items()))


def _run(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    systems: Systems,
    req: DsrRequest,
    found: Discovery,
) -> dict[str, Any]:
    kind = req.type
    result: dict[str, Any] = {
        "systems_found": found.found_systems(),
        "rows_found": {k: r.count() for k, r in found.records.items()},
    }
    if kind in (Right.access.value, Right.portability.value):
        result.update(_export(settings, policy, sealer, systems, req, found))
    elif kind == Right.erasure.value:
        result.update(_erase(sm, settings, policy, systems, req, found))
    elif kind == Right.rectification.value:
        result.update(_rectify(sm, policy, sealer, systems, req, found))
    elif kind == Right.restriction.value:
        result.update(_restrict(sm, settings, policy, systems, req, found))
    elif kind == Right.objection.value and req.objection_scope == "legitimate_interest":
        result.update(_restrict_while_assessed(sm, settings, policy, systems, req, found))
    elif kind == Right.objection.value:
        result.update(_object(sm, settings, policy, req, found))
    return result


def _export(
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    systems: Systems,
    req: DsrRequest,
    found: Discovery,
) -> dict[str, Any]:
    portable = req.type == Right.portability.value
    allowed = portability.portable_systems(policy) if portable else None
    keys = [k for k, r in found.records.items()
            if not r.is_empty() and (allowed is None or k in allowed)]
    conns = {k: systems.get(k) for k in keys}  # made here, not on the pool's threads
    # The systems are read at the same time (`fanout`): the copy takes as long as the
    # slowest system.
    exports = fanout.each_system(
        keys, lambda k: conns[k].export(found.records[k], portable_only=portable))
    data: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key, exported in zip(keys, exports, strict=True):
        data[key] = portability.select(policy, key, exported) if portable else exported
    copy = _fit_copy(policy, found, data)
    out: dict[str, Any] = {
        "_data": data,
        "exported": {k: {t: len(r) for t, r in v.items()} for k, v in data.items()},
        "redacted": copy.tagged_per_table(),
        "copy": copy.to_json(),
    }
    if portable:
        # Art. 20: say what the package holds and what it leaves out, and why.
        tables = {k: [t for t, rows in r.tables.items() if rows] for k, r in found.records.items()}
        out["portable"] = portability.explain(policy, tables, data)
    return out


def _fit_copy(
    policy: Policy, found: Discovery, data: dict[str, dict[str, list[dict[str, Any]]]]
) -> redaction.CopyReport:
    """Art. 15(1),(3),(4): the subject's own identity values (every one the search returned)
    stay readable; fields about others are left out and other people's identifiers in mixed
    fields are tagged, in place; the report counts what was done, per table and field."""
    own = redaction.own_identities(
        [found.identities, *(r.identities for r in found.records.values())]
    )
    return redaction.prepare_copy(policy, data, own)


def _erase(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    systems: Systems,
    req: DsrRequest,
    found: Discovery,
) -> dict[str, Any]:
    today = datetime.now(UTC).date()
    with transaction(sm) as s:
        done = _done(s, req.id, "erase")
    todo = Discovery(found.identities, {k: r for k, r in found.records.items() if k not in done})
    rechecked: dict[str, Any] = {}
    _erase_each(sm, settings, policy, systems, req, found, todo, today, rechecked)
    for key, records in todo.records.items():
        if records.is_empty() and key not in done:
            with transaction(sm) as s:
                _progress(
                    s,
                    s.get_one(DsrRequest, req.id),
                    key,
                    "erase",
                    {"deleted": {}, "updated": {}, "kept": []},
                )
    with transaction(sm) as s:
        done = _done(s, req.id, "erase")
        erased: dict[str, int] = {}
        kept_all: list[dict[str, Any]] = []
        for key, c in done.items():
            for t, n in {**c["deleted"]}.items():
                if n:
                    erased[f"{key}.{t} deleted"] = n
            for t, n in c["updated"].items():
                if n:
                    erased[f"{key}.{t} anonymised"] = n
            kept_all += [{"system": key, **k} for k in c["kept"]]
        if kept_all:
            _restrict_in_steward(s, settings, s.get_one(DsrRequest, req.id), found)
    touched = [
        k for k, c in done.items() if any(c["deleted"].values()) or any(c["updated"].values())
    ]
    out: dict[str, Any] = {
        "erased": erased,
        "kept": kept_all,
        "art19_systems": touched,
    }
    if rechecked:
        out["plan_rechecked"] = rechecked
    return out


# --- fan-out: the systems of one erasure at the same time --------------------------------------


def _erase_each(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    systems: Systems,
    req: DsrRequest,
    found: Discovery,
    todo: Discovery,
    today: date,
    rechecked: dict[str, Any],
) -> None:
    """Erase in every system of `todo` concurrently (`fanout`: bounded per system), so the
    request takes as long as its slowest system. Each system keeps its own transaction and
    records its progress the moment it is done, so a kill loses no finished system's work and
    a rerun skips it; an unreachable system raises `Unavailable` once the others ended."""
    keys = list(todo.records)
    for key in keys:
        systems.get(key)  # connectors are made here, not on the pool's threads

    def erase_one(key: str) -> None:
        one = Discovery(found.identities, {key: todo.records[key]})
        with transaction(sm) as s:
            holds = legalholds.active(s)  # read right before the run: a hold placed since counts
        plans = erasure_plans(policy, systems, one, today, settings.resolved_secret_key(), holds)
        if key not in plans:
            return
        plan = plans[key]
        _recheck(sm, req, key, plan, holds, rechecked)
        counts = systems.get(key).apply(plan)  # one transaction per system; idempotent
        _restrict_kept(systems, policy, key, todo.records[key], plan)
        kept: dict[str, dict[str, Any]] = {}
        for k in plan.kept:
            entry = kept.setdefault(
                f"{k.table}\x1f{k.reason}", {"table": k.table, "reason": k.reason, "rows": 0}
            )
            entry["rows"] += 1
        with transaction(sm) as s:
            r = s.get_one(DsrRequest, req.id)
            _progress(
                s,
                r,
                key,
                "erase",
                {
                    "deleted": {t: c.deleted for t, c in counts.items()},
                    "updated": {t: c.updated for t, c in counts.items()},
                    "kept": list(kept.values()),
                },
            )

    fanout.each_system(keys, erase_one)


# --- Art. 17(3)(e): legal holds bind erasure -------------------------------------------------


def _held(plan: ErasurePlan, holds: Sequence[legalholds.Hold]) -> dict[int, int]:
    """Hold id -> rows of `plan` it keeps (matched by the reason the hold gives)."""
    by_reason = {h.reason(): h.id for h in holds}
    out: dict[int, int] = {}
    for k in plan.kept:
        hid = by_reason.get(k.reason)
        if hid is not None:
            out[hid] = out.get(hid, 0) + 1
    return out


def _holds_applied(
    plans: Mapping[str, ErasurePlan], holds: Sequence[legalholds.Hold]
) -> dict[str, dict[str, int]]:
    """For the dry run: system -> hold id -> rows it keeps (no values, no reasons)."""
    out: dict[str, dict[str, int]] = {}
    for key, plan in plans.items():
        held = _held(plan, holds)
        if held:
            out[key] = {str(h): n for h, n in held.items()}
    return out


def _recheck(
    sm: sessionmaker[Session],
    req: DsrRequest,
    key: str,
    plan: ErasurePlan,
    holds: Sequence[legalholds.Hold],
    rechecked: dict[str, Any],
) -> None:
    """The plan the officer approved is checked again against the holds in force right before
    the run: a hold placed (or lifted) since then changes what is kept, and the request's
    timeline says so (Art. 17(3)(e))."""
    with transaction(sm) as s:
        approved = json.loads(s.get_one(DsrRequest, req.id).plan_json or "{}")
    before = {h: int(n) for h, n in (approved.get("holds") or {}).get(key, {}).items()}
    now = {str(h): n for h, n in _held(plan, holds).items()}
    if "systems" not in approved or before == now:
        return
    change = {
        "holds_at_approval": before,
        "holds_now": now,
        "kept_rows": len(plan.kept),
        "article": legalholds.ARTICLE,
    }
    rechecked[key] = change
    with transaction(sm) as s:
        record(
            s,
            s.get_one(DsrRequest, req.id),
            "plan_rechecked",
            ACTOR,
            f"{key}: the legal holds changed since the plan was approved; the plan was made "
            "again before the run",
            details={"system": key, **change},
        )


def _restrict_kept(
    systems: Systems, policy: Policy, key: str, records: SubjectRecords, plan: ErasurePlan
) -> None:
    """Rows an erasure keeps are restricted (Art. 18(2): only stored): their restriction flag
    is set where the table has one."""
    if not plan.kept:
        return
    spec = policy.system(key)
    tables = {t.name: t for t in spec.tables}
    kept: dict[str, set[str]] = {}
    for k in plan.kept:
        pk = k.pk if isinstance(k.pk, list | tuple) else (k.pk,)
        kept.setdefault(k.table, set()).add(",".join(str(v) for v in pk))
    subset = SubjectRecords(
        system=records.system,
        tables={
            t: [
                r
                for r in rows
                if ",".join(str(r.get(c)) for c in tables[t].key_columns) in kept.get(t, ())
            ]
            for t, rows in records.tables.items()
            if t in kept and tables[t].restriction_flag
        },
        primary_keys={t: records.primary_keys[t] for t in kept if t in records.primary_keys},
        identities=records.identities,
    )
    if not subset.is_empty():
        systems.get(key).set_restriction(subset, True)


def _rectify(
    sm: sessionmaker[Session],
    policy: Policy,
    sealer: Sealer,
    systems: Systems,
    req: DsrRequest,
    found: Discovery,
) -> dict[str, Any]:
    changes: dict[str, str | None] = json.loads(sealer.open_text(req.changes_enc) or "{}")
    per: dict[str, dict[str, dict[str, Any]]] = {}
    for key, value in changes.items():
        system, table, field = key.split(".")
        per.setdefault(system, {}).setdefault(table, {})[field] = value
    with transaction(sm) as s:
        done = _done(s, req.id, "rectify")
    for system, tables in per.items():
        if system in done:
            continue
        records = found.records.get(system)
        conn = systems.get(system) if records is not None else None
        changed: dict[str, int] = {}
        log: list[dict[str, Any]] = []
        for table, values in tables.items():
            for row in records.tables.get(table, []) if records else []:
                assert conn is not None and records is not None
                row_key = plain_key(records.key_of(table, row))  # a tuple for a composite key
                rect = conn.rectify(table, row_key, values)
                changed[table] = changed.get(table, 0) + 1
                # Art. 16 proof without values in the audit: field names and value hashes.
                log.append(
                    {
                        "table": table,
                        "pk": _audit_key(policy, system, table, row_key),
                        "fields": {
                            f: {
                                "old": value_hash(rect.old.get(f)),
                                "new": value_hash(rect.new.get(f)),
                            }
                            for f in values
                        },
                    }
                )
        with transaction(sm) as s:
            r = s.get_one(DsrRequest, req.id)
            _progress(s, r, system, "rectify", {"rows": changed, "changes": log})
    with transaction(sm) as s:
        done = _done(s, req.id, "rectify")
    touched = [k for k, c in done.items() if c["rows"]]
    return {
        "rectified": sorted(changes),
        "rectified_rows": {k: c["rows"] for k, c in done.items()},
        "art19_systems": touched,
    }


ART19_RIGHTS = frozenset({Right.erasure.value, Right.rectification.value, Right.restriction.value})


def _art19(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    req: DsrRequest,
    found: Discovery,
    result: dict[str, Any],
    *,
    env: Mapping[str, str] | None = None,
) -> Unavailable | None:
    """GDPR Art. 19: tell every recipient of the changed data (`notifications`). Puts what
    happened in `result["art19"]` for the letter; returns what is left (an Unavailable the
    request waits on) while any notification is neither sent nor waived, else None."""
    systems = result.pop("art19_systems", None)
    if req.type not in ART19_RIGHTS or not systems:
        return None  # nothing changed: no one to tell
    changes = None
    if req.type == Right.rectification.value:
        changes = json.loads(sealer.open_text(req.changes_enc) or "{}")
    with transaction(sm) as s:
        r = s.get_one(DsrRequest, req.id)
        notifications.record(s, sealer, policy, r, systems, found.identities, changes)
    notifications.dispatch(sm, settings, policy, sealer, req.id, env=env)
    with transaction(sm) as s:
        left = notifications.outstanding(s, req.id)
        result["art19"] = notifications.outcomes(s, req.id)
    result["recipients_told"] = [o["name"] for o in result["art19"] if o["status"] == "sent"]
    if not left:
        return None
    officer = sum(r.status == notifications.OPEN for r in left)
    return Unavailable(
        f"GDPR Art. 19: {len(left)} recipient(s) not told yet ({officer} waiting for an "
        "officer to confirm or waive); the request completes once every one is told or waived"
    )


def _restrict_in_steward(s: Session, settings: Settings, req: DsrRequest, found: Discovery) -> int:
    """Art. 18: record the restriction in Steward for every identity of the subject, so
    marketing and other processing checks skip them."""
    refs = suppression.subject_refs(settings.resolved_secret_key(), found.identities)
    return suppression.restrict(s, req.id, refs)


def _restrict(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    systems: Systems,
    req: DsrRequest,
    found: Discovery,
) -> dict[str, Any]:
    with transaction(sm) as s:
        done = _done(s, req.id, "restrict")
    for key, records in found.records.items():
        if key in done:
            continue
        counts = systems.get(key).set_restriction(records, True) if not records.is_empty() else {}
        with transaction(sm) as s:
            _progress(s, s.get_one(DsrRequest, req.id), key, "restrict", {"flagged": counts})
    with transaction(sm) as s:
        r = s.get_one(DsrRequest, req.id)
        n = _restrict_in_steward(s, settings, r, found)
        done = _done(s, req.id, "restrict")
        audit.append(
            s, actor=ACTOR, action="dsr.restricted", subject_ref=ref(r), details={"identities": n}
        )
    flagged = {k: c["flagged"] for k, c in done.items() if c["flagged"]}
    return {"flagged": flagged, "art19_systems": found.found_systems()}


def _object(
    sm: sessionmaker[Session], settings: Settings, policy: Policy, req: DsrRequest, found: Discovery
) -> dict[str, Any]:
    """Art. 21(3): an objection to direct marketing is absolute and takes effect at once."""
    with transaction(sm) as s:
        r = s.get_one(DsrRequest, req.id)
        refs = suppression.subject_refs(settings.resolved_secret_key(), found.identities)
        n = suppression.record_objection(
            s, policy, r.id, refs, "direct_marketing", overridden=False, actor=ACTOR
        )
        audit.append(
            s,
            actor=ACTOR,
            action="dsr.objection_recorded",
            subject_ref=ref(r),
            details={
                "scope": "direct_marketing",
                "article": "GDPR Art. 21(3)",
                "subjects": len(refs),
                "ledger_events": n,
            },
        )
    return {"scope": req.objection_scope}


# --- Art. 21(1): the objected processing is restricted while it is assessed ------------------


def _restrict_while_assessed(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    systems: Systems,
    req: DsrRequest,
    found: Discovery,
) -> dict[str, Any]:
    """Art. 18(1)(d): pending the officer's decision on an Art. 21(1) objection, the subject's
    rows in the systems of the objected processing get their restriction flag, and Steward's
    restriction blocks consent checks (the blockers) for every identity of the subject."""
    scope = objections.assessment(policy, found.found_systems())
    with transaction(sm) as s:
        done = _done(s, req.id, "restrict")
    for key in scope["systems"]:
        records = found.records.get(key)
        if key in done or records is None:
            continue
        counts = systems.get(key).set_restriction(records, True)
        with transaction(sm) as s:
            _progress(s, s.get_one(DsrRequest, req.id), key, "restrict", {"flagged": counts})
    with transaction(sm) as s:
        r = s.get_one(DsrRequest, req.id)
        n = _restrict_in_steward(s, settings, r, found)
        done = _done(s, req.id, "restrict")
        audit.append(
            s,
            actor=ACTOR,
            action="dsr.restricted",
            subject_ref=ref(r),
            details={
                "identities": n,
                "article": objections.RESTRICT_ARTICLE,
                "purposes": scope["purposes"],
                "systems": scope["systems"],
            },
        )
    return {
        "scope": "legitimate_interest",
        "assessing": True,
        "objected": scope,
        "flagged": {k: c["flagged"] for k, c in done.items() if c["flagged"]},
    }


def _await_decision(sm: sessionmaker[Session], request_id: int, result: dict[str, Any]) -> str:
    """The restriction is in place: the request waits for the officer's decision (`decide`)."""
    result.pop("assessing", None)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        req.plan_json = json.dumps(result)  # what is restricted: keys and counts, no values
        req.next_retry_at = None
        move(
            s,
            req,
            State.awaiting_approval,
            ACTOR,
            f"the objected processing is restricted while it is assessed "
            f"({objections.RESTRICT_ARTICLE}); an officer decides ({objections.ARTICLE})",
            systems=result["objected"]["systems"],
        )
        return req.state


def _finish(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    request_id: int,
    found: Discovery,
    result: dict[str, Any],
    actor: str = ACTOR,
) -> str:
    """The answer: a draft for the officer to read and send (`drafts`), or, for a type the
    policy sends without review, sent at once."""
    data = result.pop("_data", None)
    with transaction(sm) as s:
        controller = s.get_one(DsrRequest, request_id).controller
    if controller:
        return _finish_assisted(sm, settings, policy, sealer, request_id, result, data)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        record(s, req, "executed", actor, details_summary(result))
        if drafts.review_required(policy, req.type):
            drafts.hold(s, sealer, req, result, data, ACTOR)
            return req.state
        drafts.answer(s, settings, policy, sealer, req, result, data, drafts.FreeFields(), ACTOR)
        move(s, req, State.completed, ACTOR, "sent without review (rights.send_without_review)")
        notices.queue(req)  # sent below; kept pending (and retried) if the mail server is down
        s.flush()
        s.expunge(req)
    notices.deliver(sm, settings, policy, req)
    return State.completed.value


def _finish_assisted(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    request_id: int,
    result: dict[str, Any],
    data: dict[str, Any] | None,
) -> str:
    """Art. 28(3)(e): the answer of an assisted request is the controller's: a report (and for
    access the package of its data) fetched through its API or portal; its contact is told it
    is ready. Nothing goes to the data subject, whose answer is the controller's to give."""
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        _answer_assisted(settings, policy, sealer, s, req, result, data)
        s.flush()
        s.expunge(req)
    notices.deliver(sm, settings, policy, req)
    return State.completed.value


def _answer_assisted(
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    s: Session,
    req: DsrRequest,
    result: dict[str, Any],
    data: dict[str, Any] | None,
) -> None:
    from steward.policy.tenancy import find
    from steward.requests import assisted_texts

    controller = req.controller or ""
    served = find(policy, controller).controller
    report = assisted_texts.report(
        policy, controller=controller, public_id=req.public_id, type_=req.type, result=result
    )
    if data is not None:
        blob = packages.build_zip(
            data,
            info={"controller": served.name, "processor": policy.controller.name,
                  "article": "GDPR Art. 28(3)(e)", "scope": scope_lines(policy, controller)},
            letter=report,
            lang=assisted_texts.controller_language(policy, controller),
            title=f"{served.name}: {letters.ARTICLES[req.type]}",
            controller=served.name,
            none_text="-",
        )
        packages.keep(s, sealer, settings.data_dir, req.id, blob)
        audit.append(s, actor=ACTOR, action="dsr.disclosed", subject_ref=ref(req),
                     details={"exported": result.get("exported", {}), "controller": controller})
    req.letter = sealer.seal_text(report)
    req.result_json = json.dumps(result)
    req.completed_at = datetime.now(UTC)
    req.next_retry_at = None
    req.last_error = None
    move(s, req, State.completed, ACTOR, details_summary(result))
    audit.append(s, actor=ACTOR, action="controllers.request_answered",
                 subject_ref=f"controller:{controller}",
                 details={"request": req.public_id, "type": req.type})
    notices.queue(req)


def details_summary(result: dict[str, Any]) -> str:
    found = result.get("systems_found") or []
    return f"data found in {len(found)} system(s)"
