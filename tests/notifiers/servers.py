"""A recipient's HTTP endpoint for real: a stdlib HTTP server on a loopback thread that records
each POST and answers queued statuses (then 200)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Recipient(BaseHTTPRequestHandler):
    statuses: list[int] = []
    calls: list[tuple[dict[str, str], bytes]] = []

    def do_POST(self) -> None:  # noqa: N802
        body = self.rfile.read(int(self.headers["Content-Length"]))
        type(self).calls.append((dict(self.headers), body))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def recipient() -> Iterator[tuple[str, type[Recipient]]]:
    """Yield (URL, handler class holding `statuses` to answer and `calls` received)."""
    handler = type("Handler", (Recipient,), {"statuses": [], "calls": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/art19", handler
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
