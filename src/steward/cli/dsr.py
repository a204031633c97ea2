"""`steward dsr`: data-subject requests from the command line (GDPR Arts. 12-22).

Every command takes `--json` for scripts. Requests are named by number or public id.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer

from steward.cli import context
from steward.errors import InvalidInput

app = typer.Typer(help="Data-subject requests (access, erasure, ...).", no_args_is_help=True)
ACTOR = "cli"


def _out(data: object, as_json: bool, text: str) -> None:
    typer.echo(json.dumps(data, default=str, ensure_ascii=False) if as_json else text)


def _date(value: str, name: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{name} must be a date YYYY-MM-DD, got {value!r}") from None


@app.command("due")
def due(
    received: str = typer.Option(..., "--received", help="YYYY-MM-DD"),
    country: str = typer.Option(..., "--country", help="DK | NO | SE | GB"),
    subdivision: str = typer.Option(
        None, "--subdivision", help="regional holidays, e.g. SCT or NIR for GB (default ENG)"
    ),
    extended: bool = typer.Option(False, "--extended"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Print the ISO due date (GDPR Art. 12(3), Reg. 1182/71 Art. 3, national holidays).

    Needs neither the store nor the policy."""
    from steward.requests.deadlines import due_for

    d = due_for(_date(received, "--received"), country, extended=extended, subdiv=subdivision)
    _out({"due": d.isoformat()}, as_json, d.isoformat())


def _identities(items: list[str] | None) -> list[tuple[str, str]]:
    pairs = []
    for item in items or []:
        if "=" not in item:
            raise InvalidInput("--identity needs type=value, e.g. phone=+4520123456")
        kind, value = item.split("=", 1)
        pairs.append((kind.strip(), value))
    return pairs


@app.command("submit")
def submit(
    type_: str = typer.Option(..., "--type"),
    name: str = typer.Option(..., "--name"),
    email: str = typer.Option(None, "--email"),
    identity: list[str] = typer.Option(
        None,
        "--identity",
        help="type=value of an identity the policy declares (repeatable), "
        "e.g. phone=+4520123456 or customer_number=PM-100001",
    ),
    received: str = typer.Option(
        None, "--received", help="when it arrived (Art. 12(3)): YYYY-MM-DD or YYYY-MM-DDTHH:MM"
    ),
    via: str = typer.Option(
        None, "--via", help="how it arrived: web | email | post | phone | in_person"
    ),
    country: str = typer.Option(None, "--country"),
    language: str = typer.Option(None, "--language"),
    details: str = typer.Option(None, "--details"),
    change: list[str] = typer.Option(
        None, "--change", help="system.table.field=new value (rectification)"
    ),
    scope: str = typer.Option(None, "--objection-scope"),
    evidence: str = typer.Option(
        None, "--evidence", help="identity checked by an officer: skips the code"
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record a request; without --evidence a verification code is e-mailed. Without --email,
    --evidence and an identity the policy lets start a request alone are needed."""
    from steward.requests.workflow import submit_request

    changes = {}
    for item in change or []:
        if "=" not in item:
            raise InvalidInput(f"--change needs system.table.field=value, got {item!r}")
        k, v = item.split("=", 1)
        changes[k.strip()] = v
    out = submit_request(
        context.sessionmaker_(),
        context.settings(),
        context.load(),
        type=type_,
        name=name,
        email=email,
        identities=_identities(identity),
        received=received,
        received_via=via,
        country=country,
        language=language,
        details=details,
        changes=changes,
        objection_scope=scope,
        channel="officer" if evidence else "cli",
        actor=ACTOR,
        evidence=evidence,
    )
    _out(out.__dict__, as_json, f"request {out.id} ({out.public_id}): {out.state}")


def _with(ident: str, fn):  # type: ignore[no-untyped-def]
    from steward.requests.workflow import by_ref
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        req = by_ref(s, ident)
        result = fn(s, req)
        return req.id, req.state, result


def _run(req_id: int) -> str:
    from steward.requests.execute import execute_request

    return execute_request(context.sessionmaker_(), context.settings(), context.load(), req_id)


@app.command("verify")
def verify(
    ident: str,
    code: str = typer.Option(None, "--code"),
    evidence: str = typer.Option(None, "--evidence"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Verify with the e-mailed code, or record the evidence an officer checked."""
    from steward.requests.workflow import by_ref, officer_verify, sealer_for, verify_code
    from steward.store.db import transaction

    policy, settings = context.load(), context.settings()
    if code:
        with transaction(context.sessionmaker_()) as s:
            public_id = by_ref(s, ident).public_id
        result, out = verify_code(context.sessionmaker_(), settings, policy, public_id, code)
        if result.value != "ok":
            raise InvalidInput(f"code: {result.value}")
        rid, state = out.id, out.state
    elif evidence:
        sealer = sealer_for(settings)
        rid, state, _ = _with(
            ident, lambda s, r: officer_verify(s, policy, r, evidence, ACTOR, sealer=sealer)
        )
    else:
        raise InvalidInput("give --code or --evidence")
    if state == "in_progress":
        state = _run(rid)
    _out({"id": rid, "state": state}, as_json, f"request {rid}: {state}")


@app.command("list")
def list_(
    type_: str = typer.Option(None, "--type"),
    state: str = typer.Option(None, "--state"),
    due_: str = typer.Option(None, "--due", help="open | soon | overdue"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """The queue, soonest due first."""
    from steward.requests.queries import as_dict, list_requests
    from steward.store.db import transaction

    policy = context.load()
    with transaction(context.sessionmaker_()) as s:
        found = list_requests(s, type_=type_, state=state, due=due_, policy=policy)
        rows = [as_dict(r, policy) for r in found]
    text = (
        "\n".join(
            f"{r['id']:>5}  {r['type']:<20} {r['state']:<22} "
            + (_assisting(r) if r["controller"] else f"due {r['due_on']}")
            for r in rows
        )
        or "no requests"
    )
    _out(rows, as_json, text)


@app.command("show")
def show(ident: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """One request with its plan, result and timeline."""
    from steward.requests.queries import as_dict, timeline
    from steward.requests.workflow import by_ref
    from steward.store.db import transaction

    policy = context.load()
    with transaction(context.sessionmaker_()) as s:
        req = by_ref(s, ident)
        data = as_dict(req, policy, private=True)
        data["timeline"] = [{**e, "at": e["at"].isoformat()} for e in timeline(s, req)]
    text = "\n".join(f"{k}: {v}" for k, v in data.items() if k != "timeline")
    _out(data, as_json, text)


@app.command("plan")
def plan(ident: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Search the systems and store the dry run (erasure: the statements) for approval."""
    from steward.requests.execute import prepare_plan

    rid, _, _ = _with(ident, lambda s, r: None)
    summary = prepare_plan(context.sessionmaker_(), context.settings(), context.load(), rid)
    _out(summary, as_json, json.dumps(summary, indent=1, ensure_ascii=False))


@app.command("approve")
def approve(
    ident: str,
    run: bool = typer.Option(True, "--run/--no-run"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Approve (after reading the plan) and execute."""
    from steward.requests.workflow import approve as do

    rid, state, _ = _with(ident, lambda s, r: do(s, r, ACTOR))
    if run:
        state = _run(rid)
    _out({"id": rid, "state": state}, as_json, f"request {rid}: {state}")


@app.command("draft")
def draft(ident: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """The answer waiting to be sent: the letter as the person will read it and what the
    package holds."""
    from steward.requests.drafts import preview
    from steward.requests.workflow import by_ref, sealer_for
    from steward.store.db import transaction

    policy = context.load()
    with transaction(context.sessionmaker_()) as s:
        req = by_ref(s, ident)
        view = preview(s, sealer_for(context.settings()), policy, req)
        rid = req.id
    if view is None:
        raise InvalidInput(f"request {ident} has no draft answer (execute it first)")
    data = {
        "id": rid,
        "letter": view.letter,
        "package": view.package,
        "sent_at": view.sent_at.isoformat() if view.sent_at else None,
    }
    _out(data, as_json, view.letter)


@app.command("send")
def send(
    ident: str,
    greeting: str = typer.Option(None, "--greeting", help="the letter's first line"),
    note: str = typer.Option(None, "--note", help="a paragraph added before the signature"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Send the answer after reading it (`steward dsr draft`): letter, package and mail. Once
    only: a second send is refused."""
    from steward.requests.drafts import checked
    from steward.requests.drafts import send as do

    rid, _, _ = _with(ident, lambda s, r: None)
    state = do(
        context.sessionmaker_(),
        context.settings(),
        context.load(),
        rid,
        ACTOR,
        checked(greeting, note),
    )
    _out({"id": rid, "state": state}, as_json, f"request {rid}: {state}")


@app.command("run")
def run_(ident: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """Execute (or retry) a request that is in progress or waiting on a system."""
    rid, _, _ = _with(ident, lambda s, r: None)
    state = _run(rid)
    _out({"id": rid, "state": state}, as_json, f"request {rid}: {state}")


@app.command("extend")
def extend(
    ident: str,
    reason: str = typer.Option(..., "--reason"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Extend by two months (Art. 12(3)); only within the first month; e-mails the notice."""
    from steward.requests.workflow import extend as do

    settings, policy = context.settings(), context.load()
    rid, state, due_on = _with(ident, lambda s, r: do(s, settings, policy, r, reason, ACTOR))
    _out({"id": rid, "due_on": due_on.isoformat()}, as_json, f"request {rid}: due {due_on}")


def _announce(rid: int) -> bool:
    """Send the answer mail the action queued; False when the mail server is down (the mail
    stays pending and `steward dsr retry-mail` or the job runner sends it later)."""
    from steward.requests.notices import announce

    return announce(context.sessionmaker_(), context.settings(), context.load(), rid)


@app.command("refuse")
def refuse(
    ident: str,
    reason: str = typer.Option(..., "--reason"),
    fee: str = typer.Option(
        None,
        "--fee",
        help="ask this fee instead (Art. 12(5)(a)), e.g. '25 EUR': the request then awaits payment",
    ),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Refuse with reasons (Art. 12(4)/(5)(b)), or with --fee ask a reasonable fee
    (Art. 12(5)(a)); the letter names the complaint authority."""
    from steward.requests.workflow import refuse as do

    settings, policy = context.settings(), context.load()
    kind = "fee" if fee is not None else "refused"
    rid, state, ok = _with(
        ident, lambda s, r: do(s, settings, policy, r, reason, ACTOR, kind, fee=fee)
    )
    mailed = _announce(rid)
    _out(
        {"id": rid, "state": state, "in_time": ok, "mailed": mailed},
        as_json,
        f"request {rid}: {state}"
        + ("" if ok else " (later than the month allows)")
        + ("" if mailed else "; answer mail pending (mail server down)"),
    )


@app.command("paid")
def paid(
    ident: str,
    on: str = typer.Option(None, "--on", help="day the fee was paid, YYYY-MM-DD (default today)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record the fee payment (Art. 12(5)(a)); the request continues."""
    from steward.requests.fees import record_payment

    policy = context.load()
    day = _date(on, "--on") if on else None
    rid, state, _ = _with(
        ident, lambda s, r: record_payment(s, policy, r, actor=ACTOR, paid_on=day)
    )
    if state == "in_progress":
        state = _run(rid)
    _out({"id": rid, "state": state}, as_json, f"request {rid}: {state}")


@app.command("withdraw")
def withdraw(ident: str, as_json: bool = typer.Option(False, "--json")) -> None:
    """The person withdrew a request that awaits a fee."""
    from steward.requests.fees import withdraw as do

    policy = context.load()
    rid, state, _ = _with(ident, lambda s, r: do(s, policy, r, actor=ACTOR))
    _out({"id": rid, "state": state}, as_json, f"request {rid}: {state}")


@app.command("ask")
def ask(
    ident: str,
    kind: str = typer.Option(..., "--kind", help="identification | clarification"),
    note: str = typer.Option(None, "--note"),
    on: str = typer.Option(None, "--on", help="day it was asked, YYYY-MM-DD (default today)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record that identification or clarification was asked for (Art. 12(6)); in a
    jurisdiction that stops the clock (UK GDPR Art. 12A) it stops until the answer arrives."""
    from steward.requests.pauses import ask as do

    if kind not in ("identification", "clarification"):
        raise InvalidInput("--kind: identification or clarification")
    policy = context.load()
    day = _date(on, "--on") if on else None
    rid, _, _ = _with(ident, lambda s, r: do(s, policy, r, kind, ACTOR, note=note, on=day))
    _show_dates(rid, as_json)


@app.command("answered")
def answered(
    ident: str,
    on: str = typer.Option(None, "--on", help="day the answer arrived, YYYY-MM-DD"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Record that what was asked for arrived; the clock runs again."""
    from steward.requests.pauses import answered as do

    policy = context.load()
    day = _date(on, "--on") if on else None
    rid, _, _ = _with(ident, lambda s, r: do(s, policy, r, ACTOR, on=day))
    _show_dates(rid, as_json)


def _show_dates(rid: int, as_json: bool) -> None:
    from steward.requests.queries import as_dict

    policy = context.load()
    view = _with(str(rid), lambda s, r: as_dict(r, policy))[2]
    keys = ("id", "state", "clock_status", "statutory_due", "adjusted_due", "due_on")
    data = {k: view[k] for k in keys}
    if view["controller"]:
        # Art. 28(3)(e): a controller's request has the deadline to assist, not a month of ours.
        data |= {k: view[k] for k in ("controller", "controller_due_on", "assistance_due_on")}
        _out(data, as_json, f"request {rid}: {_assisting(view)}")
        return
    _out(
        data,
        as_json,
        f"request {rid}: statutory due {data['statutory_due']}, with the clock stopped "
        f"{data['adjusted_due'] or 'not running'} ({data['clock_status']})",
    )


def _assisting(view: dict[str, Any]) -> str:
    """An assisted request's two deadlines in words (GDPR Art. 28(3)(e), Art. 12(3))."""
    own = view["controller_due_on"] or "unknown"
    return (
        f"due {view['due_on']} to assist {view['controller']} (GDPR Art. 28(3)(e)); "
        f"the controller's own deadline {own} (Art. 12(3))"
    )


@app.command("complete")
def complete(
    ident: str,
    grounds: str = typer.Option(None, "--compelling-grounds"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Answer a request handled by a person (Art. 22 question, Art. 21(1) objection)."""
    from steward.requests.workflow import decide

    settings, policy = context.settings(), context.load()
    rid, state, _ = _with(ident, lambda s, r: decide(s, settings, policy, r, ACTOR, grounds))
    mailed = _announce(rid)
    _out(
        {"id": rid, "state": state, "mailed": mailed},
        as_json,
        f"request {rid}: {state}" + ("" if mailed else "; answer mail pending (mail server down)"),
    )


@app.command("lift-restriction")
def lift_restriction(
    ident: str,
    reason: str = typer.Option(..., "--reason", help="why; sent to the subject first"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Lift a restriction of processing (GDPR Art. 18(3)): the subject is told first, then the
    restriction flags are cleared in the systems. With the mail server down nothing is lifted
    until the notice has gone out (`steward dsr retry-mail`)."""
    from steward.requests.lifting import lift_restriction as do

    rid, _, _ = _with(ident, lambda s, r: None)
    outcome = do(context.sessionmaker_(), context.settings(), context.load(), rid, reason, ACTOR)
    _out({"id": rid, "lift": outcome}, as_json, f"request {rid}: restriction {outcome}")


@app.command("retry-mail")
def retry_mail(as_json: bool = typer.Option(False, "--json")) -> None:
    """Send pending answer mails and finish restriction lifts waiting on their notice."""
    from steward.requests.notices import retry_pending_mail

    counts = retry_pending_mail(context.sessionmaker_(), context.settings(), context.load())
    _out(counts, as_json, ", ".join(f"{k}: {v}" for k, v in counts.items()))


@app.command("package")
def package(
    ident: str,
    out: Path = typer.Option(..., "--out", help="where to write the zip"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Write the decrypted answer package (for an officer delivering it another way)."""
    from steward import audit
    from steward.errors import NotFound
    from steward.requests import packages
    from steward.requests.delivery import current_package
    from steward.requests.states import ref
    from steward.requests.workflow import sealer_for

    settings = context.settings()

    def _get(s, r):  # type: ignore[no-untyped-def]
        pkg = current_package(s, r)
        if pkg is None:
            raise NotFound(
                "this request has no package (not an access/portability answer, or it expired)"
            )
        audit.append(s, actor=ACTOR, action="dsr.package_exported", subject_ref=ref(r))
        return packages.load(sealer_for(settings), settings.data_dir, pkg.filename)

    rid, _, blob = _with(ident, _get)
    out.write_bytes(blob)
    _out({"id": rid, "path": str(out), "bytes": len(blob)}, as_json, f"wrote {out}")
