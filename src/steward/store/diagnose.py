"""Turning a failure to use Steward's own store into one line that names the fix.

`explain(err, url)` is asked after something went wrong (nothing is checked on the happy
path): a URL whose scheme no installed driver serves, a server that does not answer, a store
that was never migrated or is behind the code.
"""

from __future__ import annotations

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, DBAPIError

# The stores Steward runs on, with the URL form to write.
EXAMPLES = {
    "sqlite": "sqlite:///path/to/steward.db",
    "postgresql+psycopg": "postgresql+psycopg://user:password@host:5432/steward",
}
SETTING = "STEWARD_DATABASE_URL"


def shown(url: str) -> str:
    """`url` without its password, for messages."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except ArgumentError:
        return "(unparsable URL)"


def url_problem(url: str) -> str | None:
    """Why `url` cannot name Steward's store, or None when its form is one Steward runs on."""
    try:
        u = make_url(url)
    except ArgumentError:
        return (f"{SETTING} is not a database URL; write it like "
                f"{EXAMPLES['sqlite']} or {EXAMPLES['postgresql+psycopg']}")
    scheme = u.drivername
    if scheme in EXAMPLES or scheme == "sqlite+pysqlite":
        return None
    backend = u.get_backend_name()
    hint = ("postgresql+psycopg://…" if backend in ("postgresql", "postgres")
            else f"{EXAMPLES['sqlite']} or {EXAMPLES['postgresql+psycopg']}")
    return (f"{SETTING} uses the scheme {scheme!r}, which Steward's store does not run on; "
            f"use {hint}")


def migration_problem(url: str) -> str | None:
    """Why the store at `url` cannot be used as it is (unreachable, not migrated, behind),
    or None when it is reachable and current."""
    from alembic.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from steward.store.db import make_engine
    from steward.store.migrate import alembic_config

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            current = set(MigrationContext.configure(conn).get_current_heads())
    except DBAPIError:
        return (f"cannot reach the database at {shown(url)}: is the server running, and are "
                f"the address and credentials in {SETTING} right?")
    finally:
        engine.dispose()
    heads = set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    if not current:
        return f"the store at {shown(url)} was never migrated: run `steward db upgrade`"
    if current != heads:
        return (f"the store at {shown(url)} is not at this version's schema: "
                "run `steward db upgrade`")
    return None


def explain(err: BaseException, url: str) -> str | None:
    """One line naming the fix for `err`, raised while using the store at `url`; None when
    the store is not the cause."""
    if isinstance(err, ArgumentError | ModuleNotFoundError):
        problem = url_problem(url)
        if problem:
            return problem
    if isinstance(err, DBAPIError):
        if url_problem(url):
            return None
        return migration_problem(url)
    return None
