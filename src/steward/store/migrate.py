"""Running Alembic migrations from code (`steward db upgrade`).

Each capability owns a branch of migrations rooted at the foundation revision; `upgrade`
applies all heads, so capabilities can add tables without editing each other's files.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

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
    cfg = alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "heads")
