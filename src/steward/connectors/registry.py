"""Finding connectors: every connector, ours included, comes from the `steward.connectors`
entry-point group, exactly as a third party's would.

A third-party package declares, in its pyproject.toml:

    [project.entry-points."steward.connectors"]
    mongo = "acme_steward.mongo:MongoConnector"

and its class is constructed as `cls(system, url=..., env=..., base_dir=...)`.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from steward.connectors.base import Connector
from steward.errors import InvalidInput, StewardError

GROUP = "steward.connectors"


def available() -> dict[str, Any]:
    """Connector name -> entry point, for every installed connector."""
    return {ep.name: ep for ep in entry_points(group=GROUP)}


def connector_class(name: str) -> type[Connector]:
    """The class registered under `name`; InvalidInput listing the known names otherwise."""
    eps = available()
    if name not in eps:
        known = ", ".join(sorted(eps)) or "(none installed)"
        raise InvalidInput(f"unknown connector {name!r}; known connectors: {known}")
    cls: type[Connector] = eps[name].load()
    return cls


def resolve_url(
    system: Any,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    policy_dir: Path | None = None,
) -> str:
    """The system's URL: `url_env` (when set in `env`) wins over `url_file` over `url`.
    A relative SQLite path is taken relative to `base_dir` (e.g. the demo data folder);
    a relative `url_file` relative to `policy_dir`."""
    env = os.environ if env is None else env
    url: str | None = None
    if system.url_env and env.get(system.url_env):
        url = env[system.url_env].strip()
    elif system.url_file:
        path = Path(system.url_file)
        if not path.is_absolute() and policy_dir is not None:
            path = policy_dir / path
        try:
            url = path.read_text(encoding="utf-8").strip()
        except OSError as err:
            raise InvalidInput(
                f"system {system.key!r}: cannot read url_file {str(path)!r} ({err.strerror})"
            ) from None
    else:
        url = _expand(system.url, env) if system.url else system.url
    if not url:
        raise InvalidInput(
            f"system {system.key!r} has no URL: set {system.url_env or 'url'} or url_file"
        )
    return _anchor_sqlite(url, base_dir)


_VAR = re.compile(r"\$\{([A-Z][A-Z0-9_]*)(?::-([^}]*))?\}")


def _expand(url: str, env: Mapping[str, str]) -> str:
    """`${VAR}` / `${VAR:-default}` in a policy URL, from the environment: lets a URL follow
    where Steward itself is served (e.g. `${STEWARD_BASE_URL:-http://127.0.0.1:8000}`)."""

    def sub(m: re.Match[str]) -> str:
        value = env.get(m.group(1))
        if value:
            return value.rstrip("/")
        if m.group(2) is not None:
            return m.group(2)
        raise InvalidInput(f"the URL needs the environment variable {m.group(1)}")

    return _VAR.sub(sub, url)


def _anchor_sqlite(url: str, base_dir: Path | None) -> str:
    if not url.startswith("sqlite") or base_dir is None:
        return url
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        return url
    db = parsed.database
    if not db or db == ":memory:" or db.startswith("file:") or Path(db).is_absolute():
        return url
    return parsed.set(database=str((base_dir / db).resolve())).render_as_string(
        hide_password=False
    )


def connector_for(
    system: Any,
    *,
    env: Mapping[str, str] | None = None,
    base_dir: Path | None = None,
    policy_dir: Path | None = None,
) -> Connector:
    """A ready connector for `system` (a `SystemSpec`), its tables decided by
    `fides.resolve_system` (declared, else from its `fides_dataset` relative to `policy_dir`).
    For a SQL system, keys the dataset does not declare are read from the live database."""
    from steward.policy.fides import resolve_system, with_keys

    env = os.environ if env is None else env
    cls = connector_class(system.connector)
    system = resolve_system(system, policy_dir).system
    url = resolve_url(system, env=env, base_dir=base_dir, policy_dir=policy_dir)
    if system.keys_from_database and is_sql(cls):
        from steward.connectors.inspect import database_keys

        try:
            keys = database_keys(url, system.keys_from_database, system=system.key)
        except StewardError:
            keys = {}  # unreachable: the connector's own first query says so
        system = with_keys(system, keys)
    return cls(system, url=url, env=env, base_dir=base_dir)  # type: ignore[call-arg]


def is_sql(cls: type[Any]) -> bool:
    """Does the connector class speak SQL through SQLAlchemy (ours or a subclass)?"""
    from steward.connectors.sql import SqlConnector

    return isinstance(cls, type) and issubclass(cls, SqlConnector)
