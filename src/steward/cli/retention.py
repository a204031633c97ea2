"""`steward retention plan|run|holds`: dry runs, resumable sweeps and legal holds."""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING

import typer

from steward.cli import context

if TYPE_CHECKING:
    from steward.connectors.engines import SystemEngines

app = typer.Typer(help="Retention rules: dry runs, sweeps and legal holds.",
                  no_args_is_help=True)
holds_app = typer.Typer(help="Legal holds (GDPR Art. 17(3)(e)).", no_args_is_help=True)
app.add_typer(holds_app, name="holds")


# Why expired rows of a field-rewriting rule need no change (they stay, and stay expired).
_UNCHANGED = {"redact": "already redacted or hold nothing to redact",
              "null": "already empty", "anonymize": "already anonymized"}


def _engines() -> SystemEngines:
    from steward.connectors.engines import SystemEngines

    return SystemEngines.for_settings(context.settings())


@app.command("plan")
def plan(
    rule: str = typer.Option(None, "--rule", help="one rule key (default: every rule)"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
) -> None:
    """Dry run: per rule the cutoff, expired records, oldest, samples, holds, statements."""
    from steward.retention.plan import SCAN_LIMIT, plan_all
    from steward.store.db import transaction

    policy = context.load()
    secret = context.settings().resolved_secret_key()
    engines = _engines()
    try:
        with transaction(context.sessionmaker_()) as s:
            plans = plan_all(policy, engines=engines, session=s, rule=rule, secret=secret)
    finally:
        engines.dispose()
    if as_json:
        typer.echo(json.dumps([p.to_dict() for p in plans], indent=2, default=str))
        return
    for p in plans:
        typer.echo(f"== {p.rule} ({p.system}.{p.table}, {p.action}, {p.period})")
        if p.basis:
            typer.echo(f"   basis: {p.basis}")
        if p.error:
            typer.echo(f"   error: {p.error}")
            continue
        typer.echo(f"   cutoff: trigger before {p.cutoff}; expired {p.expired}, held {p.held}, "
                   f"blocked {p.blocked}, to process {p.to_process}")
        if p.changes is not None:
            bound = f" (at least; the first {SCAN_LIMIT} examined)" if p.changes_partial else ""
            typer.echo(f"   of these, the next run changes {p.changes}{bound}; the rest are "
                       f"{_UNCHANGED.get(p.action, 'unchanged')}")
        if p.blocked:
            typer.echo(f"   blocked: kept because dependant rows "
                       f"({', '.join(p.blocking) or 'of another rule'}) are still inside "
                       "their own retention period")
        typer.echo(f"   empty trigger date (never deleted): {p.missing_trigger}; "
                   f"expiring within 30 days: {p.due_soon}")
        if p.expired:
            typer.echo(f"   oldest trigger: {p.oldest}; sample keys: {p.sample}")
        if p.dependants:
            typer.echo(f"   deleted with it: {', '.join(p.dependants)}")
        for w in p.warnings:
            typer.echo(f"   warning: {w}")
        for st in p.statements:
            typer.echo("   " + " ".join(st.split()) + ";")


@app.command("run")
def run(
    rule: str = typer.Option(None, "--rule", help="one rule key (default: every rule)"),
    batch: int = typer.Option(1000, "--batch", min=1, help="records per batch (transaction)"),
    max_batches: int = typer.Option(None, "--max-batches", min=1,
                                    help="stop after this many batches (resume later)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """Sweep: batched, resumable after a crash, one worker per rule at a time. Without
    --rule, rules whose policy says `sweep: approval` are left for an officer (name one with
    --rule to run it)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn

    from steward.retention import plancache
    from steward.retention.plan import plan_rule
    from steward.retention.sweep import AWAITING, AWAITING_REASON, RunResult, run_rule
    from steward.retention.transforms import anonymize_key
    from steward.store.db import transaction

    settings, policy, sm = context.settings(), context.load(), context.sessionmaker_()
    # Every rule, except those the policy has wait for approval: naming one with --rule is
    # the approval (the console's "Approve and run" does the same).
    keys = [rule] if rule else [r.key for r in policy.retention_rules if r.sweep != "approval"]
    if rule:
        policy.retention_rule(rule)
    secret = settings.resolved_secret_key()
    key = anonymize_key(secret)
    engines = _engines()
    results = [RunResult(r.key, AWAITING, reason=AWAITING_REASON + "; run it with --rule")
               for r in policy.retention_rules if not rule and r.sweep == "approval"]
    quiet = as_json or not sys.stderr.isatty()
    try:
        with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                      disable=quiet, transient=False) as bar:
            for k in keys:
                total = None
                if not quiet:  # the bar's total; a dry run of a redact rule scans its text
                    with transaction(sm) as s:
                        total = plan_rule(policy, k, engines=engines, session=s,
                                          secret=secret).to_process
                task = bar.add_task(k, total=total or None)
                root = policy.retention_rule(k).table

                def step(_no: int, counts: dict[str, int], task: TaskID = task,
                         root: str = root) -> None:
                    bar.advance(task, counts.get(root, 0))

                results.append(run_rule(sm, policy, k, engines=engines, anonymize_key=key,
                                        batch_size=batch, progress=step,
                                        max_batches=max_batches, secret=secret))
        # The console shows cached counts: recount the swept rules, as the daily job does,
        # so that it never shows records as due that this run has just removed.
        with transaction(sm) as s:
            plancache.refresh(s, policy, engines=engines, rules=keys, secret=secret)
    finally:
        engines.dispose()
    if as_json:
        typer.echo(json.dumps([r.__dict__ for r in results], indent=2))
    else:
        for r in results:
            counts = ", ".join(f"{t} {n}" for t, n in r.counts.items() if n) or "nothing to do"
            line = f"{r.rule}: {r.status}"
            line += f" (run {r.run_id}, {r.batches} batches): {counts}" if r.run_id else ""
            if r.held or r.blocked:
                line += f"; kept: {r.held} under a legal hold, {r.blocked} blocked by dependants"
                line += " still inside their own retention period"
            typer.echo(line + (f" — {r.reason}" if r.reason else ""))
    waiting = [r for r in results if r.status == "waiting"]
    if waiting:
        print(f"error: {len(waiting)} rule(s) waiting for an unreachable system; "
              "they resume on the next run", file=sys.stderr)
        raise typer.Exit(1)


@holds_app.command("add")
def hold_add(
    reason: str = typer.Option(..., "--reason"),
    system: str = typer.Option(None, "--system"),
    table: str = typer.Option(None, "--table"),
    pk: str = typer.Option(None, "--pk"),
    identity_type: str = typer.Option(None, "--identity-type"),
    identity_value: str = typer.Option(None, "--identity-value"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Place a legal hold on a record (--system --table --pk) or a subject (--identity-*)."""
    from steward.retention.holds import add_hold
    from steward.store.db import transaction

    policy = context.load()
    with transaction(context.sessionmaker_()) as s:
        hold = add_hold(s, actor=actor, reason=reason, policy=policy, system=system, table=table,
                        pk=pk, identity_type=identity_type, identity_value=identity_value)
    typer.echo(f"legal hold {hold.id} placed")


@holds_app.command("lift")
def hold_lift(
    hold_id: int = typer.Argument(...),
    reason: str = typer.Option(..., "--reason"),
    actor: str = typer.Option("cli", "--actor"),
) -> None:
    """Lift a legal hold, with the reason."""
    from steward.retention.holds import lift_hold
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        lift_hold(s, hold_id, actor=actor, reason=reason)
    typer.echo(f"legal hold {hold_id} lifted")


@holds_app.command("list")
def hold_list() -> None:
    """Active legal holds (identity values masked)."""
    from steward.retention.holds import active_holds, masked
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        for h in active_holds(s):
            what = (f"{h.system}.{h.table_name} #{h.pk}" if h.pk else
                    f"{h.identity_type} {masked(h.identity_value)}"
                    + (f" in {h.system}" if h.system else ""))
            typer.echo(f"{h.id}\t{what}\t{h.reason}\t{h.created_by}")
