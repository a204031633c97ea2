"""`steward policy ...`: validate, schema, render and diff the policy-as-code."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import typer

from steward.cli import context
from steward.errors import PolicyError

app = typer.Typer(help="The policy as code: validate, schema, render, diff.", no_args_is_help=True)

PATH_ARG = typer.Argument(None, help="policy file or folder (default: STEWARD_POLICY)")


@app.command("validate")
def validate(
    path: Path | None = PATH_ARG,
    offline: bool = typer.Option(
        False, "--offline", help="do not inspect the systems' live databases"
    ),
) -> None:
    """Check the policy, and each SQL system's live database (tables, columns, keys, NOT NULL
    columns an erasure would null); print every problem as file:line:column: field: message."""
    from steward.connectors.inspect import check_live
    from steward.policy.loader import load_policy_report

    try:
        loaded = load_policy_report(context.policy_path(path))
    except PolicyError as err:
        for line in err.problems:
            print(line, file=sys.stderr)
        print(f"{len(err.problems)} problem(s)", file=sys.stderr)
        raise typer.Exit(1) from None
    live = check_live(loaded, base_dir=context.settings().data_dir / "demo", offline=offline)
    for line in loaded.warnings + live.warnings:
        print(line, file=sys.stderr)
    if live.errors:
        for line in live.errors:
            print(line, file=sys.stderr)
        print(f"{len(live.errors)} problem(s)", file=sys.stderr)
        raise typer.Exit(1)
    p = loaded.policy
    typer.echo(
        f"ok: {p.policy.id} {p.policy.version}: {len(p.purposes)} purposes, "
        f"{len(p.processing_activities)} activities, {len(p.systems)} systems"
    )


@app.command("schema")
def schema(
    out: Path | None = typer.Option(None, "--out", help="write to this file instead of stdout"),
) -> None:
    """Print (or write) the policy's JSON Schema, for editor completion."""
    from steward.policy.schema import policy_schema_text

    text = policy_schema_text()
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command("render")
def render(
    path: Path | None = PATH_ARG,
    fmt: str = typer.Option("html", "--format", help="html (fragment) | page | md"),
    lang: str | None = typer.Option(None, "--lang", help="language (default: the policy's)"),
    out: Path | None = typer.Option(None, "--out", help="write to this file"),
) -> None:
    """Render the public privacy notice."""
    from steward.errors import InvalidInput
    from steward.policy.render import render_notice, render_notice_page

    policy = context.load(path)
    if fmt == "page":
        text = render_notice_page(policy, lang=lang)
    elif fmt in ("html", "md"):
        text = render_notice(policy, lang=lang, fmt=fmt)  # type: ignore[arg-type]
    else:
        raise InvalidInput(f"unknown format {fmt!r}: use html, page or md")
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")


@app.command("diff")
def diff(
    old: Path = typer.Argument(..., help="the earlier policy (file or folder)"),
    new: Path = typer.Argument(..., help="the later policy (file or folder)"),
    as_json: bool = typer.Option(False, "--json"),
) -> None:
    """List new, changed and removed purposes, data categories, recipients and retention."""
    from steward.policy.diff import diff_policies
    from steward.policy.loader import load_policy

    result = diff_policies(load_policy(old), load_policy(new))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        typer.echo(result.text())
