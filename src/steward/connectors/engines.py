"""Reaching a company system's database for a sweep, with unreachable systems reported as
`Unavailable` (the run is recorded as waiting and retried) rather than as a traceback."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.engine import Connection, Engine

from steward.config import Settings
from steward.connectors.registry import resolve_url
from steward.errors import Unavailable
from steward.policy.models import SystemSpec


class SystemEngines:
    """Engines for company systems, made once per system and disposed together.

    `urls` overrides a system's URL by key (tests, benchmarks); otherwise the URL comes from
    the policy (`url_env` > `url_file` > `url`), relative SQLite paths under `base_dir`.
    """

    def __init__(
        self,
        *,
        urls: Mapping[str, str] | None = None,
        base_dir: Path | None = None,
        policy_dir: Path | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.urls = dict(urls or {})
        self.base_dir = base_dir
        self.policy_dir = policy_dir
        self.env = env
        self._engines: dict[str, Engine] = {}

    @classmethod
    def for_settings(
        cls, settings: Settings, *, urls: Mapping[str, str] | None = None
    ) -> SystemEngines:
        """Engines as a deployment resolves them: relative SQLite paths under the demo folder
        (data_dir/demo, where `steward demo` builds the systems), `url_file` relative to the
        policy folder."""
        policy = Path(settings.policy)
        return cls(urls=urls, base_dir=Path(settings.data_dir) / "demo",
                   policy_dir=policy if policy.is_dir() else policy.parent)

    def url(self, system: SystemSpec) -> str:
        if system.key in self.urls:
            return self.urls[system.key]
        return resolve_url(system, env=self.env, base_dir=self.base_dir,
                           policy_dir=self.policy_dir)

    def engine(self, system: SystemSpec) -> Engine:
        if system.key not in self._engines:
            url = sa.make_url(self.url(system))
            args: dict[str, Any] = {}
            if url.get_backend_name() in ("postgresql", "mysql", "mariadb"):
                args["connect_args"] = {"connect_timeout": 5}
            elif url.get_backend_name() == "sqlite":
                db = url.database
                if db and db != ":memory:" and not db.startswith("file:") and not Path(db).exists():
                    # Connecting would create an empty file and report "nothing expired".
                    raise Unavailable(f"system {system.key!r}: its SQLite file does not exist")
                args["connect_args"] = {"timeout": 30}
            self._engines[system.key] = sa.create_engine(url, pool_pre_ping=True, **args)
        return self._engines[system.key]

    @contextmanager
    def begin(self, system: SystemSpec) -> Iterator[Connection]:
        """One transaction on the system; connection failures become `Unavailable`."""
        try:
            with self.engine(system).begin() as conn:
                yield conn
        except (sa_exc.OperationalError, sa_exc.InterfaceError) as err:
            # The driver's message may echo parameters (personal data): name the system only.
            raise Unavailable(
                f"system {system.key!r} is unavailable ({err.__class__.__name__})"
            ) from None

    def dispose(self) -> None:
        for engine in self._engines.values():
            engine.dispose()
        self._engines.clear()
