"""Bounded input: bodies refused while they stream (a real server's memory does not move),
every public request counted by the rate limit, ids beyond the store's range answered 404."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from sqlalchemy import Engine
from tests.conftest import free_port
from tests.helpers import login, make_client, settings_for

from steward.web.app import create_app

MB = 1024 * 1024


def _rss() -> int:
    """This process's resident memory in bytes (the server runs on a thread in it)."""
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
    raise AssertionError("no VmRSS")


@pytest.fixture
def server(sqlite_engine: Engine, tmp_path: Path) -> Iterator[tuple[str, int]]:
    app = create_app(settings_for(sqlite_engine, tmp_path, base_url="http://127.0.0.1"),
                     engine=sqlite_engine)
    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                        lifespan="off"))
    t = threading.Thread(target=srv.run, daemon=True)
    t.start()
    while not srv.started:
        time.sleep(0.02)
    yield "127.0.0.1", port
    srv.should_exit = True
    t.join(10)


def _post_huge(host: str, port: int, *, declared: bool,
               total: int = 200 * MB) -> tuple[bytes, int]:
    """POST `total` bytes of JSON-looking data to the public request form's API, streamed in
    1 MB pieces by a sender thread while this thread reads the answer."""
    sock = socket.create_connection((host, port), timeout=30)
    head = (f"POST /api/requests HTTP/1.1\r\nhost: {host}\r\n"
            "content-type: application/json\r\n")
    head += f"content-length: {total}\r\n\r\n" if declared else "transfer-encoding: chunked\r\n\r\n"
    sock.sendall(head.encode())
    piece = b"[" + b"1," * (MB // 2 - 1) + b"1"
    sent = {"bytes": 0}

    def send() -> None:
        try:
            while sent["bytes"] < total:
                data = piece if declared else f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
                sock.sendall(data)
                sent["bytes"] += len(piece)
        except OSError:
            pass  # the server closed the connection: what a refusal looks like

    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    try:
        while b"\r\n\r\n" not in answer:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    finally:
        sender.join(60)
        sock.close()
    return answer, sent["bytes"]


@pytest.mark.parametrize("declared", [True, False], ids=["content-length", "chunked"])
def test_a_200_mb_body_is_refused_without_the_memory_moving(
    server: tuple[str, int], declared: bool
) -> None:
    host, port = server
    _post_huge(host, port, declared=declared, total=4 * MB)  # warm up allocations
    before = _rss()
    answer, sent = _post_huge(host, port, declared=declared)
    grown = _rss() - before
    assert sent < 200 * MB, "the server read the whole body"
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"application/problem+json" in answer
    assert grown < 8 * MB, f"memory grew by {grown / MB:.1f} MB"


def test_limits_are_per_route_class_and_configurable(sqlite_engine: Engine,
                                                     tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path, body_limit_bytes=2048,
                         upload_limit_bytes=100_000, rate_limit_per_minute=1000)
    csrf = login(client, sqlite_engine, "officer")
    big = {"email": "x" * 5000 + "@example.com", "kind": "access"}
    r = client.post("/api/requests", json=big)
    assert r.status_code == 413 and r.headers["content-type"] == "application/problem+json"
    assert "2,048 bytes" in r.json()["detail"]
    # The same size is fine on a bulk route (it is then checked for what it says).
    bulk = client.post("/api/breaches/1/affected", headers={"x-csrf-token": csrf},
                       json={"identities": ["a" * 5000]})
    assert bulk.status_code not in (413, 500)
    too_big = client.post("/api/breaches/1/affected", headers={"x-csrf-token": csrf},
                          json={"identities": ["a" * 200_000]})
    assert too_big.status_code == 413
    # A form page gets the same refusal.
    page = client.post("/privacy/requests", data={"details": "y" * 4000})
    assert page.status_code == 413


def test_every_public_request_counts_against_the_rate_limit(sqlite_engine: Engine,
                                                            tmp_path: Path) -> None:
    client = make_client(sqlite_engine, tmp_path, rate_limit_per_minute=5,
                         body_limit_bytes=4096)
    oversized = [client.post("/api/requests", content=b"{" + b" " * 10_000 + b"}",
                             headers={"content-type": "application/json"}).status_code
                 for _ in range(7)]
    assert oversized == [413] * 5 + [429] * 2
    other = make_client(sqlite_engine, tmp_path, rate_limit_per_minute=5)
    invalid = [other.post("/api/requests", content=b"{not json",
                          headers={"content-type": "application/json"}).status_code
               for _ in range(7)]
    assert invalid == [422] * 5 + [429] * 2
    # A console user's own requests are not public ones: not counted.
    staff = make_client(sqlite_engine, tmp_path, rate_limit_per_minute=5)
    csrf = login(staff, sqlite_engine, "admin")
    codes = {staff.post("/console/users/77/sessions/end", data={"csrf_token": csrf}
                        ).status_code for _ in range(8)}
    assert codes == {404}


@pytest.mark.parametrize("path", [
    "/console/requests/9223372036854775808",
    "/console/breaches/99999999999999999999999",
    "/api/breaches/9223372036854775808",
    "/privacy/versions/18446744073709551616",
])
def test_ids_beyond_the_store_range_are_not_found(sqlite_engine: Engine, tmp_path: Path,
                                                  path: str) -> None:
    client = make_client(sqlite_engine, tmp_path)
    login(client, sqlite_engine, "admin")
    assert client.get(path).status_code == 404
    # The largest id the store can hold is an ordinary unknown id.
    edge = path.rsplit("/", 1)[0] + "/9223372036854775807"
    assert client.get(edge).status_code == 404


def test_ids_beyond_a_columns_range_are_not_found(engine: Engine, tmp_path: Path) -> None:
    """Published policy versions have 32-bit ids on PostgreSQL: 3,000,000,000 fits the URL
    check but not the column, and must still be an ordinary 404."""
    client = make_client(engine, tmp_path)
    assert client.get("/privacy/versions/1").status_code == 200
    for vid in (2, 3_000_000_000, 9_000_000_000_000_000_000):
        assert client.get(f"/privacy/versions/{vid}").status_code == 404, vid
