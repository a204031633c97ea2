"""Scanning company systems: exact counts per field on SQLite and PostgreSQL, masked examples,
policy gaps (judged per finding type against the category and `may_contain`), unhandled
fields, skipped values, the stored report, and the demo support desk."""

from __future__ import annotations

import copy
import json
from collections import Counter
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from tests.scanner import desk

from steward.connectors.engines import SystemEngines
from steward.errors import InvalidInput, Unavailable
from steward.policy.loader import load_policy
from steward.policy.models import Policy
from steward.scanner.reports import gap_count, latest, save
from steward.scanner.systems import (
    FieldScan,
    SystemScan,
    TableScan,
    mark_gaps,
    masked_example,
    scan_systems,
)
from steward.scanner.tables import ScanReportRow
from steward.store.db import make_sessionmaker, transaction

ROOT = Path(__file__).resolve().parents[2]


def _fields(scans: list) -> dict[str, object]:
    return {f"{t.table}.{f.field}": f for s in scans for t in s.tables for f in t.fields}


def test_planted_counts_per_field_and_gap(desk_url: str) -> None:
    planted = desk.fill(desk_url)
    engines = SystemEngines(urls={"support": desk_url})
    try:
        scans = scan_systems(desk.policy(), engines, system="support")
    finally:
        engines.dispose()
    fields = _fields(scans)
    body, note = fields["messages.body"], fields["messages.internal_note"]
    assert body.counts == planted.counts["body"]
    assert note.counts == planted.counts["internal_note"]
    assert fields["tickets.subject"].counts == Counter()
    assert fields["tickets.requester_email"].counts == Counter({"EMAIL": 6})
    assert scans[0].tables[1].rows_scanned == 18 and body.values_scanned == 18
    assert note.values_scanned == 6  # NULL notes are not values
    # body is annotated as a special category: no gap; the un-annotated note is one.
    assert not body.gap and note.gap
    assert [f"{f.table}.{f.field}" for f in scans[0].gaps] == ["messages.internal_note"]
    assert "user.government_id.national_identification_number" in note.suggestion
    assert "DK_CPR ×6" in note.suggestion
    # Masked examples only: never a planted number in the report.
    dumped = json.dumps([s.to_dict() for s in scans])
    assert not [c for c in planted.cprs if c in dumped or c.replace("-", "") in dumped]
    assert all("*" in e for e in body.examples["DK_CPR"])


def test_batches_and_sample_give_the_same_counts(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    planted = desk.fill(url, tickets_n=9)
    engines = SystemEngines(urls={"support": url})
    try:
        small = _fields(scan_systems(desk.policy(), engines, system="support", batch_size=2))
        sample = scan_systems(desk.policy(), engines, system="support", table="messages",
                              sample=4, batch_size=3)
    finally:
        engines.dispose()
    assert small["messages.body"].counts == planted.counts["body"]
    assert small["messages.internal_note"].counts == planted.counts["internal_note"]
    assert [t.table for t in sample[0].tables] == ["messages"]
    assert sample[0].tables[0].rows_scanned == 4 and sample[0].sample == 4
    # Messages 1..4: two CPR lines (1, 4), one sick note (2): the first four by primary key.
    assert _fields(sample)["messages.body"].counts == Counter({"DK_CPR": 2, "ABSENCE": 1})


def test_binary_and_huge_values_are_skipped_and_counted(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    planted = desk.fill(url)
    eng = sa.create_engine(url)
    with eng.begin() as conn:
        conn.execute(desk.messages.insert(), [
            {"id": 100, "ticket_id": 1, "body": "pdf\x00\x01binary"},
            {"id": 101, "ticket_id": 1, "body": b"\xff\xfe\x00 not utf-8"},
            {"id": 102, "ticket_id": 1, "body": "x" * 1_000_001},
        ])
    eng.dispose()
    engines = SystemEngines(urls={"support": url})
    try:
        body = _fields(scan_systems(desk.policy(), engines, system="support"))["messages.body"]
    finally:
        engines.dispose()
    assert body.skipped == Counter({"binary": 2, "too_large": 1})
    assert body.counts == planted.counts["body"] and body.values_scanned == 18


def test_masked_example_keeps_shape_not_value() -> None:
    assert masked_example("0101901234", "DK_CPR") == "0101******"
    assert masked_example("010190-1234", "DK_CPR") == "0101**-****"
    assert masked_example("ill", "HEALTH") == "***"


def test_errors_are_clear(tmp_path: Path) -> None:
    engines = SystemEngines(urls={"support": f"sqlite:///{tmp_path / 'missing.db'}"})
    pol = desk.policy()
    try:
        with pytest.raises(Unavailable, match="support"):
            scan_systems(pol, engines, system="support")
        assert scan_systems(pol, engines)[0].error is not None  # all systems: recorded
        with pytest.raises(InvalidInput, match="no table 'nope'"):
            scan_systems(pol, engines, system="support", table="nope")
        with pytest.raises(InvalidInput, match="--table needs --system"):
            scan_systems(pol, engines, table="messages")
    finally:
        engines.dispose()
    empty = f"sqlite:///{tmp_path / 'empty.db'}"
    sa.create_engine(empty).connect().close()
    engines = SystemEngines(urls={"support": empty})
    try:
        with pytest.raises(InvalidInput, match="has no table 'tickets'"):
            scan_systems(pol, engines, system="support")
    finally:
        engines.dispose()


def test_stored_report_holds_counts_not_data(tmp_path: Path, sqlite_engine: Engine) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    planted = desk.fill(url)
    engines = SystemEngines(urls={"support": url})
    try:
        scans = scan_systems(desk.policy(), engines, system="support")
        again = scan_systems(desk.policy(), engines, system="support", table="messages")
    finally:
        engines.dispose()
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        assert save(s, scans, actor="test") == 6  # 3 text fields a table
    with transaction(sm) as s:
        save(s, again, actor="test")  # replaces the messages rows, keeps the tickets rows
    with transaction(sm) as s:
        rows = latest(s)
        assert len(rows) == 6 and gap_count(s) == 1
        assert rows[0].row.gap and rows[0].row.field == "internal_note"  # gaps first
        by_field = {r.row.field: r for r in rows}
        assert by_field["body"].counts == dict(planted.counts["body"])
        stored = json.dumps([[getattr(r.row, c.name) for c in ScanReportRow.__table__.c]
                             for r in rows], default=str)
        events = s.execute(sa.text("SELECT details FROM audit_events WHERE action = "
                                   "'scanner.scanned'")).scalars().all()
    assert len(events) == 2
    for text in (stored, *events):
        assert not [c for c in planted.cprs if c in text or c.replace("-", "") in text]
        assert "sygemeldt" not in text and "*" not in text


def test_demo_support_desk_counts_match_a_scan_of_its_rows(tmp_path: Path) -> None:
    """Done-when: the demo's planted CPR numbers and sick-leave notes, as labelled by hand per
    rows finds them (the demo does not expose its own tally)."""
    from steward.demo.build import build, in_dir
    from steward.demo.people import ID_SENTENCE, SENSITIVE

    demo = tmp_path / "demo"
    build(in_dir(demo), customers=60, seed=3, today=date(2026, 11, 26))
    policy = load_policy(ROOT / "examples" / "promark")
    engines = SystemEngines(base_dir=demo)
    try:
        scans = scan_systems(policy, engines, system="support")
    finally:
        engines.dispose()
    body = _fields(scans)["messages.body"]
    eng = sa.create_engine(f"sqlite:///{demo / 'support.db'}")
    with eng.connect() as conn:
        texts = conn.execute(sa.text("SELECT body FROM messages")).scalars().all()
    eng.dispose()
    # Expected findings labelled by hand per sentence the demo plants (not by `scan()`): the
    # identity-number sentence names its number's type, each sick note its words.
    id_type = {"da": "DK_CPR", "en": "DK_CPR", "no": "NO_FNR", "sv": "SE_PNR"}
    notes = {
        "I was on sick leave last week": {"ABSENCE": 1, "HEALTH": 1},  # sick leave, pneumonia
        "My doctor says I need surgery": {"HEALTH": 2},  # doctor, surgery
        "Jeg har været sygemeldt med stress": {"ABSENCE": 1, "HEALTH": 1},
        "Jeg er indlagt på hospitalet": {"HEALTH": 2},  # admitted, hospital
        "Jeg har vært sykmeldt på grunn av ryggen": {"ABSENCE": 1},
        "Legen har sykmeldt meg": {"ABSENCE": 1, "HEALTH": 1},  # sick-listed, doctor
        "Jag har varit sjukskriven med influensa": {"ABSENCE": 1, "HEALTH": 1},
        "Jag är sjukskriven efter en operation": {"ABSENCE": 1, "HEALTH": 1},
    }
    # Every sick note the demo can plant has its hand-written label above.
    assert {n for ss in SENSITIVE.values() for n in ss} == {
        n for ss in SENSITIVE.values() for n in ss if any(n.startswith(k) for k in notes)}
    expected: Counter[str] = Counter()
    for t in texts:
        for lang, sentence in ID_SENTENCE.items():
            if t and sentence.split("{id}")[0] in t:
                expected[id_type[lang]] += 1
        for start, labels in notes.items():
            if t and start in t:
                expected.update(labels)
    assert body.counts == expected
    assert expected["DK_CPR"] >= 1 and expected["ABSENCE"] + expected["HEALTH"] >= 1
    # The example policy files the messages as customer-care correspondence that may contain
    # CPR numbers, absence reasons and health data, redacted at case close by a retention
    # rule: expected and handled, so neither a gap nor unhandled.
    assert body.may_contain == ["user.government_id.national_identification_number",
                                "user.health_and_medical.absence_reason",
                                "user.health_and_medical"]
    assert not body.gap and body.suggestion is None and body.unhandled is None
    # Without the annotation the same findings are a gap again.
    again = SystemScan("support", tables=[TableScan("support", "messages", fields=[
        FieldScan("support", "messages", "body", body.category, True, counts=body.counts)])])
    mark_gaps(policy, again)
    assert again.gaps and "user.health_and_medical" in again.gaps[0].suggestion


# --- the gap rule per finding type, and unhandled fields (no database needed) ---------------

CPR_KEY = "user.government_id.national_identification_number"
HEALTH_KEY = "user.health_and_medical"


def _policy(body: dict[str, object], rules: list[dict[str, object]] | None = None) -> Policy:
    """The desk policy with `messages.body` declared as `body` and the given retention rules
    (default: the desk's redact rule on body and internal_note)."""
    data = copy.deepcopy(desk.POLICY)
    fields = data["systems"][0]["tables"][1]["fields"]
    fields[1] = {"name": "body", "free_text": True, **body}
    if rules is not None:
        data["retention_rules"] = rules
    return Policy.model_validate(data)


def _judge(policy: Policy, counts: dict[str, int]) -> FieldScan:
    spec = policy.system("support").tables[1].fields[1]
    report = FieldScan("support", "messages", "body", spec.category, True,
                       list(spec.may_contain), counts=Counter(counts))
    mark_gaps(policy, SystemScan("support", tables=[TableScan("support", "messages",
                                                              fields=[report])]))
    return report


def test_a_special_category_does_not_cover_national_ids() -> None:
    # Health (Art. 9(1)) covers the absence wording, not the CPR numbers (§ 11): a gap for
    # DK_CPR only, and the suggestion names the policy's national-id category.
    report = _judge(_policy({"category": HEALTH_KEY}), {"DK_CPR": 2, "ABSENCE": 3})
    assert report.gap
    assert "DK_CPR ×2" in report.suggestion and "ABSENCE" not in report.suggestion
    assert CPR_KEY in report.suggestion and "may_contain" in report.suggestion
    assert "no retention rule" not in report.suggestion  # the desk's rule redacts body
    assert report.warnings == [{"kind": "gap", "message": report.suggestion}]


def test_may_contain_covers_what_the_company_expects() -> None:
    both = _policy({"category": "user.content.private", "may_contain": [CPR_KEY, HEALTH_KEY]})
    report = _judge(both, {"DK_CPR": 2, "ABSENCE": 1, "HEALTH": 1, "EMAIL": 4})
    assert not report.gap and report.suggestion is None and report.warnings == []
    # Only the national id is expected: the health wording is still a gap.
    ids_only = _policy({"category": "user.content.private", "may_contain": [CPR_KEY]})
    report = _judge(ids_only, {"DK_CPR": 2, "HEALTH": 1})
    assert report.gap and "HEALTH ×1" in report.suggestion and "DK_CPR" not in report.suggestion
    # Contact data is never gap material.
    assert not _judge(_policy({"category": "user.content.private"}), {"EMAIL": 3}).gap


def test_unhandled_when_no_rule_removes_expected_sensitive_data() -> None:
    body = {"category": "user.content.private", "may_contain": [CPR_KEY, HEALTH_KEY]}
    redact_other = [{**desk.POLICY["retention_rules"][0], "fields": ["internal_note"]}]
    report = _judge(_policy(body, rules=redact_other), {})
    # No findings at all, yet the policy admits the data is there and nothing removes it.
    assert not report.gap and report.unhandled is not None
    assert CPR_KEY in report.unhandled and HEALTH_KEY in report.unhandled
    assert report.warnings == [{"kind": "unhandled", "message": report.unhandled}]
    # With findings that may_contain covers: no gap, still unhandled; the kinds stay apart.
    found = _judge(_policy(body, rules=redact_other), {"DK_CPR": 1})
    assert [w["kind"] for w in found.warnings] == ["unhandled"]
    # A redact rule on the field handles it; so does deleting the ticket it belongs to.
    assert _judge(_policy(body), {}).unhandled is None
    delete_tickets = [{"key": "closed_tickets", "description": "Deleted a year after close",
                       "system": "support", "table": "tickets",
                       "trigger": {"field": "tickets.closed_at"}, "period": {"years": 1}}]
    assert _judge(_policy(body, rules=delete_tickets), {}).unhandled is None
    # A field that may only hold ordinary data is not flagged.
    plain = {"category": "user.content.private", "may_contain": ["user.contact.email"]}
    assert _judge(_policy(plain, rules=[]), {}).unhandled is None


def test_unhandled_fields_show_in_a_real_scan(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    desk.fill(url)
    body = {"category": HEALTH_KEY, "may_contain": [CPR_KEY]}
    engines = SystemEngines(urls={"support": url})
    try:
        [scan_] = scan_systems(_policy(body, rules=[]), engines, system="support")
    finally:
        engines.dispose()
    assert [f"{f.table}.{f.field}" for f in scan_.unhandled] == ["messages.body"]
    assert [f"{f.table}.{f.field}" for f in scan_.gaps] == ["messages.internal_note"]
    dumped = scan_.to_dict()["tables"][1]["fields"][1]
    assert dumped["may_contain"] == [CPR_KEY]
    assert [w["kind"] for w in dumped["warnings"]] == ["unhandled"]
