"""Tables keyed by several columns (`TableSpec.key_columns`): system scans page through them
by the whole key, and redaction in place addresses rows by key tuples, on SQLite and
PostgreSQL."""

from __future__ import annotations

import copy
import json
from collections import Counter
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tests.scanner import desk

from steward.connectors.engines import SystemEngines
from steward.errors import InvalidInput
from steward.policy.models import Policy
from steward.retention.redaction import redact_rule
from steward.scanner import scan
from steward.scanner.inplace import Condition, redact_rows
from steward.scanner.systems import scan_systems
from steward.store.db import make_sessionmaker, transaction

md = sa.MetaData()
# A thread kept as numbered lines per case: the key is (case_ref, line_no), no id column.
lines = sa.Table(
    "case_lines", md,
    sa.Column("case_ref", sa.String(12), primary_key=True),
    sa.Column("line_no", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("text", sa.Text),
)
CPR = "150347-9700"  # generated valid, fictional
# (case_ref, line_no) -> text; what a person finds in each line, written by hand.
ROWS: dict[tuple[str, int], str] = {
    ("A-1", 1): f"Mit CPR-nummer er {CPR}.",
    ("A-1", 2): "Jeg er sygemeldt med lungebetændelse.",
    ("A-1", 3): "Tak for hjælpen.",
    ("A-2", 1): "I was on sick leave with pneumonia.",
    ("A-2", 2): "Thanks, all sorted.",
    ("B-1", 1): "Hej, ordre 20304050 er ikke kommet.",
    ("B-1", 2): f"Kundens CPR {CPR} står i noten.",
    ("B-1", 3): "Jag är sjukskriven, min kollega tar över.",
    ("B-1", 4): "Ingen følsomme oplysninger her.",
    ("B-1", 10): "Line ten sorts after line four, not after line one.",
}
EXPECTED = Counter({"DK_CPR": 2, "ABSENCE": 3, "HEALTH": 2})


def _policy() -> Policy:
    data: dict[str, Any] = copy.deepcopy(desk.POLICY)
    data["systems"][0]["tables"].append({
        "name": "case_lines", "primary_key": ["case_ref", "line_no"], "fields": [
            {"name": "text", "category": "user.health_and_medical", "free_text": True,
             "may_contain": ["user.government_id.national_identification_number"]}]})
    return Policy.model_validate(data)


def _fill(url: str) -> None:
    desk.fill(url)
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        md.drop_all(conn)
        md.create_all(conn)
        conn.execute(lines.insert(), [{"case_ref": c, "line_no": n, "text": t}
                                      for (c, n), t in ROWS.items()])
    engine.dispose()


def _read(url: str) -> dict[tuple[str, int], str]:
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        out = {(r.case_ref, r.line_no): r.text for r in conn.execute(sa.select(lines))}
    engine.dispose()
    return out


@pytest.fixture
def sm(sqlite_engine: Engine) -> sessionmaker[Session]:
    return make_sessionmaker(sqlite_engine)


@pytest.mark.parametrize("batch_size", [1, 3, 500])
def test_scan_pages_by_the_whole_key(desk_url: str, batch_size: int) -> None:
    _fill(desk_url)
    engines = SystemEngines(urls={"support": desk_url})
    try:
        [report] = scan_systems(_policy(), engines, system="support", table="case_lines",
                                batch_size=batch_size)
        [sample] = scan_systems(_policy(), engines, system="support", table="case_lines",
                                batch_size=2, sample=3)
    finally:
        engines.dispose()
    [table] = report.tables
    assert table.rows_scanned == len(ROWS)  # no row read twice, none skipped
    [text] = table.fields
    assert text.values_scanned == len(ROWS) and text.counts == EXPECTED
    # The first three rows in key order: A-1/1..3 hold one CPR, one absence, one health word.
    assert sample.tables[0].rows_scanned == 3
    assert sample.tables[0].fields[0].counts == Counter({"DK_CPR": 1, "ABSENCE": 1,
                                                          "HEALTH": 1})


def test_redact_rows_by_key_tuples(desk_url: str, sm: sessionmaker[Session]) -> None:
    _fill(desk_url)
    policy = _policy()
    engine = sa.create_engine(desk_url)
    chosen = [("A-1", 1), ("B-1", 2), ("A-2", 1), ("B-1", 10)]
    try:
        report = redact_rows(engine, sm, policy.system("support"), "case_lines", ["text"],
                             pks=chosen, batch_size=2)
        after = _read(desk_url)
        again = redact_rows(engine, sm, policy.system("support"), "case_lines", ["text"],
                            pks=chosen, batch_size=2)
    finally:
        engine.dispose()
    assert report.rows_read == 4 and report.rows_changed == 3  # B-1/10 holds nothing
    assert after[("A-1", 1)] == "Mit CPR-nummer er [DK_CPR]."
    assert after[("B-1", 2)] == "Kundens CPR [DK_CPR] står i noten."
    assert after[("A-2", 1)] == "I was on [ABSENCE] with [HEALTH]."
    for key, old in ROWS.items():
        if key not in chosen:
            assert after[key] == old  # rows with another key, even a shared half, untouched
    assert again.rows_changed == 0 and _read(desk_url) == after
    with transaction(sm) as s:
        details = [json.loads(d) for d in s.execute(sa.text(
            "SELECT details FROM audit_events WHERE action = 'scanner.redacted' ORDER BY seq"
        )).scalars()]
    assert [(d["pk_first"], d["pk_last"]) for d in details] == [
        (["A-1", 1], ["A-2", 1]), (["B-1", 2], ["B-1", 10])]  # the batches' key ranges
    assert CPR not in json.dumps(details)


def test_redact_rows_by_condition_pages_through_composite_keys(
    desk_url: str, sm: sessionmaker[Session]
) -> None:
    _fill(desk_url)
    policy = _policy()
    engine = sa.create_engine(desk_url)
    try:
        report = redact_rows(engine, sm, policy.system("support"), "case_lines", ["text"],
                             where=[Condition("line_no", "ge", 1)], batch_size=3)
    finally:
        engine.dispose()
    after = _read(desk_url)
    assert report.rows_read == len(ROWS)
    assert sum(report.counts["text"].values()) == sum(EXPECTED.values())
    assert all(scan(text) == [] for text in after.values())
    assert after[("B-1", 1)] == ROWS[("B-1", 1)] and after[("B-1", 4)] == ROWS[("B-1", 4)]


def test_a_key_of_the_wrong_width_is_a_clear_error(sm: sessionmaker[Session]) -> None:
    engine = sa.create_engine("sqlite://")
    try:
        with pytest.raises(InvalidInput, match="2 column.*case_ref, line_no"):
            redact_rows(engine, sm, _policy().system("support"), "case_lines", ["text"],
                        pks=["A-1"])
    finally:
        engine.dispose()


def test_case_close_rule_on_a_composite_key_table_says_how_instead(
    sm: sessionmaker[Session],
) -> None:
    data: dict[str, Any] = copy.deepcopy(desk.POLICY)
    data["systems"][0]["tables"].append({
        "name": "case_lines", "primary_key": ["case_ref", "line_no"],
        "fields": [{"name": "text", "free_text": True}, {"name": "written_at"}]})
    data["retention_rules"] = [{
        "key": "lines_at_close", "description": "Redact case lines.", "system": "support",
        "table": "case_lines", "trigger": {"field": "case_lines.written_at"}, "period": {},
        "action": "redact", "fields": ["text"]}]
    engines = SystemEngines(urls={"support": "sqlite://"})
    try:
        with pytest.raises(InvalidInput, match="keyed by several columns.*redact_rows"):
            redact_rule(sm, Policy.model_validate(data), "lines_at_close", engines)
    finally:
        engines.dispose()
