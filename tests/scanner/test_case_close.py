"""Seed §2 on the demo: after the case-close rules run, no closed support case keeps health
wording or an identity number in any of its free-text fields (ticket subjects and message
bodies), while open cases keep theirs (GDPR Art. 9(1), Art. 5(1)(e)).

The demo is `steward demo`'s data plus closed and open cases written here with health wording
in their subjects and bodies. What is left is checked with a list of terms written for this
test (not the scanner's vocabulary) and with python-stdnum for identity numbers."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import Engine
from stdnum.dk import cpr
from stdnum.no import fodselsnummer
from stdnum.se import personnummer

from steward.connectors.engines import SystemEngines
from steward.demo import build
from steward.policy.loader import load_policy
from steward.retention.sweep import run_rule
from steward.store.db import make_sessionmaker

ROOT = Path(__file__).resolve().parents[2]
TODAY = dt.date(2026, 11, 26)
NOW = dt.datetime(2026, 11, 26, 12, 0)
CASE_CLOSE_RULES = [r.key for r in load_policy(ROOT / "examples" / "promark").retention_rules
                    if r.system == "support" and r.action.value == "redact"]

# Health and absence terms a reviewer would look for: the demo's own sentences and the cases
# below. Whole words, case-insensitive.
TERMS = [
    "pneumonia", "sick leave", "surgery", "doctor", "HIV", "suicide attempt", "herniated disc",
    "sertraline", "insulin", "depression", "pregnancy", "sygemeldt", "stress", "indlagt",
    "hospitalet", "lungebetændelse", "diskusprolaps", "selvmordsforsøg", "sykmeldt", "legen",
    "lungebetennelse", "sjukskriven", "influensa", "operation", "lunginflammation",
    "keuhkokuume", "sairauslomalla", "cancer", "kræft", "diabetes",
]
# (subject, body) of extra cases: health wording in the subject too.
CASES = [
    ("Invoice while on sick leave with pneumonia",
     "I was off for two weeks with pneumonia, hence the late reply about the invoice."),
    ("Account of my brother (suicide attempt)",
     "My brother is in hospital after a suicide attempt; please pause his account."),
    ("HIV note on my profile", "I am HIV positive and do not want that in your notes."),
    ("Sygemeldt - diskusprolaps", "Jeg har en diskusprolaps og er sygemeldt i en måned."),
    ("Lungebetennelse", "Jeg har hatt lungebetennelse og vært sykmeldt i to uker."),
    ("Sjukskriven", "Jag har lunginflammation och är sjukskriven hela veckan."),
    ("Sairauslomalla", "Olen sairauslomalla keuhkokuumeen takia."),
    ("Depression and sertraline", "I'm on sertraline for depression, my colleague takes over."),
]


def _term_re() -> re.Pattern[str]:
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(t) for t in TERMS) + r")",
                      re.IGNORECASE)


def _ids(text: str) -> list[str]:
    """Valid CPR, fødselsnummer and personnummer numbers in `text`, by python-stdnum."""
    found = []
    for m in re.finditer(r"(?<!\d)(\d{6})-?(\d{4,5})(?!\d)", text):
        digits = m.group(1) + m.group(2)
        if cpr.is_valid(digits) or fodselsnummer.is_valid(digits) or \
                personnummer.is_valid(digits):
            found.append(m.group())
    return found


def _add_cases(url: str) -> tuple[set[int], set[int]]:
    """Each case twice: once closed, once open. Returns (closed ids, open ids)."""
    engine = sa.create_engine(url)
    md = sa.MetaData()
    tickets = sa.Table("tickets", md, autoload_with=engine)
    messages = sa.Table("messages", md, autoload_with=engine)
    with engine.begin() as conn:
        tid = conn.execute(sa.select(sa.func.max(tickets.c.id))).scalar_one()
        mid = conn.execute(sa.select(sa.func.max(messages.c.id))).scalar_one()
        closed, still_open = set(), set()
        for n, (subject, body) in enumerate(CASES * 2):
            tid, mid = tid + 1, mid + 1
            is_closed = n < len(CASES)
            (closed if is_closed else still_open).add(tid)
            conn.execute(tickets.insert().values(
                id=tid, customer_no=None, requester_email=f"case{n}@example.com",
                subject=subject, status="closed" if is_closed else "open",
                opened_at=NOW - dt.timedelta(days=30),
                closed_at=NOW - dt.timedelta(days=2) if is_closed else None,
                processing_restricted=False))
            conn.execute(messages.insert().values(
                id=mid, ticket_id=tid, author="Test Person", body=body,
                sent_at=NOW - dt.timedelta(days=30)))
    engine.dispose()
    return closed, still_open


def _texts(url: str, *, closed: bool) -> dict[str, str]:
    """Every free-text value of closed (or open) cases, by 'table:id'."""
    engine = sa.create_engine(url)
    md = sa.MetaData()
    tickets = sa.Table("tickets", md, autoload_with=engine)
    messages = sa.Table("messages", md, autoload_with=engine)
    cond = tickets.c.closed_at.is_not(None) if closed else tickets.c.closed_at.is_(None)
    with engine.connect() as conn:
        out = {f"tickets:{i}": s or "" for i, s in conn.execute(
            sa.select(tickets.c.id, tickets.c.subject).where(cond))}
        out |= {f"messages:{i}": b or "" for i, b in conn.execute(
            sa.select(messages.c.id, messages.c.body)
            .join_from(messages, tickets, messages.c.ticket_id == tickets.c.id).where(cond))}
    engine.dispose()
    return out


def _leftovers(texts: dict[str, str]) -> dict[str, list[str]]:
    terms = _term_re()
    out = {}
    for where, text in texts.items():
        hits = terms.findall(text) + _ids(text)
        if hits:
            out[where] = hits
    return out


@pytest.mark.filterwarnings("ignore::sqlalchemy.exc.SAWarning")
def test_no_closed_case_keeps_health_wording_after_the_case_close_rules(
    tmp_path: Path, sqlite_engine: Engine
) -> None:
    assert set(CASE_CLOSE_RULES) >= {"support_sensitive_data", "support_sensitive_subjects"}
    loc = build.in_dir(tmp_path / "demo")
    build.build(loc, customers=150, seed=3, today=TODAY)
    url = loc.urls["support"]
    closed_ids, open_ids = _add_cases(url)
    before_closed = _leftovers(_texts(url, closed=True))
    before_open = _texts(url, closed=False)
    # The check can fail: before the rules run, closed cases hold the wording and numbers,
    # in demo messages and in the subjects written above.
    assert any(k.startswith("tickets:") for k in before_closed)
    assert sum(1 for k in before_closed if k.startswith("messages:")) >= 10
    assert any(_ids(t) for t in _texts(url, closed=True).values())

    policy = load_policy(ROOT / "examples" / "promark")
    engines = SystemEngines(urls=loc.urls)
    sm = make_sessionmaker(sqlite_engine)
    try:
        for key in CASE_CLOSE_RULES:
            result = run_rule(sm, policy, key, engines=engines, now=NOW)
            assert result.status == "done", (key, result.reason)
    finally:
        engines.dispose()

    after_closed = _texts(url, closed=True)
    assert _leftovers(after_closed) == {}
    for tid in closed_ids:  # the subjects written above were redacted, not emptied
        subject = after_closed[f"tickets:{tid}"]
        assert "[HEALTH]" in subject or "[ABSENCE]" in subject
    # Open cases are untouched: their health wording waits for the case to close.
    assert _texts(url, closed=False) == before_open
    open_subjects = [before_open[f"tickets:{t}"] for t in open_ids]
    assert all(_term_re().search(s) for s in open_subjects)
