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
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from steward import audit
from steward.config import Settings
from steward.errors import Conflict, Unavailable
from steward.policy.models import Policy, Right
from steward.requests import letters, notices, packages, redaction, suppression
from steward.requests.plan import (
    Discovery,
    Systems,
    discover,
    erasure_plans,
    plan_summary,
    portable_systems,
    recipients_for,
    systems_for,
)
from steward.requests.sealing import Sealer, value_hash
from steward.requests.states import State, move, record, ref
from steward.requests.tables import (
    DsrPackage,
    DsrProgress,
    DsrRequest,
)
from steward.store.db import transaction

RETRY_MINUTES = (1, 5, 15, 60, 240)
ACTOR = "steward"


def sealer_for(settings: Settings) -> Sealer:
    return Sealer(settings.resolved_secret_key())


def _identities(req: DsrRequest) -> dict[str, list[str]]:
    # Only the verified e-mail starts the search; identifiers typed into the form by a person
    # not yet proven to own them are never searched (Art. 15(4): other people's data).
    return {"email": [req.email]}


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
        ident = _identities(req)
    systems = systems_for(policy, settings, env=env, base_dir=base_dir)
    try:
        found = discover(policy, systems, ident)
        summary: dict[str, Any] = {
            "identities": {k: len(v) for k, v in found.identities.items()},
            "rounds": found.rounds,
            "found": {k: r.count() for k, r in found.records.items()},
            "not_searched": dict(found.not_searched),
        }
        if req.type == Right.erasure.value:
            plans = erasure_plans(
                policy, systems, found, datetime.now(UTC).date(), settings.resolved_secret_key()
            )
            summary["systems"] = plan_summary(plans)
    finally:
        systems.close()
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        req.plan_json = json.dumps(summary)
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
) -> str:
    """Run a request that is in_progress (or waiting_on_system); return its new state."""
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        if req.state == State.waiting_on_system.value:
            move(s, req, State.in_progress, ACTOR, "retrying")
        if req.state != State.in_progress.value:
            raise Conflict(f"request {req.public_id} is {req.state}, not in progress")
        s.expunge(req)
    sealer = sealer_for(settings)
    systems = systems_for(policy, settings, env=env, base_dir=base_dir)
    try:
        found = discover(policy, systems, _identities(req))
        if found.not_searched:
            # Art. 15(1): a system not searched is not "no data": the request stays open for
            # the officer, with the reason, until every system can be searched.
            raise Unavailable(not_searched_text(found.not_searched))
        result = _run(sm, settings, policy, sealer, systems, req, found)
    except Unavailable as err:
        return _wait(sm, request_id, err)
    finally:
        systems.close()
    return _finish(sm, settings, policy, sealer, request_id, found, result)


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
    allowed = portable_systems(policy) if portable else None
    data: dict[str, dict[str, list[dict[str, Any]]]] = {}
    for key, records in found.records.items():
        if records.is_empty() or (allowed is not None and key not in allowed):
            continue
        data[key] = systems.get(key).export(records, portable_only=portable)
    # Art. 15(4): other people's identifiers in free text are tagged; the subject's own stay.
    own = redaction.own_identities(
        [found.identities, *(r.identities for r in found.records.values())]
    )
    redacted = redaction.redact_package(policy, data, own)
    return {
        "_data": data,
        "exported": {k: {t: len(r) for t, r in v.items()} for k, v in data.items()},
        "redacted": redacted,
    }


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
    for key, plan in erasure_plans(
        policy, systems, todo, today, settings.resolved_secret_key()
    ).items():
        counts = systems.get(key).apply(plan)  # one transaction per system; idempotent
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
    return {"erased": erased, "kept": kept_all, "recipients_told": recipients_for(policy, touched)}


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
            pk = records.primary_keys.get(table) if records else None
            for row in records.tables.get(table, []) if records else []:
                assert conn is not None and pk is not None
                rect = conn.rectify(table, row[pk], values)
                changed[table] = changed.get(table, 0) + 1
                # Art. 16 proof without values in the audit: field names and value hashes.
                log.append(
                    {
                        "table": table,
                        "pk": str(row[pk]),
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
        "recipients_told": recipients_for(policy, touched),
    }


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
    return {"flagged": flagged, "recipients_told": recipients_for(policy, found.found_systems())}


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


def _finish(
    sm: sessionmaker[Session],
    settings: Settings,
    policy: Policy,
    sealer: Sealer,
    request_id: int,
    found: Discovery,
    result: dict[str, Any],
) -> str:
    data = result.pop("_data", None)
    with transaction(sm) as s:
        req = s.get_one(DsrRequest, request_id)
        letter = letters.render_letter(
            policy,
            name=req.name,
            type_=req.type,
            received=req.received_on.isoformat(),
            lang=req.language,
            jurisdiction=req.jurisdiction,
            result=result,
        )
        if data is not None:
            info = letters.art15_information(
                policy, result["systems_found"], req.language, req.jurisdiction
            )
            blob = packages.build_zip(
                data,
                info=info,
                letter=letter,
                lang=req.language,
                title=f"{policy.controller.name}: {letters.ARTICLES[req.type]}",
                controller=policy.controller.name,
                none_text=letters.phrase("none", req.language),
            )
            name, size = packages.store(sealer, settings.data_dir, blob)
            now = datetime.now(UTC)
            s.add(
                DsrPackage(
                    request_id=req.id,
                    filename=name,
                    size=size,
                    created_at=now,
                    expires_at=packages.expiry(now),
                )
            )
            audit.append(
                s,
                actor=ACTOR,
                action="dsr.disclosed",
                subject_ref=ref(req),
                details={"exported": result.get("exported", {})},
            )
        req.letter = sealer.seal_text(letter)
        req.result_json = json.dumps(result)
        req.completed_at = datetime.now(UTC)
        req.next_retry_at = None
        move(s, req, State.completed, ACTOR, details_summary(result))
        notices.queue(req)  # sent below; kept pending (and retried) if the mail server is down
        s.flush()
        s.expunge(req)
    notices.deliver(sm, settings, policy, req)
    return State.completed.value


def details_summary(result: dict[str, Any]) -> str:
    found = result.get("systems_found") or []
    return f"data found in {len(found)} system(s)"
