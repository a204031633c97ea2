"""`steward announce ...`: new purposes told to the people concerned before their processing
starts (GDPR Art. 13(3), Art. 14(4))."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from steward.cli import context

app = typer.Typer(help="New purposes announced before processing starts (GDPR Art. 13(3)).",
                  no_args_is_help=True)


def _plan_dict(plan: Any) -> dict[str, Any]:
    return {"people": plan.people, "without_address": plan.without_address,
            "tables": [t.__dict__ for t in plan.tables], "warnings": plan.warnings}


@app.command("preview")
def preview(policy: Path = typer.Option(None, "--policy", help="the version to publish"),
            against: Path = typer.Option(
                None, "--against", help="compare with this policy (default: the latest "
                "published version)"),
            as_json: bool = typer.Option(False, "--json")) -> None:
    """Before publishing: the purposes the version adds or widens, and who will (not) be
    told of each."""
    from steward.publication.announcements import preview as run_preview
    from steward.store.db import transaction

    new = context.load(policy)
    old = context.load(against) if against else None
    with transaction(context.sessionmaker_()) as s:
        found = run_preview(s, context.settings(), new, against=old)
    if as_json:
        typer.echo(json.dumps([{"purpose": u.purpose, "change": u.change,
                                "details": list(u.details), **_plan_dict(p)}
                               for u, p in found], indent=2))
        return
    if not found:
        typer.echo("nothing to announce: no purpose is added or widened (GDPR Art. 13(3))")
    for use, plan in found:
        extra = f" ({'; '.join(use.details)})" if use.details else ""
        typer.echo(f"{use.purpose}: {use.change}{extra} -- announce before processing starts "
                   f"(GDPR Art. 13(3)): {plan.people} person(s) will be told by e-mail")
        for t in plan.tables:
            typer.echo(f"  {t.system}.{t.table}: {t.people} with an address, "
                       f"{t.without_address} row(s) without" + (f"; {t.reason}" if t.reason
                                                                else ""))
        for w in plan.warnings:
            typer.echo(f"  not told: {w}")


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json")) -> None:
    """Announcements with their start date and mail counts."""
    from steward.publication.announcements import counts, listing
    from steward.store.db import as_utc, transaction

    now = datetime.now(UTC)
    with transaction(context.sessionmaker_()) as s:
        rows = [{"id": a.id, "purpose": a.purpose, "change": a.change, "status": a.status,
                 "starts_at": as_utc(a.starts_at).isoformat() if a.starts_at else None,
                 **counts(s, a.id)} for a in listing(s)]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    for r in rows:
        start = r["starts_at"] or "not set (blocked until sent)"
        started = bool(r["starts_at"]) and datetime.fromisoformat(str(r["starts_at"])) <= now
        typer.echo(f"{r['id']}\t{r['purpose']}\t{r['status']}\tstarts {start}"
                   f"{' (started)' if started else ''}\tsent {r['sent']} failed {r['failed']} "
                   f"objected {r['objected']}")


@app.command("send")
def send(announcement_id: int,
         policy: Path = typer.Option(None, "--policy")) -> None:
    """Fix the start date (today plus the notice period) and mail everyone concerned."""
    from steward.publication.announcements import run, start
    from steward.store.db import transaction

    pol = context.load(policy)
    sm = context.sessionmaker_()
    with transaction(sm) as s:
        row = start(s, announcement_id, actor="cli")
        starts = row.starts_at
    r = run(sm, context.settings(), pol, announcement_id)
    typer.echo(f"processing may start on {starts:%Y-%m-%d %H:%M} UTC (GDPR Art. 13(3)); "
               f"sent {r.sent}, failed {r.failed} (retried by the worker)")
    if r.error:
        raise typer.Exit(1)
