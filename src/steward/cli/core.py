"""Foundation commands: db upgrade, audit verify, users create|demo-admin, serve."""

from __future__ import annotations

import json
import sys

import typer

from steward.cli import context

db_app = typer.Typer(help="Steward's own store.", no_args_is_help=True)
audit_app = typer.Typer(help="The hash-chained audit log.", no_args_is_help=True)
users_app = typer.Typer(help="Console users.", no_args_is_help=True)


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations to STEWARD_DATABASE_URL (default ./steward.db)."""
    from steward.store.migrate import upgrade

    upgrade(context.settings().database_url)
    typer.echo("database is up to date")


@audit_app.command("verify")
def audit_verify(as_json: bool = typer.Option(False, "--json")) -> None:
    """Recompute the chain; exit 0 when intact, 1 naming the first broken event."""
    from steward import audit
    from steward.store.db import transaction

    with transaction(context.sessionmaker_()) as s:
        v = audit.verify(s)
    if as_json:
        typer.echo(json.dumps(v.__dict__))
    elif v.ok:
        typer.echo(f"ok: {v.checked} events, chain intact")
    else:
        print(
            f"broken at event {v.first_broken}: {v.reason} ({v.checked} verified before it)",
            file=sys.stderr,
        )
    raise typer.Exit(0 if v.ok else 1)


@users_app.command("create")
def users_create(
    email: str = typer.Option(..., "--email"),
    role: str = typer.Option("officer", "--role", help="admin | officer | viewer"),
    password: str = typer.Option(
        None, "--password", help="omit to be prompted (or to generate one with --generate)"
    ),
    generate: bool = typer.Option(False, "--generate", help="generate and print a password"),
) -> None:
    """Create a console user with an argon2-hashed password."""
    from steward.auth.users import create_user, generate_password
    from steward.store.db import transaction

    if generate:
        password = generate_password()
    elif password is None:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    with transaction(context.sessionmaker_()) as s:
        user = create_user(s, email=email, password=password, role=role)
    typer.echo(f"created {user.email} ({user.role})")
    if generate:
        typer.echo(f"password: {password}")


@users_app.command("password")
def users_password(
    email: str = typer.Option(..., "--email"),
    generate: bool = typer.Option(False, "--generate", help="generate and print a password"),
) -> None:
    """Set a user's password; every session the user had ends."""
    from steward.auth.sessions import make_store
    from steward.auth.users import generate_password, set_password
    from steward.store.db import transaction

    password = generate_password() if generate else typer.prompt(
        "New password", hide_input=True, confirmation_prompt=True)
    cfg = context.settings()
    with transaction(context.sessionmaker_()) as s:
        user = set_password(s, email=email, password=password, actor="cli")
        uid = user.id
    ended = make_store(context.sessionmaker_(), cfg).end_all(uid)
    typer.echo(f"password changed; {ended} session(s) ended")
    if generate:
        typer.echo(f"password: {password}")


DEMO_ADMIN = "admin@steward.example"


@users_app.command("demo-admin")
def users_demo_admin(
    reset: bool = typer.Option(
        False, "--reset", help="give the demo admin a new password (creating it if missing)"
    ),
) -> None:
    """Create the demo admin and print its login; with --reset, a new password for it.

    Passwords are kept only as argon2 hashes, so a login cannot be shown twice: a newcomer who
    missed it runs `steward users demo-admin --reset` to get a new one.
    """
    from sqlalchemy import select

    from steward.auth.tables import User
    from steward.auth.users import count_users, create_user, generate_password, reset_password
    from steward.store.db import transaction

    password = generate_password()
    ended_for: int | None = None
    with transaction(context.sessionmaker_()) as s:
        exists = s.scalar(select(User.id).where(User.email == DEMO_ADMIN)) is not None
        if reset and exists:
            ended_for = reset_password(s, email=DEMO_ADMIN, password=password, actor="demo").id
        elif reset or not count_users(s):
            create_user(s, email=DEMO_ADMIN, password=password, role="admin", actor="demo")
        elif exists:
            typer.echo(f"demo console login: {DEMO_ADMIN} (password shown when it was made; "
                       "`steward users demo-admin --reset` sets a new one)")
            return
        else:
            typer.echo("console users exist: demo admin not created "
                       "(`steward users demo-admin --reset` creates it)")
            return
    if ended_for is not None:
        # Whoever held a session with the old password is signed out (after the commit).
        from steward.auth.sessions import make_store

        make_store(context.sessionmaker_(), context.settings()).end_all(ended_for)
    typer.echo(f"demo console login: {DEMO_ADMIN} / {password}")


def serve(
    host: str = typer.Option("127.0.0.1", "--host"),
    port: int = typer.Option(8000, "--port"),
    workers: int = typer.Option(
        1, "--workers", min=1,
        help="server processes; above 1, set STEWARD_REDIS_URL so that rate limits hold "
             "across them (see docs/deployment.md)",
    ),
) -> None:
    """Serve the privacy center, the console and the API (with the in-process job worker)."""
    import os

    import uvicorn

    # Links in mail and the demo's in-process newsletter tool follow the served address unless
    # a public base URL is configured.
    if not os.environ.get("STEWARD_BASE_URL"):
        os.environ["STEWARD_BASE_URL"] = f"http://{host}:{port}"
        context.settings.cache_clear()
    settings = context.settings()
    # X-Forwarded-For/-Proto are believed only from the configured proxies (the client
    # address drives rate limits; anyone could send the header otherwise).
    trusted = settings.trusted_proxies
    # A new SQLite store is migrated here, once, before any server process starts.
    engine = context.engine()
    if workers == 1:
        from steward.web.app import create_app

        uvicorn.run(create_app(settings, engine=engine), host=host, port=port,
                    log_level="info", proxy_headers=bool(trusted), forwarded_allow_ips=trusted)
        return
    engine.dispose()  # each server process opens its own
    from steward.web.multiprocess import serve_workers

    serve_workers(settings, host=host, port=port, workers=workers,
                  proxy_headers=bool(trusted), forwarded_allow_ips=trusted)


def register(app: typer.Typer) -> None:
    app.add_typer(db_app, name="db")
    app.add_typer(audit_app, name="audit")
    app.add_typer(users_app, name="users")
    app.command("serve")(serve)
