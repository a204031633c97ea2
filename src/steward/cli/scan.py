"""`steward scan`: find sensitive data in text from standard input or in the company's SQL
systems, report policy gaps, and redact in place what the retention rules make due.

    steward scan - [--types DK_CPR,HEALTH] [--min-confidence 0.7]   # JSON line per finding
    steward scan [--system S] [--table T] [--sample N] [--json]      # where it lives
    steward scan --redact [--rule R | --system S --table T]          # rules with action redact
    steward scan --redact --system S --table T --pk 17 [--field body] # named rows
"""

from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, Any

import typer

from steward.cli import context
from steward.errors import InvalidInput

if TYPE_CHECKING:
    from steward.connectors.engines import SystemEngines

ACTOR = "cli:scan"


def _types(value: str | None) -> frozenset[str] | None:
    if not value:
        return None
    return frozenset(t.strip().upper() for t in value.split(",") if t.strip())


def _engines() -> SystemEngines:
    from steward.connectors.engines import SystemEngines

    return SystemEngines.for_settings(context.settings())


def _read_stdin(max_chars: int) -> bytes:
    from steward.scanner import UnscannableText

    limit = max_chars * 4  # UTF-8 needs at most 4 bytes a character
    data = sys.stdin.buffer.read(limit + 1)
    if len(data) > limit:
        raise UnscannableText("too_large", f"standard input is over the limit of {limit} bytes")
    return data


def _scan_stdin(types: frozenset[str] | None, min_confidence: float, redact: bool,
                operator: str) -> None:
    from steward.scanner import DEFAULT_MAX_CHARS, scan, scan_and_redact
    from steward.scanner.inplace import redaction_key

    data = _read_stdin(DEFAULT_MAX_CHARS)
    if redact:
        key = redaction_key(context.settings().resolved_secret_key()) \
            if operator == "hash" else None
        result = scan_and_redact(data, operator, types=types, min_confidence=min_confidence,
                                 key=key)
        sys.stdout.write(result.text)
        return
    for f in scan(data, types=types, min_confidence=min_confidence):
        # The finding's position and kind, never the matched value.
        typer.echo(json.dumps({"type": f.type, "start": f.start, "end": f.end,
                               "confidence": f.confidence, "rule": f.rule}))


def _print_scans(scans: list[Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    grid = Table(title="Sensitive data by field (masked examples, never values)")
    for col in ("Field", "Rows", "Findings by type", "Examples", "Skipped", "Gap"):
        grid.add_column(col, overflow="fold")
    quiet = 0
    for s in scans:
        for t in s.tables:
            for f in t.fields:
                if not (f.counts or f.skipped or f.gap):
                    quiet += 1
                    continue
                grid.add_row(
                    f"{s.system}.{t.table}.{f.field}", f"{f.values_scanned}/{t.rows_scanned}",
                    ", ".join(f"{k} {n}" for k, n in sorted(f.counts.items())) or "-",
                    " ".join(v[0] for v in f.examples.values()) or "-",
                    ", ".join(f"{k} {n}" for k, n in sorted(f.skipped.items())) or "-",
                    "[bold red]GAP[/]" if f.gap else "")
    out.print(grid)
    out.print(f"{quiet} other field(s) scanned: nothing found.", highlight=False)
    for s in scans:
        if s.error:
            out.print(f"[red]{s.system}: not scanned:[/] {s.error}", highlight=False)
        for f in s.gaps:
            out.print(f"[yellow]policy gap[/] {s.system}.{f.suggestion}", highlight=False)
        for f in s.unhandled:
            out.print(f"[yellow]unhandled[/] {s.system}.{f.unhandled}", highlight=False)


def _redact(policy: Any, *, system: str | None, table: str | None, rule: str | None,
            pks: list[str], fields: list[str], operator: str,
            types: frozenset[str] | None, batch: int) -> list[Any]:
    from steward.policy.models import RetentionAction
    from steward.retention.redaction import redact_rule
    from steward.scanner.inplace import redact_rows, redaction_key

    sm = context.sessionmaker_()
    key = redaction_key(context.settings().resolved_secret_key()) if operator == "hash" else None
    engines = _engines()
    try:
        if pks:
            if not (system and table):
                raise InvalidInput("--pk needs --system and --table")
            spec = policy.system(system)
            names = fields or [f.name for t in spec.tables if t.name == table
                               for f in t.fields if f.free_text]
            return [redact_rows(engines.engine(spec), sm, spec, table, names, pks=pks,
                                operator=operator, key=key, types=types, batch_size=batch,
                                actor=ACTOR)]
        if rule:
            keys = [rule]
        else:
            keys = [r.key for r in policy.retention_rules
                    if r.action is RetentionAction.redact
                    and (system is None or r.system == system)
                    and (table is None or r.table == table)]
            if not keys:
                where = ".".join(x for x in (system, table) if x) or "the policy"
                raise InvalidInput(f"no retention rule with action redact covers {where}; "
                                   "name one with --rule or rows with --pk")
        return [redact_rule(sm, policy, k, engines, operator=operator, key=key, types=types,
                            batch_size=batch, actor=ACTOR) for k in keys]
    finally:
        engines.dispose()


def scan(
    source: str | None = typer.Argument(None, help="'-' to scan text from standard input"),
    system: str | None = typer.Option(None, "--system", help="one system key"),
    table: str | None = typer.Option(None, "--table", help="one table (needs --system)"),
    sample: int | None = typer.Option(None, "--sample", min=1,
                                      help="scan at most N rows per table (by primary key)"),
    types: str | None = typer.Option(None, "--types", help="comma-separated finding types"),
    min_confidence: float = typer.Option(0.5, "--min-confidence", help="0..1"),
    as_json: bool = typer.Option(False, "--json", help="machine-readable output"),
    redact: bool = typer.Option(False, "--redact", help="redact in place (see --rule, --pk)"),
    rule: str | None = typer.Option(None, "--rule", help="a retention rule with action redact"),
    pk: list[str] = typer.Option([], "--pk", help="with --redact: a row's primary key"),
    field: list[str] = typer.Option([], "--field", help="with --pk: a field to redact"),
    operator: str = typer.Option("tag", "--operator", help="tag, mask, hash or pseudonym"),
    batch: int = typer.Option(500, "--batch", min=1, help="rows per batch (transaction)"),
    store: bool = typer.Option(True, "--store/--no-store",
                               help="keep the results for the console"),
) -> None:
    """Find CPR/fødselsnummer/personnummer, health and absence wording and contact data."""
    from steward.scanner.reports import save
    from steward.scanner.systems import scan_systems
    from steward.store.db import transaction

    kinds = _types(types)
    if source is not None:
        if source != "-":
            raise InvalidInput("give '-' to scan standard input, or no argument to scan the "
                               "policy's systems")
        _scan_stdin(kinds, min_confidence, redact, operator)
        return
    policy = context.load()
    if redact:
        reports = _redact(policy, system=system, table=table, rule=rule, pks=pk, fields=field,
                          operator=operator, types=kinds, batch=batch)
        if as_json:
            typer.echo(json.dumps([r.to_dict() for r in reports], indent=2))
        for r in reports if not as_json else []:
            found = "; ".join(f"{f}: " + ", ".join(f"{t} {n}" for t, n in sorted(c.items()))
                              for f, c in r.counts.items() if c) or "nothing left to redact"
            typer.echo(f"{r.rule or r.system + '.' + r.table}: {r.rows_changed} of "
                       f"{r.rows_read} row(s) changed in {r.batches} batch(es); {found}"
                       + (f"; {r.held} held" if r.held else ""))
        return
    engines = _engines()
    try:
        scans = scan_systems(policy, engines, system=system, table=table, sample=sample,
                             batch_size=batch, types=kinds, min_confidence=min_confidence)
    finally:
        engines.dispose()
    if store:
        with transaction(context.sessionmaker_()) as s:
            save(s, scans, actor=ACTOR)
    if as_json:
        typer.echo(json.dumps([s.to_dict() for s in scans], indent=2))
    else:
        _print_scans(scans)
    failed = [s for s in scans if s.error]
    if failed:
        print(f"error: {len(failed)} system(s) could not be scanned: "
              + ", ".join(s.system for s in failed), file=sys.stderr)
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("scan")(scan)
