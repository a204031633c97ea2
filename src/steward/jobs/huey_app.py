"""Building the Huey instance from settings (never at import time)."""

from __future__ import annotations

from pathlib import Path

from huey import Huey, RedisHuey, SqliteHuey

from steward.config import Settings
from steward.errors import InvalidInput

NAME = "steward"


def is_redis(settings: Settings) -> bool:
    return bool(settings.jobs_url) and str(settings.jobs_url).startswith(("redis://", "rediss://"))


def make_huey(settings: Settings) -> Huey:
    """`RedisHuey` for a redis:// jobs URL, else `SqliteHuey` at data_dir/jobs.db (or the
    path of a sqlite:/// jobs URL)."""
    url = settings.jobs_url
    if url and is_redis(settings):
        return RedisHuey(settings.jobs_name or NAME, url=url)
    if url and url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
    elif url:
        raise InvalidInput(
            "STEWARD_JOBS_URL must be redis://host:port/db or sqlite:///path, "
            f"got {url.split(':')[0]}:…"
        )
    else:
        path = Path(settings.data_dir) / "jobs.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    # Not immediate: SqliteHuey(immediate=True) silently switches to memory storage.
    return SqliteHuey(settings.jobs_name or NAME, filename=str(path))
