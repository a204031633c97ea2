"""`steward breach ...` (GDPR Arts. 33-34) and `steward processors ...` (Art. 28, 30(2))."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import typer

from steward.cli import context
from steward.errors import InvalidInput

app = typer.Typer(help="Personal data breaches: the 72-hour clock, the register, reminders.",
                  no_args_is_help=True)
processors_app = typer.Typer(help="Processors, sub-processors and their DPAs.",
                             no_args_is_help=True)


def _parse(value: str) -> datetime:
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidInput(
            f"--aware {value!r} is not an ISO 8601 date and time (e.g. 2026-03-27T10:00+01:00)"
        ) from None
    if dt.tzinfo is None:
        # Art. 33(1): the 72 hours run from an instant; a wall-clock time alone is ambiguous.
        raise InvalidInput(
            f"--aware {value!r} has no offset: add one, e.g. {value}+01:00 or {value}Z"
        )
    return dt


@app.command("deadline")
def deadline(
    aware: str = typer.Option(..., "--aware", help="ISO date-time with offset of awareness"),
    tz: str = typer.Option(None, "--tz", help="also show it in this IANA zone"),
    as_json: bool = typer.Option(False, "--json"),
    policy: Path = typer.Option(
        None, "--policy", help="use this policy's promise (breaches.notify_within_hours)"),
) -> None:
    """Print the Art. 33(1) deadline: 72 real hours after awareness, or the shorter period
    the policy given with --policy promises (ISO with offset)."""
    from steward.legal.breach_clock import NOTIFICATION_HOURS, breach_deadline, to_local

    hours = context.load(policy).breaches.notify_within_hours if policy else NOTIFICATION_HOURS
    due = breach_deadline(_parse(aware), hours)  # the function the register uses
    local = to_local(due, tz) if tz else None
    if as_json:
        typer.echo(json.dumps({"deadline": due.isoformat(),
                               "local": local.isoformat() if local else None}))
        return
    typer.echo(due.isoformat())
    if local:
        typer.echo(local.isoformat())


@app.command("list")
def list_(status: str = typer.Option(None, "--status"),
          policy: Path = typer.Option(None, "--policy"),
          as_json: bool = typer.Option(False, "--json")) -> None:
    """The register with each breach's deadline and state."""
    from steward.breaches.export import breach_dict
    from steward.breaches.register import list_breaches
    from steward.store.db import transaction

    pol = context.load(policy)
    with transaction(context.sessionmaker_()) as s:
        rows = [breach_dict(s, pol, b, full=False) for b in list_breaches(s, status=status)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for r in rows:
        state = "notified" if r["first_notified_at"] else f"{r['hours_left']:.1f} h left"
        typer.echo(f"{r['id']}\t{r['status']}\t{r['deadline']}\t{state}\t{r['title']}")


@app.command("reminders")
def reminders(policy: Path = typer.Option(None, "--policy")) -> None:
    """Send the 72-hour clock reminders now due to STEWARD_OFFICER_EMAIL (idempotent)."""
    from steward.breaches.reminders import send_due_reminders
    from steward.store.db import transaction

    pol = context.load(policy)
    with transaction(context.sessionmaker_()) as s:
        sent = send_due_reminders(s, context.settings(), pol, datetime.now(UTC))
    typer.echo(f"{len(sent)} reminder(s) sent")


@processors_app.command("alerts")
def alerts(policy: Path = typer.Option(None, "--policy"),
           as_json: bool = typer.Option(False, "--json")) -> None:
    """DPA alerts: missing or overdue agreements, unsafe transfers. Exit 1 when any is bad."""
    from steward.processors.alerts import dpa_alerts
    from steward.processors.register import register
    from steward.store.db import transaction

    pol = context.load(policy)
    with transaction(context.sessionmaker_()) as s:
        found = dpa_alerts(register(s, pol), datetime.now(UTC).date())
    if as_json:
        typer.echo(json.dumps([a.__dict__ for a in found], indent=2))
    else:
        for a in found:
            typer.echo(f"{a.level}\t{a.ref}\t{a.message}")
    raise typer.Exit(1 if any(a.level == "bad" for a in found) else 0)


@processors_app.command("record")
def record(policy: Path = typer.Option(None, "--policy"),
           fmt: str = typer.Option("json", "--format", help="json | csv")) -> None:
    """Print the Art. 30(2) record (the company as processor)."""
    from steward.processors.record import export_processor_record
    from steward.store.db import transaction

    if fmt not in ("json", "csv"):
        raise InvalidInput("--format is json or csv")
    pol = context.load(policy)
    with transaction(context.sessionmaker_()) as s:
        data, _, _ = export_processor_record(s, pol, fmt)
    typer.echo(data.decode("utf-8-sig"), nl=False)
