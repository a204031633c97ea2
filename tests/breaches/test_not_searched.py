"""A breach lookup that cannot search its system says so: the lookup is recorded as not
searched with the reason, the register's counts are not replaced by zeros, and no letters go."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import NOW, breach_input, make_support_db, promark, with_support_url

from steward import audit
from steward.breaches.affected import Selection, find_affected, record_lookup, send_letters
from steward.breaches.register import get_breach, register_breach
from steward.breaches.tables import BreachLookup
from steward.config import Settings
from steward.errors import Unavailable
from steward.store.db import transaction

SEL = Selection(system="support", table="tickets", identities={"email": ["x@example.com"]})


def test_a_missing_table_is_not_searched_not_nobody(
    sm: sessionmaker[Session], tmp_path: Path
) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    make_support_db(url)
    engine = sa.create_engine(url)
    with engine.begin() as c:
        c.execute(sa.text("DROP TABLE messages"))
        c.execute(sa.text("DROP TABLE tickets"))
    engine.dispose()
    policy = with_support_url(promark(), url)
    found = find_affected(policy, SEL, secret="k")
    assert found.not_searched == "system 'support': table 'tickets' is not in its database"
    assert found.summary()["not_searched"] == found.not_searched
    with transaction(sm) as s:
        bid = register_breach(s, policy, breach_input(subjects_approx=40, records_approx=90),
                              actor="officer", now=NOW).id
        record_lookup(s, bid, SEL, found, actor="officer", now=NOW)
        row = get_breach(s, bid)
        # The estimate the officer entered stays: an unsearched system counts nobody.
        assert (row.subjects_approx, row.records_approx) == (40, 90)
        (lookup,) = s.scalars(sa.select(BreachLookup))
        assert lookup.not_searched == found.not_searched
        (event,) = [e for e in audit.events_for(s, f"breach:{bid}")
                    if e.action == "breach.lookup"]
        assert "not in its database" in str(event.details)
    settings = Settings(data_dir=tmp_path, secret_key="k")
    with pytest.raises(Unavailable, match="not searched: support"), transaction(sm) as s:
        from steward.breaches.assessment import assess
        from steward.breaches.inputs import AssessmentInput

        assess(s, policy, bid, AssessmentInput(risk="high", reasoning="Notes exposed."),
               actor="officer", now=NOW)
        send_letters(s, settings, policy, bid, SEL, actor="officer")


def test_a_system_whose_dataset_cannot_be_read_is_not_searched(tmp_path: Path) -> None:
    from steward.policy.fides import unreadable

    policy = promark()
    systems = [unreadable(s, "cannot load its Fides dataset (missing.yml)")
               if s.key == "support" else s for s in policy.systems]
    found = find_affected(policy.model_copy(update={"systems": systems}), SEL, secret="k")
    assert found.not_searched == "cannot load its Fides dataset (missing.yml)"
    assert found.subjects == 0 and found.summary()["not_searched"]
