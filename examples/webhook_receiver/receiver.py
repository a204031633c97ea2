"""A reference receiver for Steward's `webhook` systems, in the standard library only.

Steward POSTs a signed JSON event for each search, erase, rectify or restrict it needs from a
system it cannot reach itself. This receiver checks the signature and the timestamp, answers
202 at once, does the work on its own data (a JSON file: a list of records, each with the
identity fields named in the event, e.g. "email"), and POSTs a signed answer to the event's
`callback` URL. Copy it and replace `search`/`erase`/`rectify`/`restrict` with calls into
your own tool.

    WEBHOOK_KEY=... RECEIVER_DATA=records.json python receiver.py 127.0.0.1 8081

Signature: `Steward-Signature: sha256=<hex HMAC-SHA256 of "<Steward-Timestamp>.<body>">`
under the shared key, the timestamp in Unix seconds and at most five minutes off. Events
already seen (by their signature) are refused, so a replayed event does nothing twice.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import sys
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

MAX_SKEW = 300
KEY = os.environ["WEBHOOK_KEY"].encode()
DATA = Path(os.environ["RECEIVER_DATA"])
_LOCK = threading.Lock()
_SEEN: set[str] = set()


def sign(timestamp: str, body: bytes) -> str:
    return "sha256=" + hmac.new(KEY, timestamp.encode() + b"." + body,
                                hashlib.sha256).hexdigest()


def load() -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = json.loads(DATA.read_text(encoding="utf-8"))
    return records


def matches(record: dict[str, Any], identities: dict[str, list[str]]) -> bool:
    return any(str(record.get(kind, "")).strip().lower() in {v.lower() for v in values}
               for kind, values in identities.items())


def work(event: dict[str, Any]) -> dict[str, Any]:
    """The answer to one event: what was found, or how many records were changed."""
    with _LOCK:
        records = load()
        op = event["op"]
        if op == "search":
            found = [r for r in records if matches(r, event["identities"])]
            return {"found": bool(found), "records": found}
        if op == "erase":
            kept = [r for r in records if not matches(r, event["identities"])]
            DATA.write_text(json.dumps(kept), encoding="utf-8")
            return {"found": True, "changed": len(records) - len(kept)}
        if op == "restrict":
            hit = [r for r in records if matches(r, event["identities"])]
            for r in hit:
                r["restricted"] = bool(event.get("on"))
            DATA.write_text(json.dumps(records), encoding="utf-8")
            return {"found": bool(hit), "changed": len(hit)}
        return {"found": False, "note": f"operation {op} is not handled here"}


def answer(event: dict[str, Any]) -> None:
    body = json.dumps({"task": event["task"], **work(event)}).encode()
    stamp = str(int(time.time()))
    req = urllib.request.Request(event["callback"], data=body, method="POST", headers={
        "Content-Type": "application/json", "Steward-Timestamp": stamp,
        "Steward-Signature": sign(stamp, body)})
    for pause in (0, 1, 2, 4, 8):  # back off while Steward is unreachable
        time.sleep(pause)
        try:
            with urllib.request.urlopen(req, timeout=10):
                return
        except OSError as err:
            print(f"callback failed: {err}", file=sys.stderr)


class Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:  # noqa: N802 - the standard library's name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        stamp = self.headers.get("Steward-Timestamp", "")
        signature = self.headers.get("Steward-Signature", "")
        fresh = stamp.isdigit() and abs(time.time() - int(stamp)) <= MAX_SKEW
        if not fresh or not hmac.compare_digest(sign(stamp, body), signature):
            self.send_response(401)
            self.end_headers()
            return
        with _LOCK:
            replay = signature in _SEEN
            _SEEN.add(signature)
        if replay:
            self.send_response(409)
            self.end_headers()
            return
        event = json.loads(body)
        self.send_response(202)
        self.end_headers()
        threading.Thread(target=answer, args=(event,), daemon=True).start()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
        pass  # events carry personal data: nothing of them is logged


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    ThreadingHTTPServer((host, port), Handler).serve_forever()
