"""`steward ropa export`: the Art. 30 record of processing activities as CSV, XLSX or JSON."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from steward.cli import context
from steward.errors import InvalidInput

app = typer.Typer(help="The record of processing activities (GDPR Art. 30).",
                  no_args_is_help=True)


@app.command("export")
def export(
    path: Path | None = typer.Argument(
        None, help="policy file or folder (default: STEWARD_POLICY)"
    ),
    fmt: str = typer.Option("csv", "--format", help="csv | xlsx | json"),
    role: str = typer.Option(
        "controller", "--role", help="controller (Art. 30(1)) | processor (Art. 30(2))"
    ),
    out: Path | None = typer.Option(None, "--out", help="write to this file (xlsx needs it)"),
    lang: str | None = typer.Option(None, "--lang", help="language of the texts"),
) -> None:
    """Export the Art. 30(1) controller record or the Art. 30(2) processor record."""
    from steward.policy.ropa import (
        CONTROLLER_FIELDS,
        PROCESSOR_FIELDS,
        export_rows,
        ropa_processor_rows,
        ropa_rows,
    )

    if fmt not in ("csv", "xlsx", "json"):
        raise InvalidInput(f"unknown format {fmt!r}: use csv, xlsx or json")
    if role not in ("controller", "processor"):
        raise InvalidInput(f"unknown role {role!r}: use controller or processor")
    if fmt == "xlsx" and out is None:
        raise InvalidInput("xlsx is binary: give --out FILE")
    policy = context.load(path)
    if role == "controller":
        data = export_rows(ropa_rows(policy, lang), CONTROLLER_FIELDS, fmt, lang)
    else:
        data = export_rows(ropa_processor_rows(policy, lang), PROCESSOR_FIELDS, fmt, lang)
    if out is None:
        sys.stdout.write(data.decode("utf-8-sig"))
    else:
        out.write_bytes(data)
        typer.echo(f"wrote {out}")
