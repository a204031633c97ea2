"""No stored byte can be joined back to an IP address.

Visits are sent through the real endpoint into a SQLite store on disk; then every byte Steward
stored (the database file, its WAL, every row of every table) is searched for the addresses,
the browser strings, and hashes of address + browser (+ site) under every salt we can guess,
including the real in-memory salt of the day taken from the running process. The schema must
hold no column that could carry any of them."""

from __future__ import annotations

import hashlib
import hmac
import itertools
from datetime import UTC, datetime
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, inspect, select, text
from tests.analytics.conftest import UA_FIREFOX, UA_IPHONE, event, with_analytics
from tests.helpers import settings_for

from steward.analytics.tables import AnalyticsHour

VISITORS = [("192.0.2.10", UA_FIREFOX), ("198.51.100.7", UA_IPHONE),
            ("2001:db8::42", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/127.0")]
SECRET = "test-secret-key-not-for-production"


class _Peer:
    """An ASGI client address per request: TestClient always says "testclient"."""

    def __init__(self, app: object) -> None:
        self.app = app
        self.ip = "127.0.0.1"

    async def __call__(self, scope: dict, receive: object, send: object) -> None:  # type: ignore[type-arg]
        if scope["type"] == "http":
            scope = {**scope, "client": (self.ip, 40000)}
        await self.app(scope, receive, send)  # type: ignore[operator]


def _candidates(salts: list[bytes]) -> set[bytes]:
    """Every form an address or a visitor code could take in storage."""
    out: set[bytes] = set()
    for ip, ua in VISITORS:
        out |= {ip.encode(), ua.encode(), ua[:40].encode()}
        import ipaddress

        out.add(ipaddress.ip_address(ip).packed)
        parts = [ip.encode(), ua.encode()]
        joins = [b"", b"\x00", b"|", b":", b" "]
        messages = set()
        for sep in joins:
            for order in itertools.permutations(parts + [b"www"], 3):
                messages.add(sep.join(order))
                messages.add(sep.join(order) + sep)
            messages.add(sep.join(parts))
        for salt, msg in itertools.product(salts, messages):
            digests = [
                hashlib.sha256(salt + msg).digest(), hashlib.sha256(msg + salt).digest(),
                hashlib.md5(salt + msg).digest(), hashlib.sha1(salt + msg).digest(),
                hashlib.blake2b(msg, key=salt[:64], digest_size=16).digest(),
                hashlib.blake2b(msg, key=salt[:64]).digest(),
                hmac.new(salt or b"\x00", msg, "sha256").digest(),
            ]
            for d in digests:
                out |= {d, d[:8], d.hex().encode(), d.hex()[:16].encode()}
    return out


def _stored_bytes(engine: Engine, db: Path) -> bytes:
    blob = bytearray()
    for p in db.parent.glob(db.name + "*"):  # the file, its -wal and -shm
        blob += p.read_bytes()
    with engine.connect() as c:
        for table in inspect(engine).get_table_names():
            # Table names come from the database's own catalogue.
            for row in c.execute(text(f'SELECT * FROM "{table}"')):  # noqa: S608
                blob += repr(tuple(row)).encode()
    return bytes(blob)


def test_no_stored_byte_joins_back_to_an_ip(sqlite_engine: Engine, tmp_path: Path) -> None:
    from steward.web.app import create_app

    app = create_app(settings_for(sqlite_engine, tmp_path, secret_key=SECRET),
                     policy=with_analytics(), engine=sqlite_engine)
    peer = _Peer(app)
    client = TestClient(peer, base_url="https://testserver")  # type: ignore[arg-type]
    n = 0
    for (ip, ua), page in itertools.product(VISITORS, ["/", "/pricing", "/contact"]):
        peer.ip = ip
        n += 1
        r = client.post("/analytics/event", content=event(
            f"https://www.promark.example{page}", vid=f"view{n:08d}"),
            headers={"user-agent": ua, "content-type": "text/plain"})
        assert r.status_code == 204
    collector = app.state.extras["analytics"]
    real_salt = collector.salt._salt  # the day's salt, only ever in this process's memory
    codes = {collector.salt.visitor("www", ip, ua) for ip, ua in VISITORS}
    from steward.store.db import make_sessionmaker, transaction

    with transaction(make_sessionmaker(sqlite_engine)) as s:
        collector.flush(s)
    with sqlite_engine.connect() as c:  # the totals did arrive: the search below is not vacuous
        assert c.scalar(select(AnalyticsHour.views).where(
            AnalyticsHour.dimension == "total")) == 9
        assert c.scalar(select(AnalyticsHour.visitors).where(
            AnalyticsHour.dimension == "total")) == 3

    day = datetime.now(UTC).date()
    salts = [b"", SECRET.encode(), real_salt, day.isoformat().encode(),
             day.strftime("%Y%m%d").encode(), b"promark", b"www", b"steward"]
    stored = _stored_bytes(sqlite_engine, Path(str(sqlite_engine.url.database)))
    assert b"192.0.2.10" not in stored  # the obvious first
    leaks = [c for c in _candidates(salts) | codes | {c.hex().encode() for c in codes}
             if len(c) >= 8 and c in stored]
    assert leaks == []


def test_the_schema_has_no_column_for_an_identifier(sqlite_engine: Engine) -> None:
    cols = {c["name"]: str(c["type"]) for c in inspect(sqlite_engine).get_columns(
        "analytics_hours")}
    assert set(cols) == {"site", "hour", "dimension", "value", "views", "visitors"}
    # `value` holds only a path, a domain, a country or a device class: checked per dimension.
    assert AnalyticsHour.__table__.c.views.type.python_type is int
