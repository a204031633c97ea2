"""The breach register: the 72-hour clock through the register (DST, weekends), bad input,
special categories, default contact, versions kept on edit (Art. 33(5))."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import NOW, breach_input, promark

from steward import audit
from steward.breaches.register import clock, register_breach, update_breach, versions
from steward.errors import InvalidInput
from steward.store.db import transaction

CPH = ZoneInfo("Europe/Copenhagen")


@pytest.mark.parametrize(
    ("aware_local", "deadline_utc", "deadline_local_hour", "wall_hours"),
    [
        # Friday before the spring DST change (29 March 2026): the weekend and the lost hour
        # count as real hours; the local wall clock shows 73 hours.
        (datetime(2026, 3, 27, 10, 0, tzinfo=CPH), datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
         11, 73),
        # Friday before the autumn change (25 October 2026): 71 wall-clock hours.
        (datetime(2026, 10, 23, 10, 0, tzinfo=CPH), datetime(2026, 10, 26, 8, 0, tzinfo=UTC),
         9, 71),
        # Saturday 24 December (a holiday weekend): the deadline never moves.
        (datetime(2022, 12, 24, 18, 30, tzinfo=CPH), datetime(2022, 12, 27, 17, 30, tzinfo=UTC),
         18, 72),
    ],
)
def test_deadline_is_72_real_hours_through_the_register(
    sm: sessionmaker[Session], aware_local: datetime, deadline_utc: datetime,
    deadline_local_hour: int, wall_hours: int,
) -> None:
    policy = promark()
    with transaction(sm) as s:
        row = register_breach(s, policy, breach_input(aware_at=aware_local), actor="officer",
                              now=aware_local + timedelta(hours=1))
        bid = row.id
    with transaction(sm) as s:
        from steward.breaches.register import get_breach

        c = clock(s, policy, get_breach(s, bid), now=aware_local + timedelta(hours=1))
    assert c.deadline == deadline_utc
    assert c.timezone == "Europe/Copenhagen"  # the lead authority's zone (DK)
    assert c.deadline_local.hour == deadline_local_hour
    wall = (c.deadline_local.replace(tzinfo=None) - aware_local.replace(tzinfo=None))
    assert wall.total_seconds() / 3600 == wall_hours
    assert c.hours_left == pytest.approx(71.0)


def test_bad_input_is_rejected_with_a_clear_message(sqlite_engine) -> None:  # type: ignore[no-untyped-def]
    from steward.store.db import make_sessionmaker

    sm = make_sessionmaker(sqlite_engine)
    policy = promark()
    cases = [
        (breach_input(aware_at=NOW + timedelta(hours=1)), "in the future"),
        (breach_input(subjects_approx=-1), "cannot be negative"),
        (breach_input(records_approx=-5), "cannot be negative"),
        (breach_input(aware_at=datetime(2026, 11, 25, 10, 0)), "no time zone"),
        (breach_input(systems=["nosuch"]), "Unknown system 'nosuch'"),
        (breach_input(nature=["stolen"]), "Unknown breach nature"),
        (breach_input(occurred_at=NOW - timedelta(hours=1)), "occurred after"),
        (breach_input(countries=["dk"]), "two-letter code"),
    ]
    for data, message in cases:
        with pytest.raises(InvalidInput, match=message), transaction(sm) as s:
            register_breach(s, policy, data, actor="officer", now=NOW)
    with transaction(sm) as s:
        from steward.breaches.register import list_breaches

        assert list_breaches(s) == []  # nothing half-written


def test_special_categories_and_default_contact(sm: sessionmaker[Session]) -> None:
    policy = promark()
    with transaction(sm) as s:
        row = register_breach(
            s, policy, breach_input(data_categories=[
                "user.contact.email", "user.government_id.national_identification_number",
                "user.health_and_medical"]), actor="officer", now=NOW)
        assert row.special_categories == ["user.government_id.national_identification_number",
                                          "user.health_and_medical"]
        # Art. 33(3)(b): the policy's privacy contact when none is given.
        assert row.contact_email == policy.controller.privacy_contact.email  # type: ignore[union-attr]
        events = audit.events_for(s, f"breach:{row.id}")
        assert [e.action for e in events] == ["breach.registered"]
        assert "@" not in events[0].details


def test_editing_keeps_earlier_versions(sm: sessionmaker[Session]) -> None:
    policy = promark()
    with transaction(sm) as s:
        row = register_breach(s, policy, breach_input(), actor="officer", now=NOW)
        bid = row.id
    with transaction(sm) as s:
        row = update_breach(s, policy, bid, breach_input(title="Export on a public share (v2)",
                                                          subjects_approx=150),
                            actor="officer", now=NOW + timedelta(minutes=5))
        assert row.version == 2
        assert row.subjects_approx == 150
    with transaction(sm) as s:
        kept = versions(s, bid)
        assert [v.version for v in kept] == [1]
        assert kept[0].data["title"] == "Support desk export left on a public share"
        assert kept[0].data["subjects_approx"] == 120
        ev = audit.events_for(s, f"breach:{bid}")[-1]
        assert ev.action == "breach.updated" and "subjects_approx" in ev.details
