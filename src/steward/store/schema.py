"""Every table of every capability, gathered for migrations and the schema-drift test.

A capability registers its tables module in the `steward.tables` entry-point group, the way
connectors register (no central list to edit):

    [project.entry-points."steward.tables"]
    breaches = "steward.breaches.tables"

Loading the entry points imports those modules, whose models declare their tables on
`Base.metadata`. Only Alembic's environment and tests import this; domain code imports its
own tables.
"""

from importlib.metadata import entry_points

from sqlalchemy import MetaData

from steward.store.db import Base

GROUP = "steward.tables"


def load() -> MetaData:
    """Import every registered tables module; returns the metadata that holds them all."""
    for ep in sorted(entry_points(group=GROUP), key=lambda e: e.name):
        ep.load()
    return Base.metadata


metadata = load()
