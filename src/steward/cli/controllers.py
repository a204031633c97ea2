"""`steward controllers …`: the controllers the company serves (Art. 28(3)(e)), their API keys
and their assisted requests."""

from __future__ import annotations

import typer

from steward.cli import context

app = typer.Typer(
    help="Controllers served as a processor: keys, scope, assisted requests.", no_args_is_help=True
)
keys_app = typer.Typer(help="API keys of the controllers served.", no_args_is_help=True)
app.add_typer(keys_app, name="key")


@app.command("list")
def list_() -> None:
    """Each controller served with a key, and where its data lies (its scope)."""
    from steward.policy.tenancy import scope_lines, served

    policy = context.load()
    for s in served(policy):
        typer.echo(f"{s.key}  {s.controller.name}  (role {s.role.key})")
        for line in scope_lines(policy, s.key):
            typer.echo(f"    {line}")


@keys_app.command("create")
def key_create(
    controller: str = typer.Argument(..., help="the controller's key in the policy"),
    name: str = typer.Option("admin", "--name", help="who or what the key is for"),
) -> None:
    """Create a key for one controller; it is printed once and only its hash is kept."""
    from steward.processors import apikeys
    from steward.store.db import transaction

    policy = context.load()
    with transaction(context.sessionmaker_()) as s:
        row, key = apikeys.create(s, policy, controller=controller, name=name, actor="cli")
    typer.echo(
        f"created API key {row.prefix} for {controller} ({row.name}); keep it now, it "
        "is not shown again:"
    )
    typer.echo(key)


@keys_app.command("list")
def key_list(controller: str | None = typer.Argument(None)) -> None:
    """Keys (prefix, state, controller, name); never the keys themselves."""
    from steward.processors import apikeys
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        for k in apikeys.listing(s, controller):
            status = "revoked" if k.revoked_at else "active"
            typer.echo(f"{k.prefix}  {status:7}  {k.controller}  {k.name}")


@keys_app.command("revoke")
def key_revoke(prefix: str = typer.Argument(...)) -> None:
    """Revoke a key by its prefix: it stops working at once."""
    from steward.processors import apikeys
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        apikeys.revoke(s, prefix, actor="cli")
    typer.echo(f"revoked {prefix}")
