"""Redaction in place: the case-close rule on SQLite and PostgreSQL (closed tickets' messages
redacted, open ones untouched, a rerun changes nothing, audit events without personal data),
rows by key or condition, legal holds, a failing batch, and the value-level guarantees."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tests.scanner import desk

from steward import audit
from steward.connectors.engines import SystemEngines
from steward.errors import InvalidInput
from steward.retention.holds import add_hold
from steward.retention.redaction import redact_rule
from steward.scanner import scan, scan_and_redact
from steward.scanner.inplace import Condition, Options, redact_rows, redact_value
from steward.store.db import make_sessionmaker, transaction


@pytest.fixture
def sm(sqlite_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(sqlite_engine)


def _events(sm: sessionmaker[Session], action: str = "scanner.redacted") -> list[dict]:
    with transaction(sm) as s:
        rows = s.execute(sa.text("SELECT details FROM audit_events WHERE action = :a "
                                 "ORDER BY seq"), {"a": action}).scalars().all()
    return [json.loads(r) for r in rows]


def _no_planted_values(planted: desk.Desk, text: str) -> None:
    leaked = [c for c in planted.cprs if c in text or c.replace("-", "") in text]
    assert not leaked and "sygemeldt" not in text and "sick leave" not in text


def test_case_close_rule_redacts_closed_tickets_only(desk_url: str, sm) -> None:
    planted = desk.fill(desk_url)
    engines = SystemEngines(urls={"support": desk_url})
    try:
        report = redact_rule(sm, desk.policy(), "support_sensitive_data", engines, batch_size=4)
        after = desk.read_messages(desk_url)
        again = redact_rule(sm, desk.policy(), "support_sensitive_data", engines, batch_size=4)
    finally:
        engines.dispose()
    assert report.counts == planted.closed_counts
    assert report.rows_read == 9  # three messages on each of the three closed tickets
    changed = [i for i, r in planted.rows.items() if r["ticket_id"] in planted.closed
               and (r["body"] != desk.REPLY or r["internal_note"])]
    assert report.rows_changed == len(changed)
    for mid, old in planted.rows.items():
        new = after[mid]
        if old["ticket_id"] not in planted.closed:
            assert new == old  # open cases untouched
            continue
        for f in ("body", "internal_note"):
            assert new[f] is None or scan(new[f]) == []
        if old["body"].startswith("Mit CPR"):
            assert new["body"].startswith("Mit CPR-nummer er [DK_CPR],")
            assert desk.KEPT in new["body"]  # the rest stays readable
        if old["body"] == desk.SICK_DA:
            assert new["body"] == "Jeg har været [ABSENCE] i to uger, derfor svarer jeg først nu."
        if old["internal_note"]:
            assert new["internal_note"] == "Kunden oplyste CPR [DK_CPR] i telefonen."
    # A second run finds nothing left and changes nothing.
    assert again.rows_changed == 0 and again.batches == 0 and again.rows_read == 9
    assert desk.read_messages(desk_url) == after
    events = _events(sm)
    assert len(events) == report.batches >= 2  # one event per batch that changed rows
    total: dict[str, Counter[str]] = {"body": Counter(), "internal_note": Counter()}
    for e in events:
        assert e["system"] == "support" and e["table"] == "messages"
        assert e["rule"] == "support_sensitive_data" and e["pk_first"] <= e["pk_last"]
        for f, c in e["fields"].items():
            total[f].update(c)
    assert total == planted.closed_counts
    _no_planted_values(planted, json.dumps(events))
    with transaction(sm) as s:
        assert audit.verify(s).ok


def test_rows_by_key_and_by_condition(tmp_path: Path, sm) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    planted = desk.fill(url)
    pol = desk.policy()
    system = pol.system("support")
    engine = sa.create_engine(url)
    try:
        by_key = redact_rows(engine, sm, system, "messages", ["body"], pks=[1, 2, 999],
                             batch_size=1)
        assert by_key.rows_changed == 2 and by_key.counts["body"] == {"DK_CPR": 1,
                                                                         "ABSENCE": 1}
        after = desk.read_messages(url)
        assert after[1]["internal_note"] == planted.rows[1]["internal_note"]  # not asked for
        assert all(after[i] == planted.rows[i] for i in range(3, 19))
        # Conditions on a referenced parent table, joined along messages.ticket_id.
        open_only = redact_rows(engine, sm, system, "messages", ["body", "internal_note"],
                                where=[Condition("tickets.status", "eq", "open")])
        after = desk.read_messages(url)
        for mid, old in planted.rows.items():
            if old["ticket_id"] in planted.closed and mid > 2:
                assert after[mid] == old
            elif old["ticket_id"] not in planted.closed:
                assert scan(after[mid]["body"]) == []
        assert open_only.rows_read == 9
        with pytest.raises(InvalidInput, match="not a declared column"):
            redact_rows(engine, sm, system, "messages", ["body"],
                        where=[Condition("tickets.secret", "eq", "x")])
        with pytest.raises(InvalidInput, match="cannot redact ticket_id"):
            redact_rows(engine, sm, system, "messages", ["ticket_id"], pks=[1])
        with pytest.raises(InvalidInput, match="which rows"):
            redact_rows(engine, sm, system, "messages", ["body"])
        with pytest.raises(InvalidInput, match="unknown redaction operator"):
            redact_rows(engine, sm, system, "messages", ["body"], pks=[1], operator="shred")
    finally:
        engine.dispose()


def test_legal_hold_keeps_a_closed_case(tmp_path: Path, sm) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    planted = desk.fill(url)
    pol = desk.policy()
    with transaction(sm) as s:
        add_hold(s, actor="test", reason="Claim 2026-7 (Art. 17(3)(e))", policy=pol,
                 system="support", table="tickets", pk="1")
    engines = SystemEngines(urls={"support": url})
    try:
        report = redact_rule(sm, pol, "support_sensitive_data", engines)
    finally:
        engines.dispose()
    after = desk.read_messages(url)
    assert report.held == 3
    assert [after[i] for i in (1, 2, 3)] == [planted.rows[i] for i in (1, 2, 3)]
    assert scan(after[7]["body"]) == []  # ticket 3, closed and not held


def test_a_failing_batch_leaves_rows_old_and_is_audited(desk_url: str, sm) -> None:
    """SQLite refuses the UPDATE of message 8 at once (before the batch's audit event);
    PostgreSQL refuses it at COMMIT (a deferred constraint trigger), after the event was
    written: a `scanner.redaction_failed` event then names the same batch."""
    planted = desk.fill(desk_url)
    engine = sa.create_engine(desk_url)
    pg = engine.dialect.name == "postgresql"
    with engine.begin() as conn:
        if pg:
            conn.execute(sa.text(
                "CREATE FUNCTION refuse() RETURNS trigger AS $$ BEGIN IF NEW.id = 8 THEN "
                "RAISE EXCEPTION 'refused'; END IF; RETURN NEW; END $$ LANGUAGE plpgsql"))
            conn.execute(sa.text(
                "CREATE CONSTRAINT TRIGGER refuse AFTER UPDATE ON messages DEFERRABLE "
                "INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION refuse()"))
        else:
            conn.execute(sa.text("CREATE TRIGGER refuse BEFORE UPDATE ON messages WHEN "
                                 "NEW.id = 8 BEGIN SELECT RAISE(ABORT, 'refused'); END"))
    engines = SystemEngines(urls={"support": desk_url})
    try:
        with pytest.raises(sa.exc.DBAPIError):
            redact_rule(sm, desk.policy(), "support_sensitive_data", engines, batch_size=3)
        mid = desk.read_messages(desk_url)
        assert scan(mid[1]["body"]) == []  # batch 1 (ticket 1) committed
        assert all(mid[i] == planted.rows[i] for i in (7, 8, 9))  # batch 2 rolled back whole
        ranges = [(e["pk_first"], e["pk_last"]) for e in _events(sm)]
        failed = [(e["pk_first"], e["pk_last"]) for e in
                  _events(sm, "scanner.redaction_failed")]
        assert (ranges, failed) == (([(1, 3), (7, 9)], [(7, 9)]) if pg else ([(1, 3)], []))
        with engine.begin() as conn:
            conn.execute(sa.text("DROP TRIGGER refuse" + (" ON messages" if pg else "")))
        redact_rule(sm, desk.policy(), "support_sensitive_data", engines, batch_size=3)
    finally:
        engines.dispose()
        engine.dispose()
    assert scan(desk.read_messages(desk_url)[8]["body"]) == []


@pytest.mark.parametrize("operator", ["tag", "mask", "hash", "pseudonym"])
def test_redacted_text_scans_clean_for_every_operator(operator: str) -> None:
    text = ("Mit CPR-nummer er 010190-1234. Jeg har været sygemeldt, I was on sick leave and "
            "had surgery. Mail ada@example.com.")
    once, counts, skipped = redact_value(text, Options(operator, key=b"k" * 16))
    assert skipped is None and counts["DK_CPR"] == 1 and counts["ABSENCE"] == 2
    assert scan(once) == []  # the tags themselves are not findings: a rerun changes nothing
    assert redact_value(once, Options(operator, key=b"k" * 16))[0] is once


def test_value_guarantees() -> None:
    opts = Options()
    assert redact_value(None, opts) == (None, Counter(), None)
    assert redact_value(42, opts)[2] == "not_text"
    assert redact_value("a\x00b", opts)[2] == "binary"
    # A tag longer than the column allows falls back to the length-keeping mask.
    new, _, _ = redact_value("CPR 0101901234", Options("hash", key=b"k" * 16), max_length=14)
    assert new == "CPR **********"
    assert scan_and_redact("CPR 0101901234", "tag").text == "CPR [DK_CPR]"
