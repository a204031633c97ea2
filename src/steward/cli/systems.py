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
        if system.dataset_error is not None:
            status = f"not searchable: {system.dataset_error}"
        elif not any(t.identities for t in system.tables):
            status = "not searchable: no table has an identity column"
        elif check:
            try:
                conn = connector_for(system, base_dir=demo_dir, policy_dir=policy_dir)
                try:
                    conn.ping()
                    status = "reachable"
                finally:
                    conn.close()
            except StewardError as err:
                status = f"unreachable: {err.detail}"
        typer.echo(
            f"{system.key:14} {system.connector:6} {system.storage_country}  "
            f"tables: {len(system.tables)}  {status}"
        )


# Database kinds a user may name: SQLAlchemy reaches them all through the `sql` connector.
SQL_KINDS = frozenset({"postgresql", "postgres", "mysql", "mariadb", "sqlite", "mssql", "oracle"})


@app.command("import-fides")
def import_fides(
    dataset: Path = typer.Argument(..., help="a fideslang dataset YAML file"),
    key: str | None = typer.Option(None, "--key", help="the system's key in the policy"),
    connector: str | None = typer.Option(
        None, "--connector", help="a connector name, or the database kind (postgresql, ...)"
    ),
    url_env: str | None = typer.Option(
        None, "--url-env", help="environment variable holding the URL"
    ),
    storage_country: str | None = typer.Option(
        None, "--storage-country", help="country where the data is stored (e.g. DK)"
    ),
    fides_key: str | None = typer.Option(
        None, "--dataset", help="the dataset's fides_key, when the file holds several"
    ),
    name: str | None = typer.Option(None, "--name", help="display name (default: the dataset's)"),
    out: Path | None = typer.Option(None, "--out", help="write the system file here"),
) -> None:
    """Write a complete policy system file (key, name, connector, URL variable, storage country,
    tables) from a Fides dataset. Keys the dataset does not declare are read from the database
    when the URL variable is set and the database answers."""
    from steward.connectors.fidesimport import import_system
    from steward.errors import InvalidInput
    from steward.policy.fides import read_datasets, system_yaml

    read_datasets(dataset)  # an unreadable file is the first thing to say
    given = {"--key": key, "--connector": connector, "--url-env": url_env,
             "--storage-country": storage_country}
    missing = [name for name, value in given.items() if not value]
    if missing or key is None or connector is None or url_env is None or storage_country is None:
        raise InvalidInput(f"give {', '.join(missing)} (a complete system needs them)")
    kind = "sql" if connector.lower() in SQL_KINDS else connector
    made = import_system(
        dataset, key=key, connector=kind, url_env=url_env, storage_country=storage_country,
        fides_key=fides_key, name=name,
    )
    for note in made.notes:
        print(f"note: {note}", file=sys.stderr)
    text = system_yaml(made.system)
    if out is None:
        typer.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        typer.echo(f"wrote {out}")
