"""Running Alembic migrations from code (`steward db upgrade`).

Each capability owns a branch of migrations rooted at the foundation revision; `upgrade`
applies all heads, so capabilities can add tables without editing each other's files.

A new SQLite store (the laptop default, `./steward.db`) migrates itself on first use
(`migrate_if_new`): it holds nothing, so there is nothing to back up first. A store that holds
tables, and every server store (PostgreSQL), is only ever changed by `steward db upgrade`.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Connection, Engine, inspect

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def upgrade(url: str) -> None:
    """Bring the store at `url` to the newest schema of every capability."""
    command.upgrade(alembic_config(url), "heads")


def upgrade_engine(engine: Engine) -> None:
    """Upgrade through an existing engine (keeps SQLite pragmas and in-memory databases)."""
    with engine.begin() as conn:
        _upgrade_on(conn)


def is_new(engine: Engine) -> bool:
    """True when `engine` is a SQLite store holding no table (read only, no lock taken)."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.connect() as conn:
        return not inspect(conn).get_table_names()


def migrate_if_new(engine: Engine) -> bool:
    """Migrate the SQLite store of `engine` when it holds no table at all (a file just
    created); True when it did. Any other store is left as it is: one with tables may hold
    data (upgrading it is `steward db upgrade`, after a backup), and a server store is
    migrated by its operator. Two processes starting on one new file do not race: the store's
    SQLite transactions take the write lock at BEGIN, and the second sees the first's tables."""
    if engine.dialect.name != "sqlite":
        return False
    with engine.begin() as conn:
        if inspect(conn).get_table_names():
            return False
        _upgrade_on(conn)
    return True


def _upgrade_on(conn: Connection) -> None:
    cfg = alembic_config(conn.engine.url.render_as_string(hide_password=False))
    cfg.attributes["connection"] = conn
    command.upgrade(cfg, "heads")
