"""The queue and the request page over HTTP: search and filters in the page, human-readable
states, bulk assign and extend with the reasons listed per request, notes and the readable
timeline with the raw event behind a toggle; viewers read, officers act."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import login, make_client
from tests.requests.test_queue import _submit

from steward.store.db import make_sessionmaker


def _ids(html: str) -> list[int]:
    return [int(x) for x in re.findall(r'name="ids" value="(\d+)"', html)]


def test_queue_page_officer_flow(sqlite_engine: Engine, tmp_path: Path) -> None:
    sm = make_sessionmaker(sqlite_engine)
    late = _submit(sm, datetime(2026, 11, 2, 9, tzinfo=UTC), "Karla Jensen", "karla@example.com")
    fresh = _submit(sm, datetime.now(UTC), "Nina Dahl", "nina@example.com", type="erasure")
    officer = make_client(sqlite_engine, tmp_path)
    token = login(officer, sqlite_engine, "officer")
    page = officer.get("/console/requests").text
    assert _ids(page) == [late, fresh]  # overdue first
    assert '<span class="badge">Waiting for identity check</span>' in page
    assert ">awaiting_verification<" not in page
    assert "Erasure (Art. 17)" in page and "Karla Jensen" in page
    assert _ids(officer.get("/console/requests?q=nina").text) == [fresh]
    assert _ids(officer.get("/console/requests?due=overdue").text) == [late]
    bad = officer.get("/console/requests?due=yesterday")
    assert bad.status_code == 422 and "due: overdue, week or later" in bad.text

    r = officer.post(
        "/console/requests/bulk",
        data={
            "csrf_token": token,
            "action": "assign",
            "ids": [str(late), str(fresh)],
            "assignee": "user:1",
            "back": "q=&due=open&evil=1",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].startswith(
        "/console/requests?due=open&msg="
    )
    mine = officer.get("/console/requests?assignee=user%3A1")
    assert _ids(mine.text) == [late, fresh] and "2 of 2 done" not in mine.text
    assert "2 of 2 done" in officer.get(r.headers["location"]).text

    r = officer.post(
        "/console/requests/bulk",
        data={
            "csrf_token": token,
            "action": "extend",
            "ids": [str(late), str(fresh)],
            "reason": "complex request",
        },
    )
    assert "1 of 2 done" in r.text and f"#{late}: too late to extend" in r.text
    assert "Art. 12(3)" in r.text

    officer.post(
        f"/console/requests/{fresh}/notes",
        data={"csrf_token": token, "note": "Asked IT about the backup tapes"},
    )
    detail = officer.get(f"/console/requests/{fresh}").text
    assert "Asked IT about the backup tapes" in detail
    # Readable sentences, with the raw event one click away.
    assert "officer@steward.example extended the deadline by two months" in detail
    assert ": complex request" in detail
    assert "officer@steward.example assigned the request to officer@steward.example" in detail
    assert "officer@steward.example added an internal note" in detail
    assert "<details><summary>Recorded event" in detail and "dsr.note_added" in detail
    assert "dsr.extended: complex request" in detail


def test_viewer_reads_but_cannot_act(sqlite_engine: Engine, tmp_path: Path) -> None:
    sm = make_sessionmaker(sqlite_engine)
    rid = _submit(sm, datetime(2026, 11, 20, 9, tzinfo=UTC), "Ida Lund", "ida@example.com")
    viewer = make_client(sqlite_engine, tmp_path)
    token = login(viewer, sqlite_engine, "viewer")
    page = viewer.get("/console/requests").text
    assert "Ida Lund" in page and 'name="ids"' not in page and "/requests/bulk" not in page
    for path, data in (
        ("/console/requests/bulk", {"action": "assign", "ids": [str(rid)]}),
        (f"/console/requests/{rid}/assign", {"assignee": ""}),
        (f"/console/requests/{rid}/notes", {"note": "x"}),
    ):
        assert viewer.post(path, data={"csrf_token": token, **data}).status_code == 403
