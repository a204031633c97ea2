"""Every table of every capability, gathered for migrations and the schema-drift test.

Only Alembic's environment and tests import this; domain code imports its own tables.
"""

from steward.store.db import Base
import steward.audit.tables  # noqa: F401
import steward.auth.tables  # noqa: F401
import steward.publication.tables  # noqa: F401
import steward.breaches.tables  # noqa: F401
import steward.processors.tables  # noqa: F401

metadata = Base.metadata
