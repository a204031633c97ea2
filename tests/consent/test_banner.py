"""The banner's server side: config, decisions recorded by beacon, unknown notice versions
rejected, per-source rate limiting, GPC, and the size budget."""

from __future__ import annotations

import gzip
import json
import uuid
from pathlib import Path

from sqlalchemy import select
from tests.helpers import make_client

from steward.consent.tables import ConsentEvent
from steward.store.db import make_sessionmaker, transaction

STATIC = Path(__file__).resolve().parents[2] / "src" / "steward" / "web" / "static" / "consent"
JSON = {"accept": "application/json"}


def _gz(data: bytes) -> int:
    return len(gzip.compress(data, compresslevel=9, mtime=0))


def _event(client, cid, ui, choices, lang="en", **over):
    cfg = client.get(f"/consent/config.json?lang={lang}").json()
    body = {"cid": cid, "v": cfg["v"], "lang": lang, "sha": cfg["sha"], "rev": cfg["rev"],
            "ui": ui, "page": "https://www.example.com/", "gpc": False, "choices": choices}
    body.update(over)
    # sendBeacon posts a string: text/plain
    return client.post("/consent/events", content=json.dumps(body),
                       headers={"content-type": "text/plain;charset=UTF-8", **JSON})


def _events(engine):
    with transaction(make_sessionmaker(engine)) as s:
        return list(s.scalars(select(ConsentEvent).order_by(ConsentEvent.seq)))


def test_decisions_are_recorded(sqlite_engine, tmp_path):
    client = make_client(sqlite_engine, tmp_path)
    js = client.get("/consent/banner.js")
    assert js.status_code == 200 and b"STEWARD_CONFIG" not in js.content
    assert b'"marketing"' in js.content and js.headers["vary"] == "Sec-GPC"
    assert b'"gpc":true' in client.get("/consent/banner.js", headers={"Sec-GPC": "1"}).content
    assert client.get("/.well-known/gpc.json").json()["gpc"] is True
    cid = str(uuid.uuid4())
    r = _event(client, cid, "reject_all", {"marketing": False, "preferences": False})
    assert r.status_code == 204
    # necessary cookies and ProMark's statistics (counted without consent) are always on:
    # a choice sent for them records nothing
    r = _event(client, cid, "save", {"analytics": False, "marketing": False,
                                     "preferences": True, "necessary": True})
    assert r.status_code == 204
    evs = _events(sqlite_engine)
    assert [(e.purpose, e.action) for e in evs] == [
        ("cookie.marketing", "refused"), ("cookie.preferences", "refused"),
        ("cookie.marketing", "refused"), ("cookie.preferences", "given")]
    assert evs[0].subject_ref == f"cid:{cid}" and evs[0].banner_revision
    assert evs[0].ip_address is None and evs[0].source_page == "https://www.example.com/"
    r = _event(client, cid, "save", {"preferences": False})
    assert _events(sqlite_engine)[-1].action == "withdrawn"
    # danish texts are a different snapshot
    assert _event(client, cid, "accept_all", {"marketing": True}, lang="da").status_code == 204
    assert _events(sqlite_engine)[-1].notice_language == "da"


def test_bad_events_are_rejected(sqlite_engine, tmp_path):
    client = make_client(sqlite_engine, tmp_path)
    cid = str(uuid.uuid4())
    r = _event(client, cid, "save", {"preferences": True}, v=7)
    assert r.status_code == 422 and "version 7" in r.json()["detail"]
    r = _event(client, cid, "save", {"preferences": True}, sha="0" * 64)
    assert r.status_code == 422
    r = _event(client, cid, "save", {"tracking": True})
    assert r.status_code == 422 and "cookie.analytics" in r.json()["detail"]
    assert _event(client, "not-a-uuid", "save", {"preferences": True}).status_code == 422
    assert client.post("/consent/events", content=b"{", headers=JSON).status_code == 422
    assert _events(sqlite_engine) == []


def test_gpc_is_logged_once(sqlite_engine, tmp_path):
    client = make_client(sqlite_engine, tmp_path)
    cid = str(uuid.uuid4())
    assert _event(client, cid, "gpc", {"marketing": False}, gpc=True).status_code == 204
    assert _event(client, cid, "gpc", {"marketing": False}, gpc=True).status_code == 204
    evs = _events(sqlite_engine)
    assert [(e.purpose, e.action, e.gpc) for e in evs] == [
        ("cookie.marketing", "gpc_opt_out", True)]
    _event(client, cid, "save", {"marketing": True}, gpc=True)  # explicit opt-in overrides
    assert _events(sqlite_engine)[-1].action == "given"


def test_flood_from_one_source_spares_others(sqlite_engine, tmp_path):
    flood = make_client(sqlite_engine, tmp_path, consent_events_per_minute=5)
    other = flood.__class__(flood.app, base_url="https://testserver", client=("198.51.100.9", 1))
    codes = [_event(flood, str(uuid.uuid4()), "reject_all", {"marketing": False}).status_code
             for _ in range(8)]
    assert codes[:5] == [204] * 5 and set(codes[5:]) == {429}
    assert _event(other, str(uuid.uuid4()), "accept_all", {"marketing": True}).status_code == 204
    assert len(_events(sqlite_engine)) == 6


def test_new_notice_version_keeps_old_snapshots(sqlite_engine, tmp_path, policy):
    client = make_client(sqlite_engine, tmp_path)
    cid = str(uuid.uuid4())
    old = client.get("/consent/config.json?lang=en").json()
    _event(client, cid, "reject_all", {"preferences": False})
    cookies = policy.consent.cookies.model_copy(update={"version": 2})
    newer = policy.model_copy(update={"consent": policy.consent.model_copy(
        update={"cookies": cookies})})
    client.app.state.policy = newer
    assert b'"v":2' in client.get("/consent/banner.js").content
    # a page still showing version 1 may send its decision: the stored snapshot proves it
    r = _event(client, cid, "save", {"preferences": True}, v=1, sha=old["sha"])
    assert r.status_code == 204 and _events(sqlite_engine)[-1].action == "given"
    assert _event(client, cid, "save", {"preferences": True}, v=3).status_code == 422


def test_size_budget(sqlite_engine, tmp_path):
    """≤5 KB gzipped for what loads first, ≤15 KB in all with one language."""
    client = make_client(sqlite_engine, tmp_path)
    loader = client.get("/consent/banner.js").content
    ui = client.get("/consent/ui.js").content
    css = client.get("/consent/banner.css").content
    cfg = client.get("/consent/config.json?lang=da").content
    assert _gz(loader) <= 5 * 1024, _gz(loader)
    assert _gz(loader) + _gz(ui) + _gz(css) + _gz(cfg) <= 15 * 1024
    assert b".innerHTML" not in ui + loader  # texts are set as text, never parsed as HTML
