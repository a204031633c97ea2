"""Importing consents given before Steward: a hand-written file with good and bad rows, on
SQLite and PostgreSQL; the ledger's chain stays intact and a second import adds nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select
from tests.consent.conftest import SECRET

from steward.consent import imports, ledger, proof, state
from steward.consent.checks import filter_rows
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.consent.tables import ConsentEvent
from steward.store.db import as_utc, transaction

NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)

# Line numbers as a spreadsheet shows them: the header is line 1.
FILE = """\
identity,purpose,given_at,source,evidence,withdrawn_at
ann.berg@example.com,newsletter,2017-03-14,newsletter tool,double opt-in confirmed on 2017-03-14,
Bo.Lund@Example.com,newsletter,2019-05-01T08:30:00+02:00,newsletter tool,,2021-01-10
not-an-address,newsletter,2018-01-01,newsletter tool,signed up at a fair,
cy.holm@example.com,fax_marketing,2018-01-01,newsletter tool,web form,
dee.frost@example.com,newsletter,2018-13-45,newsletter tool,web form,
eva.moss@example.com,newsletter,2027-01-01,newsletter tool,web form,
finn.ask@example.com,post_marketing,2018-01-01,crm,paper form,
gus.dahl@example.com,newsletter,2020-01-01,newsletter tool,web form,2019-01-01
ann.berg@example.com,e_marketing,2018-06-01,crm,ticked box on the order form,
hal.ek@example.com,newsletter,2018-01-01,,web form,
ida.sol@example.com,newsletter,2018-02-02,newsletter tool,web form,
jo.vik@example.com,cookie.statistics,2018-02-02,website,banner,
kai.lie@example.com,newsletter,2018-02-02,newsletter tool,web form,2018-03-03,extra
"""
REFUSED = {  # line -> a word the reason must contain
    4: "identity",
    5: "unknown purpose",
    6: "not a date",
    7: "future",
    8: "Art. 6(1)(f)",
    9: "before given_at",
    11: "source",
    12: "later decision",
    13: "cookie",
    14: "more cells",
}


def _count(s) -> int:
    return int(s.scalar(select(func.count()).select_from(ConsentEvent)))


def test_good_rows_recorded_bad_rows_listed_and_reimport_adds_nothing(sm, policy):
    newsletter = resolve(policy, "newsletter")
    ida = email_ref(SECRET, "ida.sol@example.com")
    with transaction(sm) as s:  # Ida withdrew in Steward in 2025: an old list must not undo it
        ledger.record(
            s,
            policy,
            subject_ref=ida,
            purpose=newsletter,
            action="withdrawn",
            method="preference_center",
            recorded_by="subject",
            at=datetime(2025, 4, 1, tzinfo=UTC),
        )
    with transaction(sm) as s:
        report = imports.import_csv(s, policy, SECRET, FILE.encode(), recorded_by="test", at=NOW)
    assert (report.imported, report.already, report.events) == (3, 0, 4)
    assert [r.line for r in report.refused] == sorted(REFUSED)
    for r in report.refused:
        assert REFUSED[r.line].lower() in r.reason.lower(), (r.line, r.reason)

    ann = email_ref(SECRET, "ann.berg@example.com")
    bo = email_ref(SECRET, "bo.lund@example.com")
    with transaction(sm) as s:
        assert _count(s) == 5  # Ida's own decision and the four imported events
        assert ledger.verify(s).ok
        ann_now = state.get(s, ann, "newsletter")
        assert ann_now is not None and ann_now.state == "given"
        assert as_utc(ann_now.updated_at) == datetime(2017, 3, 14, tzinfo=UTC)
        (given,) = state.history(s, ann, "newsletter")
        assert (given.method, given.source_page, given.evidence_ref) == (
            "import",
            "newsletter tool",
            "double opt-in confirmed on 2017-03-14",
        )
        bo_events = state.history(s, bo, "newsletter")
        assert [(e.action, as_utc(e.at)) for e in bo_events] == [
            ("given", datetime(2019, 5, 1, 6, 30, tzinfo=UTC)),
            ("withdrawn", datetime(2021, 1, 10, tzinfo=UTC)),
        ]
        # An empty evidence cell says where it came from and when it was imported.
        assert bo_events[0].evidence_ref == "imported from newsletter tool on 2026-12-06"
        ida_events = state.history(s, ida)
        assert [e.action for e in ida_events] == ["withdrawn"]  # untouched
        assert state.history(s, email_ref(SECRET, "gus.dahl@example.com")) == []

        doc = proof.export(s, policy, ann)
        assert [r["collection_method"] for r in doc["consent_records"]] == ["import", "import"]
        assert doc["consent_records"][0]["source"]["page"] == "newsletter tool"
        assert doc["hash_chain"]["all_events_verified"]

        rows = [
            {"email": e}
            for e in (
                "ann.berg@example.com",
                "bo.lund@example.com",
                "ida.sol@example.com",
                "zed.nobody@example.com",
            )
        ]
        kept = [
            row["email"]
            for row, res in filter_rows(s, policy, SECRET, rows, "newsletter")
            if res is not None and res.allowed
        ]
        assert kept == ["ann.berg@example.com"]

    with transaction(sm) as s:  # the same file again: nothing new
        again = imports.import_csv(s, policy, SECRET, FILE.encode(), recorded_by="test", at=NOW)
    assert (again.imported, again.already, again.events) == (0, 3, 0)
    assert [r.line for r in again.refused] == sorted(REFUSED)
    with transaction(sm) as s:
        assert _count(s) == 5 and ledger.verify(s).ok


def test_a_refused_row_leaves_nothing_and_the_others_go_in(sqlite_engine, policy):
    """A row with a given and a withdrawn date that is refused writes neither event, and the
    rows around it are recorded."""
    from steward.store.db import make_sessionmaker

    sm = make_sessionmaker(sqlite_engine)
    rows = [
        {
            "identity": "lia.strand@example.com",
            "purpose": "newsletter",
            "given_at": "2018-01-01",
            "source": "newsletter tool",
            "evidence": "web form",
            "withdrawn_at": "",
        },
        # Longer evidence than the ledger keeps is refused, not cut: the whole row goes.
        {
            "identity": "max.berg@example.com",
            "purpose": "newsletter",
            "given_at": "2018-01-01",
            "source": "newsletter tool",
            "evidence": "x" * 601,
            "withdrawn_at": "2018-02-01",
        },
        {
            "identity": "nor.falk@example.com",
            "purpose": "newsletter",
            "given_at": "2018-01-01",
            "source": "newsletter tool",
            "evidence": "web form",
            "withdrawn_at": "",
        },
    ]
    with transaction(sm) as s:
        report = imports.import_rows(s, policy, SECRET, rows, recorded_by="test", at=NOW)
    assert report.imported == 2 and [r.line for r in report.refused] == [3]
    assert "600" in report.refused[0].reason
    with transaction(sm) as s:
        assert state.history(s, email_ref(SECRET, "max.berg@example.com")) == []
        assert _count(s) == 2 and ledger.verify(s).ok


def test_a_file_with_a_bad_header_is_refused_whole(sqlite_engine, policy):
    from steward.errors import InvalidInput
    from steward.store.db import make_sessionmaker

    sm = make_sessionmaker(sqlite_engine)
    for data, words in [
        (b"email,purpose,given_at,source,evidence\n", "identity"),
        (b"identity,purpose,given_at,source,evidence,colour\n", "colour"),
        (b"", "empty"),
        ("identity,purpose,given_at,source,evidence\n".encode("utf-16"), "UTF-8"),
    ]:
        with transaction(sm) as s:
            try:
                imports.import_csv(s, policy, SECRET, data, recorded_by="test", at=NOW)
            except InvalidInput as err:
                assert words in err.detail
            else:
                raise AssertionError(f"{data!r} was accepted")
    with transaction(sm) as s:
        assert _count(s) == 0


def test_cli_prints_the_report_and_exits_1_when_rows_were_refused(sqlite_engine, tmp_path, policy):
    from tests.consent.test_cli import run

    good = tmp_path / "good.csv"
    good.write_text(
        "identity,purpose,given_at,source,evidence\n"
        "pia.lund@example.com,newsletter,2016-09-30,newsletter tool,web form\n",
        encoding="utf-8",
    )
    ok = run(sqlite_engine, tmp_path, "import", str(good))
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["imported", "1", "already", "imported", "0", "refused", "0"]
    again = run(sqlite_engine, tmp_path, "import", str(good), "--json")
    assert again.returncode == 0
    assert '"imported": 0, "already_imported": 1' in again.stdout

    mixed = tmp_path / "mixed.csv"
    mixed.write_text(FILE, encoding="utf-8")
    out = run(sqlite_engine, tmp_path, "import", str(mixed))
    assert out.returncode == 1 and "Traceback" not in out.stderr
    table = {
        int(line.split()[0]): line for line in out.stdout.splitlines() if line.strip()[:1].isdigit()
    }
    assert sorted(table) == sorted(set(REFUSED) - {12})  # no earlier Steward decision here
    assert "unknown purpose 'fax_marketing'" in table[5]

    bad = tmp_path / "bad.csv"
    bad.write_text("email,purpose\nx@example.com,newsletter\n", encoding="utf-8")
    refused = run(sqlite_engine, tmp_path, "import", str(bad))
    assert refused.returncode == 1 and refused.stderr.strip().count("\n") == 0
    assert "identity" in refused.stderr and "Traceback" not in refused.stderr
    missing = run(sqlite_engine, tmp_path, "import", str(tmp_path / "none.csv"))
    assert missing.returncode == 1 and "cannot read" in missing.stderr

    verify = run(sqlite_engine, tmp_path, "verify")
    # Pia; Ann twice; Bo given and withdrawn; Ida (no decision of hers in this store)
    assert verify.returncode == 0 and "6 consent events" in verify.stdout
