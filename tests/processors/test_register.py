"""The processor register: the policy's processors with recorded changes, DPA alerts, the link
to the Art. 30 activities, and the Art. 30(2) export."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.breaches.factories import promark

from steward import audit
from steward.errors import InvalidInput, NotFound
from steward.processors.alerts import dpa_alerts
from steward.processors.inputs import ChangeInput
from steward.processors.record import export_processor_record, processor_record
from steward.processors.register import changes, record_change, register
from steward.store.db import transaction

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
TODAY = NOW.date()


def test_register_from_policy_links_activities(sm: sessionmaker[Session]) -> None:
    with transaction(sm) as s:
        entries = {e.ref: e for e in register(s, promark())}
    assert {"nordhost", "nordhost/nordhost_backup", "mailwise", "mailwise/cloudsend",
            "ledgerly"} <= set(entries)
    nh = entries["nordhost"]
    assert nh.dpa_reference == "DPA-NH-2019-07" and nh.dpa_review_due == date(2027, 3, 31)
    # activities listing the processor as a recipient (Art. 30(1)(d)); sub-processors inherit
    listing = [a.key for a in promark().processing_activities
               if any(r.processor == "nordhost" for r in a.recipients)]
    assert nh.activities == tuple(listing) and listing
    assert entries["nordhost/nordhost_backup"].activities == nh.activities


def test_dpa_alerts_for_overdue_review_and_missing_dpa(sm: sessionmaker[Session]) -> None:
    policy = promark()
    with transaction(sm) as s:
        alerts = dpa_alerts(register(s, policy), TODAY)
    overdue = [a for a in alerts if a.ref == "mailwise"]
    assert overdue and overdue[0].level == "bad"
    assert "overdue since 2026-06-30" in overdue[0].message
    assert not [a for a in alerts if a.ref == "nordhost"]  # review due 2027-03-31
    # a new sub-processor without a DPA and outside the EEA without a safeguard
    with transaction(sm) as s:
        record_change(s, policy, ChangeInput(
            processor_key="mailwise", sub_processor_key="fastmail_relay", kind="added",
            effective=date(2026, 11, 20), name="Relay Corp (relay.example)",
            service="Bounce handling", country="US"), actor="officer", now=NOW)
        alerts = dpa_alerts(register(s, policy), TODAY)
    mine = [a.message for a in alerts if a.ref == "mailwise/fastmail_relay"]
    assert any("No signed data processing agreement" in m for m in mine)
    assert any("outside the EU/EEA" in m for m in mine)
    # renewing the DPA clears the overdue alert
    with transaction(sm) as s:
        record_change(s, policy, ChangeInput(
            processor_key="mailwise", kind="dpa", effective=date(2026, 11, 25),
            dpa_signed=date(2026, 11, 25), dpa_review_due=date(2028, 11, 25),
            dpa_reference="DPA-MW-2026-02"), actor="officer", now=NOW)
        alerts = dpa_alerts(register(s, policy), TODAY)
    assert not [a for a in alerts if a.ref == "mailwise"]


def test_sub_processor_change_is_dated_audited_and_in_art_30_2(
    sm: sessionmaker[Session],
) -> None:
    policy = promark()
    with transaction(sm) as s:
        before = processor_record(s, policy)[0]["sub_processors"]
        row = record_change(s, policy, ChangeInput(
            processor_key="nordhost", kind="added", effective=date(2026, 11, 1),
            sub_processor_key="coldstore", name="ColdStore AB (coldstore.example)",
            service="Archive storage", country="SE", dpa_signed=date(2026, 10, 30),
            note="Announced to customers 2026-09-30 (Art. 28(2))"), actor="officer", now=NOW)
        ev = audit.events_for(s, "processor:nordhost/coldstore")
        assert [e.action for e in ev] == ["processor.changed"]
        assert changes(s, "nordhost")[0].effective == date(2026, 11, 1)
        entries = {e.ref: e for e in register(s, policy)}
        assert entries["nordhost/coldstore"].source == "register"
        assert entries["nordhost/coldstore"].added == date(2026, 11, 1)
        assert row.id
        record_change(s, policy, ChangeInput(
            processor_key="nordhost", sub_processor_key="nordhost_backup", kind="removed",
            effective=date(2026, 11, 15)), actor="officer", now=NOW)
        assert not {e.ref: e for e in register(s, policy)}["nordhost/nordhost_backup"].active
        # Art. 30(2): the role's sub-processor nordhost is listed; the policy stays the source
        data, media, name = export_processor_record(s, policy, "json")
        rows = json.loads(data)
        assert rows[0]["role"] == "workforce_management" and "NordHost" in rows[0]["sub_processors"]
        assert media == "application/json" and name.endswith(".json")
        assert before == rows[0]["sub_processors"]
        csv_bytes, media, _ = export_processor_record(s, policy, "csv")
    parsed = list(csv.reader(io.StringIO(csv_bytes.decode("utf-8-sig"))))
    assert parsed[0][1] == "(a) Processor, name and contact details"
    # Art. 30(2)(a): each controller served, from the policy's processor_roles
    assert [r[2] for r in parsed[1:]] == ["Nordlys Logistik A/S (DK)", "Fjordvik Helse AS (NO)",
                                          "Skärgårds Bemanning AB (SE)"]
    assert parsed[1][3] == ("Data protection contact, privacy@nordlys-logistik.example, "
                            "+45 7010 2030")
    assert "two-factor" in parsed[1][-1]  # (d) security measures


def test_bad_changes(sm: sessionmaker[Session]) -> None:
    policy = promark()
    cases = [
        (dict(processor_key="nordhost", kind="added", effective=TODAY, name="x", service="y",
              country="DK"), InvalidInput, "already in the register"),
        (dict(processor_key="nosuch", kind="dpa", effective=TODAY, dpa_reference="r"),
         NotFound, "no processor"),
        (dict(processor_key="mailwise", kind="dpa", effective=TODAY,
              dpa_signed=date(2027, 1, 1)), InvalidInput, "future"),
        (dict(processor_key="mailwise", kind="dpa", effective=TODAY,
              dpa_signed=date(2026, 1, 1), dpa_review_due=date(2025, 1, 1)), InvalidInput,
         "before the DPA was signed"),
        (dict(processor_key="mailwise", kind="updated", effective=TODAY, country="Ireland"),
         InvalidInput, "two-letter"),
        (dict(processor_key="new", kind="added", effective=TODAY, name="N"), InvalidInput,
         "name, service and country"),
        (dict(processor_key="Bad Key", kind="added", effective=TODAY, name="N", service="s",
              country="DK"), InvalidInput, "may hold only"),
    ]
    for data, exc, message in cases:
        with pytest.raises(exc, match=message), transaction(sm) as s:
            record_change(s, policy, ChangeInput(**data), actor="officer", now=NOW)
    with transaction(sm) as s:
        assert changes(s) == []
