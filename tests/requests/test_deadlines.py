"""LEGAL.md's deadline cases through the workflow: one month by Reg. 1182/71 with national
holidays, extension only within month one, refusal in time with the complaint authority, the
UK stop-the-clock with both dates, due-soon and overdue lists, and `steward dsr due`."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from tests.helpers import ROOT

from steward.errors import Conflict
from steward.requests import queries, workflow
from steward.requests.deadlines import due_for
from steward.requests.intake import submit
from steward.requests.states import State, move
from steward.requests.tables import DsrRequest
from steward.store.db import transaction

# The command installed beside the interpreter running the tests (also found from a copy of
# the tree, such as mutmut's).
STEWARD = str(Path(sys.executable).with_name("steward"))


@pytest.mark.parametrize(
    "received,country,extended,due",
    [
        ("2025-01-31", "DK", False, "2025-02-28"),  # no 31 February: last day of the month
        ("2025-01-31", "DK", True, "2025-04-30"),  # three months from receipt
        ("2025-03-17", "DK", False, "2025-04-22"),  # Maundy Thursday .. Easter Monday
        ("2025-04-18", "GB", False, "2025-05-19"),  # ends on a Sunday
        ("2025-04-17", "NO", False, "2025-05-19"),  # Saturday 17 May (Constitution Day)
    ],
)
def test_steward_dsr_due_prints_the_iso_date(received, country, extended, due):  # type: ignore[no-untyped-def]
    assert due_for(date.fromisoformat(received), country, extended=extended).isoformat() == due
    cmd = [
        STEWARD,
        "dsr",
        "due",
        "--received",
        received,
        "--country",
        country,
    ] + (["--extended"] if extended else [])
    out = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == due


def test_bad_due_input_is_one_line_and_nonzero():  # type: ignore[no-untyped-def]
    out = subprocess.run(
        [
            STEWARD,
            "dsr",
            "due",
            "--received",
            "2025-02-30",
            "--country",
            "DK",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=False,
    )
    assert out.returncode == 1 and out.stderr.count("\n") == 1 and "Traceback" not in out.stderr


def _received(dsm, settings, policy, country, when):  # type: ignore[no-untyped-def]
    with transaction(dsm) as s:
        sub = submit(
            s,
            policy,
            workflow.sealer_for(settings),
            type="access",
            name="D",
            email=f"d{when.toordinal()}{country}@example.com",
            country=country,
            channel="officer",
            evidence="ID checked in person",
            actor="officer",
            now=when,
        )
        workflow.route(s, policy, sub.request, "officer")
        return sub.request.id


def test_extension_only_within_the_first_month(dsm, settings, policy):  # type: ignore[no-untyped-def]
    received = datetime(2025, 1, 31, 9, tzinfo=UTC)
    a = _received(dsm, settings, policy, "DK", received)
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, a)
        assert req.due_on == date(2025, 2, 28)
        new_due = workflow.extend(
            s, settings, policy, req, "many systems to search", "officer", today=date(2025, 2, 20)
        )
        assert new_due == date(2025, 4, 30) and req.extended
        with pytest.raises(Conflict, match="already extended"):
            workflow.extend(s, settings, policy, req, "again", "officer", today=date(2025, 2, 21))
    b = _received(dsm, settings, policy, "SE", datetime(2025, 1, 10, 9, tzinfo=UTC))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, b)
        with pytest.raises(Conflict, match="too late to extend"):
            workflow.extend(s, settings, policy, req, "late", "officer", today=date(2025, 2, 11))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, b)
        assert not req.extended and req.due_on == date(2025, 2, 10)


def test_refusal_within_the_month_names_authority_and_remedy(dsm, settings, policy):  # type: ignore[no-untyped-def]
    rid = _received(dsm, settings, policy, "DK", datetime(2025, 3, 3, 9, tzinfo=UTC))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert workflow.refuse(
            s,
            settings,
            policy,
            req,
            "the same request was answered last week",
            "officer",
            today=date(2025, 3, 20),
        )
        letter = workflow.sealer_for(settings).open_text(req.letter)
        assert req.state == State.refused.value
    assert "Art. 12(4)" in letter and "Datatilsynet" in letter and "judicial remedy" in letter
    rid = _received(dsm, settings, policy, "DK", datetime(2025, 3, 3, 9, tzinfo=UTC))
    with transaction(dsm) as s:
        req = s.get_one(DsrRequest, rid)
        assert not workflow.refuse(
            s, settings, policy, req, "late", "officer", today=date(2025, 4, 10)
        )  # recorded as late


def test_uk_clock_runs_from_receipt_when_nothing_was_asked(dsm, settings, policy):  # type: ignore[no-untyped-def]
    # UK GDPR Art. 12A: e-mail verification is not identification asked for; the clock runs
    # from receipt and both dates are the same (ICO: 10 January -> 10 February).
    with transaction(dsm) as s:
        sub = submit(
            s,
            policy,
            workflow.sealer_for(settings),
            type="access",
            name="UK",
            email="uk@example.com",
            country="GB",
            now=datetime(2025, 1, 10, 9, tzinfo=UTC),
        )
        req = sub.request
        view = queries.as_dict(req, policy)
        assert view["stop_the_clock"] and view["statutory_due"] == "2025-02-10"
        assert view["adjusted_due"] == "2025-02-10"
        req.verified_at = datetime(2025, 1, 20, 12, tzinfo=UTC)
        move(s, req, State.verified, "subject")
        view = queries.as_dict(req, policy)
    assert view["statutory_due"] == "2025-02-10" and view["adjusted_due"] == "2025-02-10"


def test_due_soon_and_overdue_lists(dsm, settings, policy):  # type: ignore[no-untyped-def]
    old = _received(dsm, settings, policy, "DK", datetime(2025, 1, 6, 9, tzinfo=UTC))
    soon = _received(dsm, settings, policy, "DK", datetime(2025, 2, 3, 9, tzinfo=UTC))
    with transaction(dsm) as s:
        today = date(2025, 2, 28)
        assert [r.id for r in queries.overdue(s, today)] == [old]
        assert [r.id for r in queries.due_soon(s, today)] == [soon]
        assert queries.counts(s, today) == {"open": 2, "due_soon": 1, "overdue": 1}
        assert [r.id for r in queries.list_requests(s, due="overdue", today=today)] == [old]
