"""Building what commands need (settings, store, policy) once per invocation.

Everything heavy (settings, SQLAlchemy, the policy loader) is imported inside the functions
that need it, so `steward --help` and a command's `--help` never pay for it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlalchemy.orm import Session, sessionmaker

    from steward.config import Settings
    from steward.policy.models import Policy


@cache
def settings() -> Settings:
    from steward.config import Settings

    return Settings()


@cache
def engine() -> Engine:
    """The engine of Steward's store. A new SQLite store (no table yet: the default
    `./steward.db` on first use) is migrated here, with one line on stderr saying so; any
    other store is used as it is (an unmigrated server store gives the one-line
    `steward db upgrade` error when first used, see `steward.store.diagnose`)."""
    import sys

    from steward.store.db import make_engine
    from steward.store.diagnose import shown
    from steward.store.migrate import is_new, migrate_if_new

    url = settings().database_url
    eng = make_engine(url)
    # Read first (no lock): only a store that looks new takes the write lock to migrate.
    if is_new(eng) and migrate_if_new(eng):
        print(f"steward: created a new store at {shown(url)} (migrated to the current schema)",
              file=sys.stderr)
    return eng


@cache
def sessionmaker_() -> sessionmaker[Session]:
    from steward.store.db import make_sessionmaker

    return make_sessionmaker(engine())


def policy_path(path: Path | None) -> Path:
    return path if path is not None else settings().policy


def load(path: Path | None = None) -> Policy:
    """Load the policy at `path` (or STEWARD_POLICY); raises PolicyError with line numbers."""
    from steward.policy.loader import load_policy

    return load_policy(policy_path(path))
