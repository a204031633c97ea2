"""Whose rules, whose clock and whose calendar a request's deadline is counted with (GDPR
Art. 12(3); Reg. 1182/71 Art. 3): the jurisdiction named on the request (else the lead
authority's), the receipt day in that authority's time zone whatever the server's, and the
holidays of the establishment that answers. Expected dates are the ICO's published examples
("How do we calculate a month?": 3 September -> 3 October; 31 March -> 30 April) or counted
by hand in the comments from the published public holidays."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from steward.errors import InvalidInput
from steward.policy.models import Establishment, Policy
from steward.requests.deadlines import answering_calendar, due_for, jurisdiction, local_day


def _lead(policy: Policy, country: str) -> Policy:
    controller = policy.controller.model_copy(update={"lead_authority": country})
    return policy.model_copy(update={"controller": controller})


def _offices(policy: Policy, *establishments: Establishment) -> Policy:
    controller = policy.controller.model_copy(update={"establishments": list(establishments)})
    return policy.model_copy(update={"controller": controller})


@pytest.mark.parametrize(
    ("given", "rules"),
    [
        ("DK", "DK"),
        (" se ", "SE"),  # typed by hand: trimmed and upper-cased
        ("no", "NO"),
        ("UK", "GB"),  # the usual name; ISO 3166 says GB
        ("uk", "GB"),
        ("GB", "GB"),
        # no authority of their own in the policy: the lead authority's rules (Art. 56)
        ("FR", "SE"),
        ("", "SE"),
        (None, "SE"),
    ],
)
def test_a_request_is_answered_under_its_countrys_rules_or_the_lead_authoritys(  # type: ignore[no-untyped-def]
    policy, given, rules
):
    # Sweden as the lead authority, so that the fallback is not the example's Denmark by chance
    assert jurisdiction(_lead(policy, "SE"), given) == rules


@pytest.mark.parametrize(
    ("country", "at", "day"),
    [
        # 23:30 UTC on 31 January is 00:30 on 1 February in Copenhagen (CET, UTC+1)
        ("DK", datetime(2025, 1, 31, 23, 30, tzinfo=UTC), date(2025, 2, 1)),
        # a time without a zone is UTC: the same instant
        ("DK", datetime(2025, 1, 31, 23, 30), date(2025, 2, 1)),
        # 00:30 on 1 July in Copenhagen (CEST, UTC+2) is 23:30 on 30 June in London (BST)
        (
            "GB",
            datetime(2025, 7, 1, 0, 30, tzinfo=ZoneInfo("Europe/Copenhagen")),
            date(2025, 6, 30),
        ),
        # 00:30 on 1 July in London (BST, UTC+1) is already 1 July there
        ("GB", datetime(2025, 7, 1, 0, 30, tzinfo=ZoneInfo("Europe/London")), date(2025, 7, 1)),
        # 23:30 UTC on 30 June is 01:30 on 1 July in Stockholm (CEST)
        ("SE", datetime(2025, 6, 30, 23, 30, tzinfo=UTC), date(2025, 7, 1)),
        # no authority, no time zone of its own: UTC
        ("FR", datetime(2025, 1, 31, 23, 30, tzinfo=UTC), date(2025, 1, 31)),
        (
            "FR",
            datetime(2025, 2, 1, 0, 30, tzinfo=ZoneInfo("Europe/Copenhagen")),
            date(2025, 1, 31),
        ),
    ],
)
def test_the_receipt_day_is_the_authoritys_local_day(policy, country, at, day):  # type: ignore[no-untyped-def]
    assert local_day(policy, country, at) == day


@pytest.fixture
def server_in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_servers_own_time_zone_never_moves_the_receipt_day(  # type: ignore[no-untyped-def]
    policy, server_in_new_york
):
    # 23:30 UTC on 31 January, stored without a zone: 1 February in Copenhagen, 31 January in
    # London, whatever the zone the server runs in (New York: 18:30 on 31 January)
    at = datetime(2025, 1, 31, 23, 30)
    assert local_day(policy, "DK", at) == date(2025, 2, 1)
    assert local_day(policy, "GB", at) == date(2025, 1, 31)
    # 03:00 UTC on 1 March is 1 March in UTC (no authority) and 22:00 on 28 February in
    # New York
    assert local_day(policy, "FR", datetime(2025, 3, 1, 3)) == date(2025, 3, 1)


def test_the_answering_establishment_brings_its_calendar(policy):  # type: ignore[no-untyped-def]
    # The example: its UK office names no calendar, so the ICO's (England) applies; Denmark's
    # authority names none; a country without an authority counts with its own national one.
    assert answering_calendar(policy, "GB") == ("GB", "ENG")
    assert answering_calendar(policy, "DK") == ("DK", None)
    assert answering_calendar(policy, "FR") == ("FR", None)
    # An Edinburgh office answering Norway's requests only: Scottish holidays for Norway's,
    # England's (the authority's) for the UK's.
    edinburgh = Establishment(
        country="GB", name="Edinburgh", answers=["NO"], holiday_subdivision="SCT"
    )
    only_norway = _offices(policy, edinburgh)
    assert answering_calendar(only_norway, "NO") == ("GB", "SCT")
    assert answering_calendar(only_norway, "GB") == ("GB", "ENG")
    # An office that names the UK in `answers` is preferred to one that is merely there.
    belfast = Establishment(country="GB", name="Belfast", answers=["GB"], holiday_subdivision="NIR")
    glasgow = Establishment(country="GB", name="Glasgow", holiday_subdivision="SCT")
    assert answering_calendar(_offices(policy, glasgow, belfast), "GB") == ("GB", "NIR")
    assert answering_calendar(_offices(policy, glasgow), "GB") == ("GB", "SCT")


@pytest.mark.parametrize(
    ("received", "country", "extended", "due"),
    [
        # ICO: received 3 September -> respond by 3 October (2024: a Thursday)
        (date(2024, 9, 3), "GB", False, date(2024, 10, 3)),
        (date(2024, 9, 3), "uk", False, date(2024, 10, 3)),
        (date(2024, 9, 3), " gb ", False, date(2024, 10, 3)),
        # ICO: received 31 March -> no 31 April, so 30 April (2025: a Wednesday)
        (date(2025, 3, 31), "Gb", False, date(2025, 4, 30)),
        # extended by two further months (Art. 12(3)): 30 June 2025, a Monday
        (date(2025, 3, 31), "GB", True, date(2025, 6, 30)),
        # 31 March + 3 months = 30 June 2024, a Sunday -> Monday 1 July
        (date(2024, 3, 31), "UK", True, date(2024, 7, 1)),
        # 9 May 2025 + 1 month = 9 June, Whit Monday (2. pinsedag) in Denmark -> 10 June
        (date(2025, 5, 9), "dk", False, date(2025, 6, 10)),
    ],
)
def test_the_statutory_date(received, country, extended, due):  # type: ignore[no-untyped-def]
    assert due_for(received, country, extended=extended) == due


@pytest.mark.parametrize("country", ["DNK", "D", "", "D1", "12", "  "])
def test_a_country_that_is_not_a_two_letter_code_is_refused(country):  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidInput) as err:
        due_for(date(2025, 3, 3), country)
    assert err.value.detail == f"country must be a two-letter code such as DK, got {country!r}"


def test_the_answering_establishments_calendar_also_counts_the_extension(policy):  # type: ignore[no-untyped-def]
    # 2 October 2023 + 3 months = 2 January 2024: a bank holiday in Scotland only -> 3 January
    glasgow = _offices(policy, Establishment(country="GB", holiday_subdivision="SCT"))
    assert due_for(date(2023, 10, 2), "GB", extended=True, policy=policy) == date(2024, 1, 2)
    assert due_for(date(2023, 10, 2), "GB", extended=True, policy=glasgow) == date(2024, 1, 3)
    assert due_for(date(2023, 10, 2), "UK", extended=True, subdiv="SCT") == date(2024, 1, 3)
    # the office is found whatever the country was typed as
    for typed in ("uk", " UK ", "gb"):
        assert due_for(date(2023, 10, 2), typed, extended=True, policy=glasgow) == date(2024, 1, 3)
