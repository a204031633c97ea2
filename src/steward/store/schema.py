"""Every table of every capability, gathered for migrations and the schema-drift test.

Only Alembic's environment and tests import this; domain code imports its own tables.
"""

import steward.analytics.tables  # noqa: F401
import steward.audit.tables  # noqa: F401
import steward.auth.tables  # noqa: F401
import steward.breaches.tables  # noqa: F401
import steward.connectors.tasks  # noqa: F401
import steward.consent.tables  # noqa: F401
import steward.events.tables  # noqa: F401
import steward.processors.tables  # noqa: F401
import steward.publication.tables  # noqa: F401
import steward.requests.tables  # noqa: F401
import steward.retention.tables  # noqa: F401
import steward.scanner.tables  # noqa: F401
from steward.store.db import Base

metadata = Base.metadata
