"""`steward systems ...`: the company systems of the policy, and importing Fides datasets."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from steward.cli import context

app = typer.Typer(help="The company's systems: list them, import Fides datasets.",
                  no_args_is_help=True)


@app.command("list")
def list_systems(
    path: Path | None = typer.Argument(None, help="policy file or folder"),
    check: bool = typer.Option(True, "--check/--no-check", help="ping each system"),
) -> None:
    """Each system with its connector, storage country, tables, and whether it answers."""
    from steward.connectors.registry import connector_for
    from steward.errors import StewardError

    policy_path = context.policy_path(path)
    policy = context.load(path)
    policy_dir = policy_path if policy_path.is_dir() else policy_path.parent
    demo_dir = context.settings().data_dir / "demo"
    for system in policy.systems:
        status = "not checked"
        if check:
            try:
                conn = connector_for(system, base_dir=demo_dir, policy_dir=policy_dir)
                try:
                    conn.ping()
                    status = "reachable"
                finally:
                    conn.close()
            except StewardError as err:
                status = f"unreachable: {err.detail}"
        tables = len(system.tables) if system.tables else (system.fides_dataset or 0)
        typer.echo(
            f"{system.key:14} {system.connector:6} {system.storage_country}  "
            f"tables: {tables}  {status}"
        )


@app.command("import-fides")
def import_fides(
    dataset: Path = typer.Argument(..., help="a fideslang dataset YAML file"),
    system: str | None = typer.Option(None, "--system", help="dataset fides_key to import"),
    out: Path | None = typer.Option(None, "--out", help="write the YAML here, not to stdout"),
) -> None:
    """Print the `tables:` block for a policy system from a Fides dataset."""
    from steward.connectors.fides import pick, read_datasets, tables_yaml

    imported = read_datasets(dataset)
    text = tables_yaml(pick(imported, system, str(dataset)))
    for note in imported.notes:
        print(f"note: {note}", file=sys.stderr)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
