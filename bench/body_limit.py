"""Time to refuse a 200 MB body on the public request API, and the server's memory meanwhile,
next to a small valid-size request to the same route in the same run. Steward runs in a
uvicorn server on a thread of this process (SQLite store, the example policy).

    .venv/bin/python bench/body_limit.py [--runs 20]
"""

from __future__ import annotations

import argparse
import platform
import socket
import statistics
import tempfile
import threading
import time
from pathlib import Path

import uvicorn

from steward.config import Settings
from steward.store.db import make_engine
from steward.store.migrate import upgrade_engine
from steward.web.app import create_app

ROOT = Path(__file__).resolve().parents[1]
MB = 1024 * 1024


def rss() -> int:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))


def post(port: int, *, declared: int | None, body: bytes, stream_mb: int) -> tuple[float, bytes]:
    """Send headers (and `body`, or `stream_mb` MB of chunks from a thread); return the time
    from the first byte sent to the answer's status line, and that line."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    head = "POST /api/requests HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
    head += f"content-length: {declared}\r\n\r\n" if declared is not None else \
        "transfer-encoding: chunked\r\n\r\n"
    piece = b"[" + b"1," * (MB // 2 - 1) + b"1"

    def send() -> None:
        try:
            if body:
                sock.sendall(body)
            for _ in range(stream_mb):
                sock.sendall(piece if declared is not None
                             else f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
        except OSError:
            pass

    t0 = time.perf_counter()
    sock.sendall(head.encode())
    sender = threading.Thread(target=send, daemon=True)
    sender.start()
    answer = b""
    while b"\r\n" not in answer:
        chunk = sock.recv(4096)
        if not chunk:
            break
        answer += chunk
    elapsed = time.perf_counter() - t0
    sender.join(60)
    sock.close()
    return elapsed, answer.split(b"\r\n", 1)[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp())
    engine = make_engine(f"sqlite:///{tmp / 'steward.db'}")
    upgrade_engine(engine)
    settings = Settings(database_url=str(engine.url), data_dir=tmp / "var",
                        secret_key="bench-secret", policy=ROOT / "examples" / "promark",
                        rate_limit_per_minute=1_000_000)
    app = create_app(settings, engine=engine)
    port = 0
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error",
                                           lifespan="off"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.02)
    small = b'{"kind": "access"}'
    cases = {
        "small invalid body (baseline, 422)": dict(declared=len(small), body=small, stream_mb=0),
        "200 MB, Content-Length": dict(declared=200 * MB, body=b"", stream_mb=200),
        "200 MB, chunked": dict(declared=None, body=b"", stream_mb=200),
    }
    before = rss()
    print(f"# {platform.node()} {platform.python_version()} — runs: {args.runs}")
    for name, kw in cases.items():
        times, status = [], b""
        for _ in range(args.runs):
            t, status = post(port, **kw)  # type: ignore[arg-type]
            times.append(t * 1000)
        times.sort()
        p95 = times[int(0.95 * (len(times) - 1))]
        print(f"{name}: {status.decode()}; p50 {statistics.median(times):.1f} ms, "
              f"p95 {p95:.1f} ms")
    print(f"RSS growth over all runs: {(rss() - before) / MB:.1f} MB")
    server.should_exit = True


if __name__ == "__main__":
    main()
