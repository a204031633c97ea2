"""`steward systems import-fides`: a complete `SystemSpec` from a fideslang dataset file
(`steward.policy.fides` reads it), with the primary keys the dataset does not declare read
from the live database when it answers."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

from pydantic import ValidationError

from steward.connectors.inspect import database_keys
from steward.connectors.registry import connector_class, is_sql
from steward.errors import InvalidInput, StewardError
from steward.policy.fides import Resolved, pick, read_datasets, with_keys
from steward.policy.models import SystemSpec


def import_system(
    path: Path,
    *,
    key: str,
    connector: str,
    url_env: str,
    storage_country: str,
    fides_key: str | None = None,
    name: str | None = None,
    env: Mapping[str, str] | None = None,
) -> Resolved:
    """A complete `SystemSpec` from a dataset file. Keys the dataset does not declare are read
    from the database when `url_env` is set in `env` and the database answers; otherwise a
    note names each such table."""
    env = os.environ if env is None else env
    imported = read_datasets(path)
    tables = pick(imported, fides_key, str(path))
    chosen = fides_key or next(iter(imported.datasets))
    try:
        system = SystemSpec(
            key=key, name=name or imported.names[chosen], connector=connector, url_env=url_env,
            storage_country=storage_country, tables=tables,
        )
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(x) for x in first["loc"])
        raise InvalidInput(f"cannot make the system: {where}: {first['msg']}") from None
    system._keys_from_database = frozenset(imported.keyless.get(chosen, []))
    notes = list(imported.notes)
    if system.keys_from_database:
        reason = f"the environment variable {url_env} is not set"
        if env.get(url_env) and is_sql(connector_class(connector)):
            try:
                system = with_keys(system, database_keys(env[url_env].strip(), sorted(
                    system.keys_from_database), system=key))
                reason = "the database has no primary key for it"
            except StewardError as err:
                reason = err.detail
        for table in sorted(system.keys_from_database):
            notes.append(
                f"{chosen}.{table}: the dataset declares no primary key and none was read from "
                f"the database ({reason}): declare primary_key under this table"
            )
    return Resolved(system, notes)
