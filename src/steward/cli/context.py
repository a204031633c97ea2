"""Building what commands need (settings, store, policy) once per invocation.

Everything heavy (settings, SQLAlchemy, the policy loader) is imported inside the functions
that need it, so `steward --help` and a command's `--help` never pay for it.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from steward.config import Settings
    from steward.policy.models import Policy


@cache
def settings() -> Settings:
    from steward.config import Settings

    return Settings()


@cache
def sessionmaker_() -> sessionmaker[Session]:
    from steward.store.db import make_engine, make_sessionmaker

    return make_sessionmaker(make_engine(settings().database_url))


def policy_path(path: Path | None) -> Path:
    return path if path is not None else settings().policy


def load(path: Path | None = None) -> Policy:
    """Load the policy at `path` (or STEWARD_POLICY); raises PolicyError with line numbers."""
    from steward.policy.loader import load_policy

    return load_policy(policy_path(path))
