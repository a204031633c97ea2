"""The dashboard says what to do next (overdue requests first, then due this week, breaches on
the 72-hour clock, DPAs to review) and draws the month's figures as accessible SVG charts with
a table fallback. Figures below are counted by hand from the requests the test makes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from tests.helpers import login, make_client
from tests.requests.test_queue import _submit

from steward.requests import figures
from steward.requests.tables import DsrRequest
from steward.store.db import make_sessionmaker, transaction


def _close(sm: sessionmaker[Session], rid: int, on: datetime, state: str = "completed") -> None:
    with transaction(sm) as s:
        r = s.get_one(DsrRequest, rid)
        r.state, r.completed_at = state, on


def _history(sm: sessionmaker[Session]) -> None:
    # October: two received (access, erasure); both answered in November, one late.
    a = _submit(sm, datetime(2026, 10, 5, 9, tzinfo=UTC), "Ada Lind", "ada@example.com")
    b = _submit(
        sm, datetime(2026, 10, 20, 9, tzinfo=UTC), "Bo Ek", "bo@example.com", type="erasure"
    )
    _close(sm, a, datetime(2026, 11, 4, 12, tzinfo=UTC))  # due 2026-11-05: on time, 30 days
    _close(sm, b, datetime(2026, 11, 27, 12, tzinfo=UTC), "refused")  # due 11-20: late, 38 days
    # November: one received and withdrawn (closed, not answered); one still open.
    c = _submit(sm, datetime(2026, 11, 3, 9, tzinfo=UTC), "Cai Nord", "cai@example.com")
    _close(sm, c, datetime(2026, 11, 6, 12, tzinfo=UTC), "withdrawn")
    _submit(sm, datetime(2026, 11, 2, 9, tzinfo=UTC), "Dan Vik", "dan@example.com")


def test_monthly_figures(sqlite_engine: Engine) -> None:
    sm = make_sessionmaker(sqlite_engine)
    _history(sm)
    with sm() as s:
        months = figures.monthly(s, months=3, today=date(2026, 12, 6))
    assert [m.start for m in months] == [date(2026, 10, 1), date(2026, 11, 1), date(2026, 12, 1)]
    oct_, nov, dec = months
    assert oct_.opened == {"access": 1, "erasure": 1} and oct_.closed == {}
    assert nov.opened == {"access": 2}
    assert nov.closed == {"access": 2, "erasure": 1}
    assert (nov.answered, nov.on_time, nov.on_time_share) == (2, 1, 0.5)
    assert nov.median_days == 34.0  # (30 + 38) / 2
    assert (dec.opened, dec.answered, dec.median_days) == ({}, 0, None)


def test_dashboard_lists_next_steps_and_charts(sqlite_engine: Engine, tmp_path: Path) -> None:
    sm = make_sessionmaker(sqlite_engine)
    _history(sm)
    soon = _submit(sm, datetime.now(UTC) - timedelta(days=27), "Eva Strand", "eva@example.com")
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "viewer")
    html = client.get("/console").text
    todo = html.split("What to do next", 1)[1].split("At a glance", 1)[0]
    # Overdue first (Dan Vik, due 2026-12-02), then due this week, then breaches and DPAs.
    order = [
        todo.index(x)
        for x in (
            "Overdue requests",
            "Dan Vik",
            "Requests due this week",
            "Eva Strand",
            "Breaches on the 72-hour clock",
            "DPAs to review",
        )
    ]
    assert order == sorted(order)
    assert f'href="/console/requests/{soon}"' in todo
    # Five charts, each an image with its title and description, and its table.
    svgs = re.findall(r'<svg class="chart"[^>]*role="img"[^>]*aria-labelledby="t-(\w+) d-\1"', html)
    assert svgs == ["opened", "closed", "ontime", "median", "consent"]
    assert '<title id="t-ontime">Share answered on time</title>' in html
    ontime = html.split('id="chart-ontime"', 1)[1].split("</figure>", 1)[0]
    this_month = f"{datetime.now(UTC):%Y-%m}"
    assert ontime.count('<th scope="row">') == 12 and f">{this_month}</th>" in ontime
    opened = html.split('id="chart-opened"', 1)[1].split("</figure>", 1)[0]
    assert "Access (Art. 15)" in opened and "Erasure (Art. 17)" in opened
