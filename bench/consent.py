"""Consent benchmark: the check endpoint under load next to a bare Starlette endpoint doing the
same indexed lookup, in-process checks/s, and durable ledger writes/s next to a plain INSERT.

    .venv/bin/python bench/consent.py                 # defaults: a couple of minutes
    .venv/bin/python bench/consent.py --subjects 100000 --duration 20 --writes 5000

Load comes from `wrk` (apt-get install wrk) when present, else a bounded httpx/asyncio client.
Servers run in their own processes (uvicorn, one worker) on loopback. Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PROMARK = ROOT / "examples" / "promark"
SECRET = "bench-secret-not-for-production"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


# --- servers (run in child processes) --------------------------------------------------------


def serve(kind: str, url: str, port: int) -> None:
    import uvicorn

    if kind == "steward":
        from steward.config import Settings
        from steward.web.app import create_app

        # No in-process job worker: its idle polling would be charged to the check.
        app = create_app(Settings(database_url=url, secret_key=SECRET, policy=PROMARK,
                                  data_dir=Path(tempfile.mkdtemp()), jobs_in_process=False))
    else:
        app = bare_app(url)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


BARE_SQL = (
    "SELECT s.state, s.valid_until, s.event_id, EXISTS (SELECT 1 FROM restrictions r "
    "WHERE r.subject_ref = :s AND r.lifted_at IS NULL) AS restricted "
    "FROM (SELECT 1 AS one) AS one_row LEFT OUTER JOIN consent_state s "
    "ON s.subject_ref = :s AND s.purpose = :p"
)


def bare_app(url: str):  # type: ignore[no-untyped-def]
    """The baseline: Starlette, one sync route (run in the thread pool, like Steward's one hop),
    doing the work a check cannot avoid: the API key looked up in a 30-s in-process cache
    (verified once against the stored sha256), the same HMAC of the address, the same single
    query (state row + Art. 18 restriction flag) on the same read-only engine, and a JSON body
    of the same shape. It knows only the opt-in rule, and has no middleware of its own."""
    import hashlib
    import hmac

    from sqlalchemy import text
    from starlette.applications import Starlette
    from starlette.requests import Request
    from starlette.responses import JSONResponse
    from starlette.routing import Route

    from steward.consent.subjects import subject_ref
    from steward.store.db import make_engine, make_reader

    engine = make_reader(make_engine(url))
    sql = text(BARE_SQL)
    key_sql = text("SELECT key_hash FROM consent_api_keys WHERE prefix = :p "
                   "AND revoked_at IS NULL")
    keys: dict[str, float] = {}

    def authorized(auth: str) -> bool:
        key = auth[7:].strip() if auth[:7].lower() == "bearer " else ""
        until = keys.get(key)
        if until and until > time.monotonic():
            return True
        parts = key.split("_")
        if len(parts) < 3:
            return False
        with engine.connect() as c:
            stored = c.execute(key_sql, {"p": parts[1]}).scalar()
        digest = hashlib.sha256(key.encode()).hexdigest()
        if stored is None or not hmac.compare_digest(stored, digest):
            return False
        keys[key] = time.monotonic() + 30
        return True

    def check(request: Request) -> JSONResponse:
        if not authorized(request.headers.get("authorization", "")):
            return JSONResponse({"title": "Unauthorized"}, status_code=401)
        ref = subject_ref(SECRET, request.query_params["subject"])
        purpose = request.query_params["purpose"]
        with engine.connect() as c:
            state, until, event, restricted = c.execute(sql, {"s": ref, "p": purpose}).one()
        allowed = bool(state == "given" and not restricted)
        basis = ({"kind": "consent", "article": "GDPR Art. 6(1)(a)", "event_id": event,
                  "valid_until": until and str(until)} if allowed else
                 {"kind": "no_consent", "article": "GDPR Art. 6(1)(a), Art. 7(1)",
                  "event_id": event, "reason": f"the consent was {state}"})
        return JSONResponse({"allowed": allowed, "subject_ref": ref, "purpose": purpose,
                             "state": state, "basis": basis})

    return Starlette(routes=[Route("/check", check)])


# --- setup -----------------------------------------------------------------------------------


def populate(url: str, n: int) -> str:
    """Migrate, insert n subjects with a newsletter decision; return an API key."""
    from sqlalchemy import insert

    from steward.consent import apikeys
    from steward.consent.subjects import email_ref
    from steward.consent.tables import ConsentState
    from steward.store.db import make_engine, make_sessionmaker, transaction
    from steward.store.migrate import upgrade_engine

    engine = make_engine(url)
    upgrade_engine(engine)
    now = time.time()
    from datetime import UTC, datetime

    at = datetime.fromtimestamp(now, UTC)
    rows = [{"subject_ref": email_ref(SECRET, f"person{i}@example.com"), "purpose": "newsletter",
             "state": "given" if i % 3 else "withdrawn", "purpose_version": 1,
             "event_id": str(uuid.uuid4()), "event_seq": i + 1, "updated_at": at,
             "valid_until": None} for i in range(n)]
    sm = make_sessionmaker(engine)
    with transaction(sm) as s:
        for i in range(0, n, 5000):
            s.execute(insert(ConsentState), rows[i:i + 5000])
        key = apikeys.create(s, name="bench", actor="bench")[1]
    engine.dispose()
    return key


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(kind: str, url: str) -> tuple[subprocess.Popen[bytes], int]:
    import httpx

    port = free_port()
    proc = subprocess.Popen([sys.executable, __file__, "--serve", kind, "--url", url,
                             "--port", str(port)])
    for _ in range(300):
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            return proc, port
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _ms(value: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s)", value)
    assert m, value
    return float(m.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[m.group(2)]


def load_wrk(url: str, headers: dict[str, str], duration: int, conns: int) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p50 = _ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non2xx:
        raise RuntimeError(f"{non2xx.group(1)} failed responses from {url}")
    return {"rps": rps, "p50": p50, "p99": p99}


def load_httpx(url: str, headers: dict[str, str], duration: int, conns: int) -> dict[str, float]:
    import httpx

    async def run() -> list[float]:
        lat: list[float] = []
        end = time.perf_counter() + duration
        async with httpx.AsyncClient(headers=headers) as client:
            async def worker() -> None:
                while time.perf_counter() < end:
                    t = time.perf_counter()
                    r = await client.get(url)
                    r.raise_for_status()
                    lat.append((time.perf_counter() - t) * 1000)
            await asyncio.gather(*(worker() for _ in range(conns)))
        return lat

    lat = asyncio.run(run())
    q = statistics.quantiles(lat, n=100)
    return {"rps": len(lat) / duration, "p50": q[49], "p99": q[98]}


def http_bench(url: str, args: argparse.Namespace) -> list[tuple[str, int, dict[str, float]]]:
    """(server, connections, figures) for each server at 1 connection (latency without
    queueing) and at --conns connections (throughput at saturation)."""
    key = populate(url, args.subjects)
    load = load_wrk if shutil.which("wrk") and not args.httpx else load_httpx
    q = "subject=person7%40example.com&purpose=newsletter"
    results = []
    auth = {"Authorization": f"Bearer {key}"}
    for kind, path, headers in [("bare Starlette, same lookup", "/check", auth),
                                ("Steward /api/consent/check", "/api/consent/check", auth)]:
        proc, port = start("steward" if "Steward" in kind else "bare", url)
        try:
            target = f"http://127.0.0.1:{port}{path}?{q}"
            load(target, headers, 2, args.conns)  # warm-up
            for conns in (1, args.conns):
                cpu = cpu_seconds(proc.pid)
                r = load(target, headers, args.duration, conns)
                # server CPU per request: less inflated by the machine's other load
                r["cpu_ms"] = (cpu_seconds(proc.pid) - cpu) * 1000 / (r["rps"] * args.duration)
                results.append((kind, conns, r))
        finally:
            proc.terminate()
            proc.wait(10)
    return results


def inprocess_checks(url: str, n: int) -> float:
    from steward.consent import checks
    from steward.policy.loader import load_policy
    from steward.store.db import make_engine, make_reader

    policy = load_policy(PROMARK)
    engine = make_reader(make_engine(url))
    t = time.perf_counter()
    for i in range(n):  # one short read transaction per check, as the API runs it
        with engine.connect() as conn:
            checks.check(conn, policy, f"person{i % 1000}@example.com", "newsletter",
                         secret=SECRET)
    rate = n / (time.perf_counter() - t)
    engine.dispose()
    return rate


def writes(url: str, n: int) -> tuple[float, float, float]:
    """(ledger events/s, plain INSERTs/s, CPU ms per ledger event in this process), one
    committed transaction each."""
    from sqlalchemy import text

    from steward.consent import ledger
    from steward.consent.purposes import resolve
    from steward.consent.snapshots import purpose_notice
    from steward.policy.loader import load_policy
    from steward.store.db import make_engine, make_sessionmaker, transaction
    from steward.store.migrate import upgrade_engine

    policy = load_policy(PROMARK)
    engine = make_engine(url)
    upgrade_engine(engine)
    sm = make_sessionmaker(engine)
    info, notice = resolve(policy, "newsletter"), purpose_notice(policy, "newsletter", "en")
    t, cpu = time.perf_counter(), time.process_time()
    for i in range(n):
        with transaction(sm) as s:
            ledger.record(s, policy, subject_ref=f"acct:{i % 500}", purpose=info, action="given",
                          method="bench", recorded_by="bench", notice=notice)
    ledger_rate = n / (time.perf_counter() - t)
    cpu_ms = (time.process_time() - cpu) * 1000 / n
    with engine.begin() as c:
        c.execute(text("CREATE TABLE plain_events (id INTEGER PRIMARY KEY, subject_ref "
                       "VARCHAR(120), purpose VARCHAR(130), action VARCHAR(20), at TIMESTAMP)"))
    t = time.perf_counter()
    for i in range(n):
        with engine.begin() as c:
            c.execute(text("INSERT INTO plain_events (id, subject_ref, purpose, action, at) "
                           "VALUES (:i, :s, 'newsletter', 'given', CURRENT_TIMESTAMP)"),
                      {"i": i, "s": f"acct:{i % 500}"})
    plain_rate = n / (time.perf_counter() - t)
    with transaction(sm) as s:
        assert ledger.verify(s).ok
    engine.dispose()
    return ledger_rate, plain_rate, cpu_ms


def pg_database() -> tuple[str, object] | None:
    from sqlalchemy import create_engine, text

    name = f"steward_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception:  # noqa: BLE001 - no server: skip the PostgreSQL rows
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name, (admin, name)


def drop_pg(handle: object) -> None:
    from sqlalchemy import text

    admin, name = handle  # type: ignore[misc]
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--serve")
    ap.add_argument("--url")
    ap.add_argument("--port", type=int)
    ap.add_argument("--subjects", type=int, default=10_000)
    ap.add_argument("--duration", type=int, default=10)
    ap.add_argument("--conns", type=int, default=8)
    ap.add_argument("--checks", type=int, default=20_000)
    ap.add_argument("--writes", type=int, default=1_000)
    ap.add_argument("--httpx", action="store_true", help="use the httpx client, not wrk")
    args = ap.parse_args()
    if args.serve:
        serve(args.serve, args.url, args.port)
        return
    tmp = Path(tempfile.mkdtemp())
    sqlite = f"sqlite:///{tmp / 'bench.db'}"
    tool = "wrk" if shutil.which("wrk") and not args.httpx else "httpx"
    print(f"## Check endpoint ({tool}, {args.duration} s per row, {args.subjects} subjects)\n")
    print("| store | server | conns | requests/s | p50 ms | p99 ms | server CPU ms/req | "
          "vs bare |\n|---|---|---:|---:|---:|---:|---:|---:|")
    stores = [("SQLite", sqlite, None)]
    pg = pg_database()
    if pg:
        stores.append(("PostgreSQL", pg[0], pg[1]))
    for label, url, handle in stores:
        try:
            res = http_bench(url, args)
        finally:
            if handle is not None:
                drop_pg(handle)
        bare = {conns: r["rps"] for kind, conns, r in res if kind.startswith("bare")}
        for kind, conns, r in sorted(res, key=lambda x: x[1]):
            print(f"| {label} | {kind} | {conns} | {r['rps']:.0f} | {r['p50']:.2f} | "
                  f"{r['p99']:.2f} | {r['cpu_ms']:.2f} | {r['rps'] / bare[conns]:.0%} |")
    print()
    print(f"## In-process `check()` ({args.checks} calls, SQLite): "
          f"{inprocess_checks(sqlite, args.checks):.0f} checks/s\n")
    print(f"## Durable writes ({args.writes} transactions each)\n")
    print("| store | ledger events/s | plain INSERT/s | ratio | CPU ms/event |\n"
          "|---|---:|---:|---:|---:|")
    targets = [("SQLite (WAL, synchronous=NORMAL)", f"sqlite:///{tmp / 'writes.db'}", None)]
    pg = pg_database()
    if pg:
        targets.append(("PostgreSQL 127.0.0.1", pg[0], pg[1]))
    for label, url, handle in targets:
        try:
            led, plain, cpu_ms = writes(url, args.writes)
            print(f"| {label} | {led:.0f} | {plain:.0f} | {led / plain:.0%} | {cpu_ms:.2f} |")
        finally:
            if handle is not None:
                drop_pg(handle)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
