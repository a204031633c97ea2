"""The OpenAPI document declares what routes really answer: HTML pages as text/html,
downloads as CSV/Excel/JSON by format, JSON APIs as JSON; and the declared types match what
the routes send."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from tests.helpers import login, make_client

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# (method, path) → the success media types, written out by hand from the routes.
EXPECTED = {
    ("get", "/console"): {"text/html"},
    ("get", "/console/requests/{req_id}"): {"text/html"},
    ("post", "/console/requests/{req_id}/plan"): {"text/html"},
    ("get", "/privacy/requests"): {"text/html"},
    ("get", "/privacy/versions/{version_id}"): {"text/html"},
    ("get", "/api/ropa"): {"application/json", "text/csv", XLSX},
    ("get", "/api/breaches/export"): {"application/json", "text/csv"},
    ("get", "/console/processors/export/{fmt}"): {"text/csv", XLSX, "application/json"},
    ("get", "/api/breaches/{breach_id}/notice"): {"text/markdown", "text/plain",
                                                  "application/json"},
    ("get", "/privacy/download/{token}"): {"application/zip", "text/html"},
    ("get", "/api/requests"): {"application/json"},
    ("get", "/api/consent/check"): {"application/json"},
}


def _success_types(op: dict[str, object]) -> set[str]:
    responses = op["responses"]
    assert isinstance(responses, dict)
    out: set[str] = set()
    for code, response in responses.items():
        if code.startswith("2"):
            out |= set(response.get("content", {}))
    return out


def test_media_types_are_declared_as_served(sqlite_engine: Engine, tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    doc = client.get("/api/openapi.json").json()
    for (method, path), kinds in EXPECTED.items():
        assert _success_types(doc["paths"][path][method]) == kinds, (method, path)
    # No page outside /api/ claims to answer JSON only.
    json_only = [
        (m, p) for p, ops in doc["paths"].items() if not p.startswith("/api/")
        for m, op in ops.items() if _success_types(op) == {"application/json"}
    ]
    assert json_only == [("get", "/healthz")]
    # What is declared is what is sent.
    login(client, sqlite_engine, "admin")
    assert client.get("/console").headers["content-type"].startswith("text/html")
    r = client.get("/api/ropa", params={"format": "xlsx"})
    assert r.headers["content-type"] == XLSX and r.content[:2] == b"PK"
    assert client.get("/api/ropa", params={"format": "csv"}).headers[
        "content-type"].startswith("text/csv")


def test_an_unknown_id_on_a_console_action_is_not_found(sqlite_engine: Engine,
                                                        tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path)
    csrf = login(client, sqlite_engine, "officer")
    for action in ("plan", "approve", "run", "complete"):
        r = client.post(f"/console/requests/424242/{action}", data={"csrf_token": csrf})
        assert r.status_code == 404, (action, r.status_code)
