"""The public notice, health, the console pages and the Art. 30 export over HTTP."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import login, make_client


def test_public_notice_and_health(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    r = client.get("/privacy")
    assert r.status_code == 200
    for fact in ("ProMark A/S", "31 07 52 62", "Maglebjergvej 11", "72 hours"):
        assert fact in r.text, fact
    assert client.get("/healthz").json() == {"status": "ok"}
    assert client.get("/privacy?lang=da").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "Steward"
    assert "/api/ropa" in client.get("/api/docs").text


def test_console_pages_render_for_a_viewer(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "viewer")
    dash = client.get("/console")
    assert dash.status_code == 200 and "Dashboard" in dash.text
    assert "Audit log" in dash.text  # navigation
    audit_page = client.get("/console/audit")
    assert "console.login" in audit_page.text
    assert "intact" in client.get("/console/audit?verify=true").text
    assert "ProMark A/S" in client.get("/console/policy").text
    ropa = client.get("/console/policy/ropa")
    assert ropa.status_code == 200 and "Art. 30" in ropa.text


def test_ropa_export_over_the_api(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "viewer")
    r = client.get("/api/ropa?format=csv")
    assert r.status_code == 200
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert len(rows) >= 5
    x = client.get("/api/ropa?format=xlsx")
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert client.get("/api/ropa?format=pdf").status_code == 422


def test_admin_manages_users(sqlite_engine: Engine, tmp_path: Path) -> None:
    import re

    client = make_client(sqlite_engine, tmp_path)
    token = login(client, sqlite_engine, "admin")
    r = client.post("/console/users", data={"email": "new@example.com", "role": "viewer",
                                             "csrf_token": token})
    assert r.status_code == 200 and "new@example.com" in r.text
    password = re.search(r"<code>([^<]+)</code>", r.text).group(1)  # type: ignore[union-attr]
    dup = client.post("/console/users", data={"email": "NEW@example.com", "role": "viewer",
                                               "csrf_token": token})
    assert dup.status_code == 409
    other = make_client(sqlite_engine, tmp_path)
    from tests.helpers import csrf_from

    t2 = csrf_from(other.get("/console/login").text)
    ok = other.post("/console/login", data={"email": "new@example.com", "password": password,
                                            "csrf_token": t2}, follow_redirects=False)
    assert ok.status_code == 303
    assert other.get("/console", follow_redirects=False).status_code == 200
    uid = re.search(r'/console/users/(\d+)/disable"[^>]*>\s*<input[^>]*>\s*<button[^>]*>Disable',
                    client.get("/console/users").text.split("new@example.com", 1)[1])
    assert uid
    client.post(f"/console/users/{uid.group(1)}/disable", data={"csrf_token": token})
    # A disabled user's session ends at the next request.
    assert other.get("/console", follow_redirects=False).status_code == 303


def test_error_pages_fit_where_they_appear(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    public = client.get("/privacy/versions/999")
    assert public.status_code == 404 and "Console" not in public.text
    assert "ProMark A/S" in public.text.split("</title>")[0]
    # A JSON body gets a problem document even when the client accepts anything.
    r = client.post("/console/login", content=b"{}", headers={"content-type": "application/json",
                                                              "accept": "*/*"})
    assert r.headers["content-type"].startswith("application/problem+json")


def test_privacy_center_menu_follows_the_language(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    assert "Your rights: make a request" in client.get("/privacy").text
    da = client.get("/privacy?lang=da").text
    assert "Dine rettigheder: send en anmodning" in da and 'href="/privacy/requests"' in da
    # The choice is remembered (a cookie), so the menu's plain links stay in Danish.
    assert "Dine rettigheder: send en anmodning" in client.get("/privacy/versions").text
