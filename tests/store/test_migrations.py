"""The migrations create exactly the tables the models declare, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect

from steward.store.schema import metadata


def test_migrations_match_models(engine: Engine) -> None:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": False})
        diff = compare_metadata(ctx, metadata)
    assert diff == [], f"migrations and tables disagree: {diff}"


def test_upgrade_is_idempotent(engine: Engine) -> None:
    from steward.store.migrate import upgrade_engine

    upgrade_engine(engine)  # a second run applies nothing and fails nothing
    tables = set(inspect(engine).get_table_names())
    assert {"audit_events", "audit_head", "users", "alembic_version"} <= tables
