"""The officer's breach pages (GDPR Arts. 33-34): the register with its 72-hour countdowns,
the register form, a breach page with its tasks, assessment, notifications, notices, the
affected-people lookup and the letters. Viewers read; officers act. Every form is
CSRF-protected; the countdown is server-rendered and ticked by a static script."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ValidationError
from sqlalchemy.orm import Session

from steward.breaches import affected, assessment, export, notices, notifications, register
from steward.breaches.inputs import NATURES, AssessmentInput, BreachInput, NotificationInput
from steward.breaches.tables import Breach
from steward.errors import InvalidInput, StewardError
from steward.i18n import N_
from steward.i18n import gettext as _
from steward.policy.models import Policy
from steward.store.db import as_utc, transaction
from steward.web.console.dashboard import Card
from steward.web.deps import Officer, PolicyDep, SessionDep, Viewer, render
from steward.web.security import csrf_protect

router = APIRouter(prefix="/console/breaches", dependencies=[Depends(csrf_protect)])


# --- dashboard ---------------------------------------------------------------------------------


def left_text(hours: float) -> str:
    """'41 h 12 min left' or 'overdue by 3 h 5 min' (Art. 33(1) clock)."""
    minutes = int(abs(hours) * 60)
    text = _("{hours} h {minutes} min").format(hours=minutes // 60, minutes=f"{minutes % 60:02d}")
    if hours >= 0:
        return _("{time} left").format(time=text)
    return _("overdue by {time}").format(time=text)


def cards(session: Session, policy: Policy) -> list[Card]:
    """Dashboard: open breaches and the nearest 72-hour deadline not yet met."""
    now = datetime.now(UTC)
    rows = register.list_breaches(session, status="open")
    clocks = [(b, register.clock(session, policy, b, now)) for b in rows]
    pending = sorted([(b, c) for b, c in clocks if c.notified_at is None and b.risk != "unlikely"],
                     key=lambda bc: bc[1].deadline)
    if not pending:
        return [Card(_("Open breaches"), str(len(rows)), "/console/breaches",
                     note=_("no 72-hour notification pending"), tone="ok" if not rows else "")]
    b, c = pending[0]
    tone = "bad" if c.hours_left < 24 else "warn"
    auth = policy.authorities.get(policy.controller.lead_authority)
    # The time left is the card's big figure: with hours to act, it is what the officer needs.
    return [Card(_("Open breaches"), str(len(rows)), "/console/breaches", tone=tone,
                 note=_("{n} awaiting the authority's notification").format(n=len(pending))),
            Card(_("{hours}-hour clock (Art. 33(1))").format(hours=c.hours),
                 left_text(c.hours_left), f"/console/breaches/{b.id}", tone=tone,
                 note=_("Breach {id}: notify {authority} by {deadline}").format(
                     id=b.id, authority=auth.name if auth else _("the authority"),
                     deadline=f"{c.deadline_local:%Y-%m-%d %H:%M} {c.deadline_local.tzname()}"),
                 lines=[b.title])]


# --- parsing forms -----------------------------------------------------------------------------


# Form labels, for messages about a field (the field's own label sits next to the message).
LABELS = {
    "title": N_("Title"), "aware_at": N_("Became aware"), "occurred_at": N_("Breach occurred"),
    "discovery_source": N_("Discovered through"), "description": N_("What happened"),
    "subjects_approx": N_("Approximate number of data subjects"),
    "records_approx": N_("Approximate number of records"),
    "contact_email": N_("Contact e-mail"), "processor_reported_at": N_("Reported to us at"),
    "risk": N_("Risk"), "reasoning": N_("Reasoning"), "exception": N_("Art. 34(3) exception"),
    "exception_reason": N_("Why the exception applies"), "sent_at": N_("Sent at"),
    "kind": N_("To"), "authority": N_("Authority"), "phase": N_("Phase"),
    "source": N_("Table"), "system": N_("System"), "table": N_("Table"), "since": N_("From"),
    "until": N_("Until"), "ids": N_("Ids"), "identities": N_("Identity values"),
    "filters": N_("Filters"), "timezone": N_("Time zone"),
}


def _when(value: str, tz: str, field: str) -> datetime | None:
    """A form date-time: ISO with an offset, or a local time in the zone `tz`."""
    value = (value or "").strip()
    if not value:
        return None
    try:
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"{LABELS.get(field, field)}: {value!r} is not a date and time.",
                           field=field) from None
    if dt.tzinfo is None:
        try:
            dt = dt.replace(tzinfo=ZoneInfo(tz or "UTC"))
        except (KeyError, ValueError):
            raise InvalidInput(f"Unknown time zone {tz!r}.", field="timezone") from None
    return dt


def _int(value: str, field: str) -> int | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise InvalidInput(f"{LABELS.get(field, field)} must be a whole number.",
                           field=field) from None


M = TypeVar("M", bound=BaseModel)


def _validated(model: type[M], values: dict[str, Any]) -> M:
    """`model(**values)`, or InvalidInput in words, naming the form field (never pydantic's
    raw location and message)."""
    try:
        return model(**values)
    except ValidationError as err:
        first = err.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else ""
        label = LABELS.get(field, field.replace("_", " "))
        kind = first["type"]
        if kind in ("string_too_short", "missing"):
            msg = f"{label}: this field is required."
        elif kind == "string_too_long":
            msg = f"{label}: at most {first['ctx']['max_length']} characters."
        elif kind == "enum":
            msg = f"{label}: choose one of the options ({first['ctx']['expected']})."
        else:
            msg = f"{label}: {first['msg'][:1].lower()}{first['msg'][1:]}."
        raise InvalidInput(msg, field=field) from None


def _field(err: StewardError) -> str | None:
    """The form field an error is about, when the domain named one."""
    field = err.extra.get("field")
    return str(field) if field else None


def breach_from_form(form: Any) -> BreachInput:
    tz = form.get("timezone") or "UTC"
    return _validated(BreachInput, {
        "title": form.get("title", ""), "discovery_source": form.get("discovery_source", ""),
        "description": form.get("description", ""),
        "aware_at": _when(form.get("aware_at", ""), tz, "aware_at") or _missing("aware_at"),
        "occurred_at": _when(form.get("occurred_at", ""), tz, "occurred_at"),
        "nature": form.getlist("nature"), "systems": form.getlist("systems"),
        "data_categories": form.getlist("data_categories"),
        "subject_categories": form.getlist("subject_categories"),
        "countries": form.getlist("countries"),
        "subjects_approx": _int(form.get("subjects_approx", ""), "subjects_approx"),
        "records_approx": _int(form.get("records_approx", ""), "records_approx"),
        "consequences": form.get("consequences", ""),
        "measures_taken": form.get("measures_taken", ""),
        "measures_proposed": form.get("measures_proposed", ""),
        "contact_name": form.get("contact_name") or None,
        "contact_email": form.get("contact_email") or None,
        "contact_phone": form.get("contact_phone") or None,
        "processor_key": form.get("processor_key") or None,
        "processor_reported_at": _when(form.get("processor_reported_at", ""), tz,
                                       "processor_reported_at"),
    })


def _missing(field: str) -> datetime:
    raise InvalidInput(f"{LABELS.get(field, field)}: give a date and time.", field=field)


def identities_from_form(text: str) -> dict[str, list[str]]:
    """'type value' per line (e.g. `customer_number PM-100001`); a bare address is an
    `email`. Values may be personal data: they are used for the lookup and never stored."""
    out: dict[str, list[str]] = {}
    for line in (text or "").splitlines():
        parts = line.strip().split(None, 1)
        if not parts:
            continue
        if len(parts) == 1:
            if "@" not in parts[0]:
                raise InvalidInput(
                    "Identity values: one 'type value' per line, e.g. "
                    "'customer_number PM-100001'; a bare line must be an e-mail address.",
                    field="identities")
            kind, value = "email", parts[0]
        else:
            kind, value = parts[0].rstrip(":"), parts[1].strip()
        out.setdefault(kind, []).append(value)
    return out


def selection_from_form(form: Any, tz: str) -> affected.Selection:
    ids = [i.strip() for i in (form.get("ids") or "").replace("\n", ",").split(",") if i.strip()]
    filters = []
    for line in (form.get("filters") or "").splitlines():
        parts = line.strip().split(None, 2)
        if not parts:
            continue
        if len(parts) < 2:
            raise InvalidInput("Filters: one 'field operator value' per line, e.g. status eq open.",
                               field="filters")
        filters.append({"field": parts[0], "op": parts[1],
                        "value": parts[2] if len(parts) > 2 else None})
    # One select names the system and its table ("support/tickets"), so they cannot disagree.
    system, _sep, table = (form.get("source") or "").partition("/")
    return _validated(affected.Selection, {
        "system": system or form.get("system", ""), "table": table or form.get("table", ""),
        "date_column": form.get("date_column") or None,
        "since": _when(form.get("since", ""), tz, "since"),
        "until": _when(form.get("until", ""), tz, "until"),
        "ids": [int(i) if i.isdigit() else i for i in ids], "filters": filters,
        "identities": identities_from_form(form.get("identities") or ""),
        "language": form.get("language") or None,
    })


# --- pages -----------------------------------------------------------------------------------


def _form_ctx(policy: Policy, values: dict[str, Any], error: StewardError | None
              ) -> dict[str, Any]:
    lead = policy.authorities.get(policy.controller.lead_authority)
    zones = sorted({a.timezone for a in policy.authorities.values()} | {"UTC"})
    return {"v": values, "error": error.detail if error else None,
            "error_field": _field(error) if error else None, "labels": LABELS,
            "natures": NATURES, "zones": zones,
            "default_zone": lead.timezone if lead else "UTC", "policy": policy,
            "processors": [(p.key, p.name) for p in policy.processors]
            + [(s.key, _("{name} (sub-processor of {processor})").format(name=s.name,
                                                                          processor=p.name))
               for p in policy.processors for s in p.sub_processors]}


@router.get("")
def index(request: Request, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    now = datetime.now(UTC)
    rows = [(b, register.clock(session, policy, b, now)) for b in register.list_breaches(session)]
    return render(request, "console/breaches/index.html", {"rows": rows, "left": left_text})


@router.get("/new")
def new_form(request: Request, user: Officer, policy: PolicyDep) -> Response:
    return render(request, "console/breaches/form.html",
                  {**_form_ctx(policy, {}, None), "action": "new"})


@router.post("/new")
async def new(request: Request, user: Officer, policy: PolicyDep) -> Response:
    form = await request.form()
    st = request.app.state
    try:
        data = breach_from_form(form)
        with transaction(st.sessionmaker) as s:
            bid = register.register_breach(s, policy, data, actor=user.email).id
    except StewardError as err:
        return render(request, "console/breaches/form.html",
                      {**_form_ctx(policy, _posted(form), err), "action": "new"},
                      status_code=422)
    return RedirectResponse(f"/console/breaches/{bid}", status_code=303)


_LISTS = {"nature", "systems", "data_categories", "subject_categories", "countries"}


def _posted(form: Any) -> dict[str, Any]:
    """The values posted, to show the form again as it was sent (never the CSRF token)."""
    return {k: form.getlist(k) if k in _LISTS else form.get(k)
            for k in form.keys() if k != "csrf_token"}


def _values(row: Breach, tz: str) -> dict[str, Any]:
    def local(dt: datetime | None) -> str:
        return as_utc(dt).astimezone(ZoneInfo(tz)).strftime("%Y-%m-%dT%H:%M") if dt else ""

    v = row.snapshot()
    v.update({"aware_at": local(row.aware_at), "occurred_at": local(row.occurred_at),
              "processor_reported_at": local(row.processor_reported_at), "timezone": tz})
    return v


@router.get("/{breach_id}/edit")
def edit_form(breach_id: int, request: Request, user: Officer, session: SessionDep,
              policy: PolicyDep) -> Response:
    row = register.get_breach(session, breach_id)
    ctx = _form_ctx(policy, {}, None)
    ctx["v"] = _values(row, ctx["default_zone"])
    return render(request, "console/breaches/form.html",
                  {**ctx, "action": f"{breach_id}/edit", "row": row})


@router.post("/{breach_id}/edit")
async def edit(breach_id: int, request: Request, user: Officer, policy: PolicyDep) -> Response:
    form = await request.form()
    st = request.app.state
    try:
        data = breach_from_form(form)
        with transaction(st.sessionmaker) as s:
            register.update_breach(s, policy, breach_id, data, actor=user.email)
    except StewardError as err:
        with transaction(st.sessionmaker) as s:
            row = register.get_breach(s, breach_id)
            return render(request, "console/breaches/form.html",
                          {**_form_ctx(policy, _posted(form), err),
                           "action": f"{breach_id}/edit", "row": row}, status_code=422)
    return RedirectResponse(f"/console/breaches/{breach_id}", status_code=303)


_NOT_SHOWN = {"version", "updated_at", "id", "created_at", "created_by"}


def history(row: Any, versions: list[Any]) -> list[dict[str, Any]]:
    """Per earlier version: what the next change did, as (field, before, after) triples —
    the register keeps every version (Art. 33(5)); this shows the differences."""
    states = [v.data for v in versions] + [row.snapshot()]
    out = []
    for v, before, after in zip(versions, states, states[1:], strict=False):
        diffs = [(k, before.get(k), after.get(k)) for k in after
                 if k not in _NOT_SHOWN and before.get(k) != after.get(k)]
        out.append({"version": v.version, "change": v.change, "at": v.at, "actor": v.actor,
                    "diffs": diffs})
    return out


def _detail(request: Request, session: Session, policy: Policy, breach_id: int,
            error: StewardError | None = None, msg: str | None = None, status: int = 200,
            section: str | None = None, posted: dict[str, Any] | None = None) -> Response:
    """The breach page; an `error` is shown in the form of `section` (next to its field when
    the error names one), with the values `posted` kept."""
    row = register.get_breach(session, breach_id)
    c = register.clock(session, policy, row)
    sent = register.notifications(session, row.id)
    tasks = assessment.duties(policy, row, sent)
    zones = sorted({a.timezone for a in policy.authorities.values()} | {"UTC"})
    lead = policy.authorities.get(policy.controller.lead_authority)
    letter_lang = request.query_params.get("lang")
    subject, letter = notices.subject_letter(policy, row, letter_lang)
    return render(request, "console/breaches/detail.html", {
        "b": row, "clock": c, "left": left_text(c.hours_left), "tasks": tasks, "sent": sent,
        "versions": register.versions(session, row.id), "msg": msg,
        "history": history(row, register.versions(session, row.id)),
        "error": error.detail if error else None, "error_for": section,
        "error_field": _field(error) if error else None, "p": posted or {},
        "system_names": {s.key: policy.text(s.name) for s in policy.systems},
        "sources": [(s, t) for s in policy.systems if s.connector in ("sql", "http")
                    for t in s.tables],
        "authorities": assessment.competent_authorities(policy, row), "zones": zones,
        "default_zone": lead.timezone if lead else "UTC", "policy": policy,
        "letter_subject": subject, "letter": letter,
        "letter_lang": notices.letter_language(policy, letter_lang),
        "now_local": datetime.now(UTC).astimezone(ZoneInfo(lead.timezone if lead else "UTC"))
        .strftime("%Y-%m-%dT%H:%M"),
    }, status_code=status)


@router.get("/{breach_id}")
def detail(breach_id: int, request: Request, user: Viewer, session: SessionDep,
           policy: PolicyDep, msg: str | None = None) -> Response:
    return _detail(request, session, policy, breach_id, msg=msg)


async def _act(request: Request, breach_id: int, fn: Any, section: str) -> Response:
    """Run `fn(session, form)` in one transaction; show the page with the error in the form
    of `section` on failure."""
    form = await request.form()
    st = request.app.state
    try:
        with transaction(st.sessionmaker) as s:
            msg = fn(s, form)
    except StewardError as err:
        with transaction(st.sessionmaker) as s:
            return _detail(request, s, st.policy, breach_id, error=err, section=section,
                           posted=_posted(form),
                           status=err.status if err.status >= 400 else 422)
    return RedirectResponse(f"/console/breaches/{breach_id}?msg={quote(msg)}", status_code=303)


@router.post("/{breach_id}/assess")
async def assess(breach_id: int, request: Request, user: Officer, policy: PolicyDep) -> Response:
    def fn(s: Session, form: Any) -> str:
        data = _validated(AssessmentInput, {
            "risk": form.get("risk", ""), "reasoning": form.get("reasoning", ""),
            "exception": form.get("exception") or None,
            "exception_reason": form.get("exception_reason") or None})
        assessment.assess(s, policy, breach_id, data, actor=user.email)
        return "Risk assessment saved."
    return await _act(request, breach_id, fn, "assess")


@router.post("/{breach_id}/notify")
async def notify(breach_id: int, request: Request, user: Officer, policy: PolicyDep) -> Response:
    def fn(s: Session, form: Any) -> str:
        tz = form.get("timezone") or "UTC"
        data = _validated(NotificationInput, {
            "kind": form.get("kind") or "authority", "authority": form.get("authority") or None,
            "phase": form.get("phase") or "initial",
            "sent_at": _when(form.get("sent_at", ""), tz, "sent_at") or _missing("sent_at"),
            "channel": form.get("channel") or None, "reference": form.get("reference") or None,
            "content": form.get("content") or None,
            "late_reason": form.get("late_reason") or None})
        n = notifications.record_notification(s, policy, breach_id, data, actor=user.email)
        return f"Notification recorded ({n.kind}{' ' + n.authority if n.authority else ''}, " \
               f"{n.phase})."
    return await _act(request, breach_id, fn, "notify")


@router.post("/{breach_id}/close")
async def close(breach_id: int, request: Request, user: Officer, policy: PolicyDep) -> Response:
    def fn(s: Session, form: Any) -> str:
        assessment.close_breach(s, policy, breach_id, actor=user.email)
        return "Breach closed."
    return await _act(request, breach_id, fn, "close")


@router.get("/{breach_id}/notice")
def notice(breach_id: int, request: Request, user: Viewer, session: SessionDep,
           policy: PolicyDep, authority: str | None = None, phase: str = "initial") -> Response:
    """The Art. 33 notification as a printable page to paste into the authority's form."""
    row = register.get_breach(session, breach_id)
    country = (authority or policy.controller.lead_authority).upper()
    if phase not in ("initial", "supplement"):
        raise InvalidInput("phase is initial or supplement")
    n = notices.authority_notice(policy, row, country, phase=phase)
    return render(request, "console/breaches/notice.html",
                  {"b": row, "n": n, "country": country})


@router.post("/{breach_id}/affected")
async def lookup(breach_id: int, request: Request, user: Officer, policy: PolicyDep) -> Response:
    form = await request.form()
    st = request.app.state
    tz = form.get("timezone") or "UTC"
    try:
        sel = selection_from_form(form, str(tz))
        send = form.get("send") == "letters"

        base_dir, policy_dir = affected.system_dirs(st.settings)

        def run() -> str:
            if send:
                with transaction(st.sessionmaker) as s:
                    out = affected.send_letters(s, st.settings, policy, breach_id, sel,
                                                actor=user.email, base_dir=base_dir,
                                                policy_dir=policy_dir)
                if out.error:
                    raise InvalidInput(f"{out.sent} letter(s) sent, then: {out.error}")
                return (f"Art. 34 letters: {out.sent} sent, {out.skipped} already sent earlier, "
                        f"{out.without_address} row(s) without an address.")
            found = affected.find_affected(policy, sel, secret=st.settings.resolved_secret_key(),
                                           base_dir=base_dir, policy_dir=policy_dir)
            with transaction(st.sessionmaker) as s:
                affected.record_lookup(s, breach_id, sel, found, actor=user.email,
                                       update_counts=form.get("update_counts") == "on")
            f = found.summary()
            if found.not_searched is not None:
                return (f"Not searched: {f['system']}: {found.not_searched}. The people and "
                        "records affected are unknown, not zero; the register counts are kept.")
            return (f"Found {f['subjects']} people with an address and {f['without_address']} "
                    f"row(s) without one, {f['records']} records in {f['system']}.{f['table']}.")

        msg = await run_in_threadpool(run)
    except StewardError as err:
        with transaction(st.sessionmaker) as s:
            return _detail(request, s, policy, breach_id, error=err, status=err.status,
                           section="affected", posted=_posted(form))
    return RedirectResponse(f"/console/breaches/{breach_id}?msg={quote(msg)}", status_code=303)


@router.get("/export/{fmt}")
def export_(fmt: str, user: Viewer, session: SessionDep, policy: PolicyDep) -> Response:
    data, media, filename = export.export_register(session, policy, fmt)
    return Response(data, media_type=media,
                    headers={"content-disposition": f'attachment; filename="{filename}"'})
