"""`steward consent …`: verify the ledger, export proof, filter a mailing list, import earlier
consents, API keys."""

from __future__ import annotations

import csv
import hashlib
import json
import sys
from pathlib import Path

import typer

from steward.cli import context
from steward.errors import InvalidInput

URL_COLUMN = "unsubscribe_url"
app = typer.Typer(help="The consent ledger.", no_args_is_help=True)
keys_app = typer.Typer(help="API keys for the consent API.", no_args_is_help=True)
app.add_typer(keys_app, name="api-key")


@app.command("verify")
def verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Recompute the ledger's hash chain; exit 1 naming the first broken event."""
    from steward.consent import ledger
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        v = ledger.verify(s)
    if as_json:
        typer.echo(json.dumps(v.__dict__))
    elif v.ok:
        typer.echo(f"ok: {v.checked} consent events, chain intact, state agrees with the log")
    else:
        ident = f" ({v.event_id})" if v.event_id else ""
        print(f"broken at consent event {v.first_broken}{ident}: {v.reason} "
              f"({v.checked} verified before it)", file=sys.stderr)
    raise typer.Exit(0 if v.ok else 1)


@app.command("proof")
def proof_cmd(
    subject: str = typer.Argument(..., help="e-mail address, cid:<consent id> or acct:<id>"),
    fmt: str = typer.Option("json", "--format", help="json | html"),
) -> None:
    """Everything that proves this subject's consents: events, notices shown, chain links."""
    from steward import audit
    from steward.consent import proof
    from steward.consent.subjects import subject_ref
    from steward.store.db import transaction

    if fmt not in ("json", "html"):
        raise InvalidInput("--format is json or html")
    ref = subject_ref(context.settings().resolved_secret_key(), subject)
    with transaction(context.sessionmaker_()) as s:
        doc = proof.export(s, context.load(), ref)
        audit.append(s, actor="cli", action="consent.proof_exported", subject_ref=ref,
                     details={"events": len(doc["consent_records"]), "format": fmt})
    if fmt == "json":
        typer.echo(json.dumps(doc, indent=2, ensure_ascii=False))
    else:
        from steward.web.app import make_templates

        tpl = make_templates().env.get_template("console/consent/proof_standalone.html")
        typer.echo(tpl.render(doc=doc))


@app.command("filter")
def filter_cmd(
    file: Path = typer.Argument(..., help="CSV with an e-mail column"),
    purpose: str = typer.Option(..., "--purpose"),
    column: str = typer.Option("email", "--column"),
    lang: str = typer.Option("", "--lang",
                             help="language of the unsubscribe page the links open (e.g. da); "
                                  "default: the policy's default language"),
) -> None:
    """Print the rows that may be processed for PURPOSE (others dropped: no consent, an
    objection, or a restriction); the count dropped goes to stderr.

    Each printed row gains an `unsubscribe_url` column: that recipient's own one-click
    unsubscribe link, signed for the recipient and PURPOSE (no address in it). Put it in the
    mail as the header `List-Unsubscribe: <URL>` together with `List-Unsubscribe-Post:
    List-Unsubscribe=One-Click` (RFC 8058: a mail client's POST withdraws at once, GDPR
    Art. 7(3) and 21(3)) and as the footer link (a browser GET shows a confirm button).
    """
    from steward.consent import mails, mailtexts
    from steward.consent.checks import filter_rows
    from steward.consent.purposes import resolve
    from steward.store.db import transaction

    policy = context.load()
    resolve(policy, purpose)  # an unknown purpose fails before any row is printed
    settings = context.settings()
    link = mails.unsubscribe_urls(settings, purpose,
                                  mailtexts.language(policy, lang) if lang else None)
    try:
        handle = file.open(newline="", encoding="utf-8-sig")
    except OSError as err:
        raise InvalidInput(f"cannot read {file}: {err.strerror}") from None
    with handle, transaction(context.sessionmaker_()) as s:
        reader = csv.DictReader(handle)
        if not reader.fieldnames or column not in reader.fieldnames:
            raise InvalidInput(f"{file} has no {column!r} column")
        if URL_COLUMN in reader.fieldnames:
            raise InvalidInput(f"{file} already has an {URL_COLUMN!r} column; the filter adds "
                               "it, remove it from the input")
        out = csv.DictWriter(sys.stdout, fieldnames=[*reader.fieldnames, URL_COLUMN],
                             lineterminator="\n")
        out.writeheader()
        dropped = 0
        for row, result in filter_rows(s, policy, settings.resolved_secret_key(),
                                       reader, purpose, email_column=column):
            if result is not None and result.allowed:
                out.writerow({**row, URL_COLUMN: link(result.subject_ref)})
            else:
                dropped += 1
    print(f"{dropped} row(s) dropped", file=sys.stderr)


@app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="CSV: identity, purpose, given_at, source, evidence "
                                          "[, withdrawn_at]"),
    as_json: bool = typer.Option(False, "--json", help="print the report as JSON"),
) -> None:
    """Record consents given before Steward (e.g. a newsletter tool's subscribers) with their
    original date, source and evidence, marked as imported. Re-importing the same file adds
    nothing. Refused rows are listed with their line number and reason (exit status 1); the
    good rows are recorded all the same."""
    from steward import audit
    from steward.consent import imports
    from steward.store.db import transaction

    policy = context.load()
    try:
        data = file.read_bytes()
    except OSError as err:
        raise InvalidInput(f"cannot read {file}: {err.strerror}") from None
    with transaction(context.sessionmaker_()) as s:
        report = imports.import_csv(s, policy, context.settings().resolved_secret_key(), data,
                                    recorded_by="cli")
        audit.append(s, actor="cli", action="consent.imported", details={
            "file_sha256": hashlib.sha256(data).hexdigest(), "imported": report.imported,
            "already_imported": report.already, "refused": len(report.refused),
            "events": report.events})
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        typer.echo(f"{'imported':18} {report.imported:>8}")
        typer.echo(f"{'already imported':18} {report.already:>8}")
        typer.echo(f"{'refused':18} {len(report.refused):>8}")
        if report.refused:
            typer.echo("")
            typer.echo(f"{'line':>6}  reason")
            for r in report.refused:
                typer.echo(f"{r.line:>6}  {r.reason}")
    raise typer.Exit(1 if report.refused else 0)


@app.command("expire")
def expire(
    batch: int = typer.Option(1000, "--batch", min=1, help="Consents per committed transaction."),
) -> None:
    """Record `expired` for every consent past its validity, in committed batches (run
    again after a stop, it finishes the rest)."""
    from steward.consent.state import expire_all_due

    n = expire_all_due(context.sessionmaker_(), context.load(), batch=batch)
    typer.echo(f"{n} consent(s) expired")


@keys_app.command("create")
def key_create(name: str = typer.Option(..., "--name")) -> None:
    """Create a key; it is printed once and only its hash is kept."""
    from steward.consent import apikeys
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        row, key = apikeys.create(s, name=name, actor="cli")
    typer.echo(f"created API key {row.prefix} ({row.name}); keep it now, it is not shown again:")
    typer.echo(key)


@keys_app.command("list")
def key_list() -> None:
    from steward.consent import apikeys
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        for k in apikeys.listing(s):
            status = "revoked" if k.revoked_at else "active"
            typer.echo(f"{k.prefix}  {status:7}  {k.name}")


@keys_app.command("revoke")
def key_revoke(prefix: str = typer.Argument(...)) -> None:
    from steward.consent import apikeys
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        apikeys.revoke(s, prefix, actor="cli")
    typer.echo(f"revoked {prefix}")
