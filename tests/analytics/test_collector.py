"""Counting in memory and writing hourly totals, on SQLite and PostgreSQL: views, daily
visitors, replays, bots, DNT/GPC, the salt's rotation at midnight, retention of totals."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from tests.analytics.conftest import UA_FIREFOX, UA_IPHONE, Clock, config, event

from steward.analytics import report
from steward.analytics.aggregates import purge
from steward.analytics.ingest import Collector, Signals
from steward.analytics.tables import AnalyticsHour
from steward.store.db import as_utc, make_sessionmaker, transaction

SMALL = 2**16  # a small filter keeps the tests light; the behaviour is the same
ANN = Signals(ip="192.0.2.10", user_agent=UA_FIREFOX, accept_language="da-DK,da;q=0.9")
BOB = Signals(ip="198.51.100.7", user_agent=UA_IPHONE, accept_language="sv")


def _rows(s: Session) -> dict[tuple[str, str, str, str], tuple[int, int]]:
    return {(r.site, as_utc(r.hour).strftime("%m-%d %H"), r.dimension, r.value):
            (r.views, r.visitors) for r in s.scalars(select(AnalyticsHour))}


def test_views_visitors_and_dimensions_per_hour(engine: Engine, clock: Clock) -> None:
    c = Collector(config(), clock=clock, bits=SMALL)
    assert c.offer(event(vid="view000001"), ANN)
    assert c.offer(event("https://www.promark.example/pricing", vid="view000002", ref=""), ANN)
    assert c.offer(event(vid="view000003"), BOB)
    clock.advance(minutes=5)  # 23:45 on 14 March: same hour
    assert c.offer(event(vid="view000004"), BOB)
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        c.flush(s)
    with sm() as s:
        rows = _rows(s)
    h = "03-14 23"
    # Expected by hand: 4 views, 2 visitors (Ann and Bob), the pages and referrer domain.
    assert rows == {
        ("www", h, "total", ""): (4, 2),
        ("www", h, "page", "/products?q=crm"): (3, 0),
        ("www", h, "page", "/pricing"): (1, 0),
        ("www", h, "referrer", "search.example.net"): (3, 0),
        ("www", h, "country", "DK"): (2, 0),  # Bob's "sv" names no region: no country
        ("www", h, "device", "desktop"): (2, 0),
        ("www", h, "device", "mobile"): (2, 0),
    }


def test_flushes_add_up_and_replays_count_once(engine: Engine, clock: Clock) -> None:
    c = Collector(config(), clock=clock, bits=SMALL)
    sm = make_sessionmaker(engine)
    assert c.offer(event(vid="view000001"), ANN)
    with transaction(sm) as s:
        c.flush(s)
    assert not c.offer(event(vid="view000001"), ANN)  # the same view sent again
    assert c.offer(event(vid="view000002"), ANN)
    with transaction(sm) as s:
        c.flush(s)
    with sm() as s:
        assert _rows(s)[("www", "03-14 23", "total", "")] == (2, 1)


def test_bots_and_honoured_signals_are_not_counted(clock: Clock) -> None:
    c = Collector(config(), clock=clock, bits=SMALL)
    bot = Signals(ip="192.0.2.99", user_agent="Mozilla/5.0 (compatible; bingbot/2.0)")
    assert not c.offer(event(vid="view000001"), bot)
    assert not c.offer(event(vid="view000002"), Signals(ip="192.0.2.5", user_agent=UA_FIREFOX,
                                                         dnt=True))
    assert not c.offer(event(vid="view000003"), Signals(ip="192.0.2.5", user_agent=UA_FIREFOX,
                                                         gpc=True))
    # The policy may choose to count despite the signals.
    lax = Collector(config(honour_dnt=False, honour_gpc=False), clock=clock, bits=SMALL)
    assert lax.offer(event(vid="view000004"), Signals(ip="192.0.2.5", user_agent=UA_FIREFOX,
                                                      dnt=True, gpc=True))


def test_the_salt_rotates_at_midnight_and_visitors_count_again(engine: Engine,
                                                               clock: Clock) -> None:
    c = Collector(config(), clock=clock, bits=SMALL)
    assert c.offer(event(vid="view000001"), ANN)
    first_salt = c.salt._salt
    code_before = c.salt.visitor("www", ANN.ip, ANN.user_agent)
    assert c.offer(event(vid="view000002"), ANN)  # same visitor, same day: not new
    clock.advance(minutes=25)  # 00:05 on 15 March (UTC)
    assert c.offer(event(vid="view000001"), ANN)  # a new day forgets the view ids too
    assert c.salt.day == date(2026, 3, 15)
    assert c.salt._salt != first_salt and len(c.salt._salt) == 32
    # The same person gets an unrelated code on the new day: no following across days.
    assert c.salt.visitor("www", ANN.ip, ANN.user_agent) != code_before
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        c.flush(s)
    with sm() as s:
        rep = report.build(s, first=date(2026, 3, 14), last=date(2026, 3, 15))
    assert rep.views == [2, 1] and rep.visitors == [1, 1]
    assert rep.top["page"] == [("/products?q=crm", 3)]


def test_visitor_codes_differ_per_site_and_per_person(clock: Clock) -> None:
    c = Collector(config(), clock=clock, bits=SMALL)
    c.salt.rotate_if_needed(clock())
    codes = {c.salt.visitor(site, ip, ua) for site, ip, ua in [
        ("www", "192.0.2.10", UA_FIREFOX), ("demo", "192.0.2.10", UA_FIREFOX),
        ("www", "192.0.2.11", UA_FIREFOX), ("www", "192.0.2.10", UA_IPHONE)]}
    assert len(codes) == 4


def test_totals_older_than_the_retention_are_deleted(engine: Engine) -> None:
    sm = make_sessionmaker(engine)
    old = datetime(2024, 2, 5, 23, tzinfo=UTC)
    kept = datetime(2024, 2, 6, 0, tzinfo=UTC)
    with transaction(sm) as s:
        for hour in (old, kept):
            s.add(AnalyticsHour(site="www", hour=hour, dimension="total", value="",
                                views=3, visitors=1))
    with transaction(sm) as s:
        # 25 months before 6 March 2026 is 6 February 2024: that day is kept, 5 Feb is not.
        assert purge(s, retention_months=25, now=datetime(2026, 3, 6, 12, tzinfo=UTC)) == 1
    with sm() as s:
        hours = [as_utc(h) for h in s.scalars(select(AnalyticsHour.hour))]
        assert hours == [kept]
        assert s.scalar(select(func.count()).select_from(AnalyticsHour)) == 1
