"""Visitor-statistics ingestion benchmark: events/s through Steward's collector (parse, bot
and signal checks, the daily visitor code, replay filter, hourly totals, batched upserts) next
to a plain INSERT of every raw event into the same store, with the process's memory after each
quarter of the run (it must stay flat: the Bloom filters have a fixed size and only totals are
kept between flushes).

    .venv/bin/python bench/analytics.py                       # 200,000 events, SQLite
    .venv/bin/python bench/analytics.py --events 1000000 --pg  # PostgreSQL too, if reachable

Events are generated (fictional addresses from the documentation ranges, a few browser
strings, Zipf-like page popularity), so the figures are optimistic for real traffic mixes.
Prints Markdown tables.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
PROMARK = ROOT / "examples" / "promark"
PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
UAS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 Chrome/126.0 Mobile Safari",
    "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)",
]
LANGS = ["da-DK,da;q=0.9", "nb-NO", "sv-SE", "en-GB", "en", "de-DE"]
REFS = ["", "", "https://search.example.net/?q=promark", "https://news.example.org/a/1",
        "https://www.promark.example/pricing"]


def rss_mib() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def make_events(n: int, visitors: int, seed: int = 7) -> list[tuple[bytes, tuple[str, str, str]]]:
    rnd = random.Random(seed)
    pages = [f"/products/{i}" for i in range(300)] + ["/", "/pricing", "/contact"]
    weights = [1 / (i + 1) for i in range(len(pages))]
    people = [(f"198.51.{i // 250 % 250}.{i % 250}", rnd.choice(UAS), rnd.choice(LANGS))
              for i in range(visitors)]
    out = []
    for i in range(n):
        page = rnd.choices(pages, weights)[0]
        q = "?q=crm&email=x@example.com" if i % 10 == 0 else ""
        body = json.dumps({"s": "www", "u": f"https://www.promark.example{page}{q}",
                           "r": rnd.choice(REFS), "i": f"{i:012x}"}).encode()
        out.append((body, rnd.choice(people)))
    return out


def steward_run(url: str, events: list, policy: object, flush_every: int) -> dict:
    from steward.analytics.ingest import Collector, Signals
    from steward.store.db import make_engine, make_sessionmaker, transaction
    from steward.store.migrate import upgrade_engine

    engine = make_engine(url)
    upgrade_engine(engine)
    sm = make_sessionmaker(engine)
    start_at = datetime(2026, 12, 6, 8, tzinfo=UTC)
    clock_state = {"t": start_at}
    c = Collector(policy.analytics, clock=lambda: clock_state["t"],  # type: ignore[attr-defined]
                  flush_every=flush_every, flush_seconds=3600)
    step = timedelta(seconds=6 * 3600 / len(events))  # the run spans six simulated hours
    counted = 0
    mem = []
    quarter = max(len(events) // 4, 1)
    t0 = time.perf_counter()
    for i, (body, (ip, ua, lang)) in enumerate(events):
        clock_state["t"] += step
        counted += c.offer(body, Signals(ip=ip, user_agent=ua, accept_language=lang))
        if c.due():
            with transaction(sm) as s:
                c.flush(s)
        if (i + 1) % quarter == 0:
            mem.append(rss_mib())
    with transaction(sm) as s:
        c.flush(s)
    elapsed = time.perf_counter() - t0
    with sm() as s:
        from sqlalchemy import func, select

        from steward.analytics.tables import AnalyticsHour

        rows = s.scalar(select(func.count()).select_from(AnalyticsHour))
    engine.dispose()
    return {"elapsed": elapsed, "counted": counted, "rows": rows, "mem": mem}


def plain_run(url: str, events: list, batch: int) -> dict:
    """The baseline: every raw event as one row (what cookieless statistics must not keep)."""
    from sqlalchemy import (
        BigInteger,
        Column,
        DateTime,
        Integer,
        MetaData,
        String,
        Table,
        func,
        select,
    )

    from steward.store.db import make_engine

    engine = make_engine(url)
    md = MetaData()
    raw = Table("bench_raw_events", md,
                Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True),
                Column("at", DateTime(timezone=True)), Column("site", String(120)),
                Column("url", String(500)), Column("referrer", String(500)),
                Column("ip", String(45)), Column("user_agent", String(500)),
                Column("accept_language", String(100)))
    md.drop_all(engine)
    md.create_all(engine)
    mem = []
    quarter = max(len(events) // 4, 1)
    t0 = time.perf_counter()
    buf = []
    now = datetime(2026, 12, 6, 8, tzinfo=UTC)
    for i, (body, (ip, ua, lang)) in enumerate(events):
        d = json.loads(body)
        buf.append({"at": now, "site": d["s"], "url": d["u"], "referrer": d["r"], "ip": ip,
                    "user_agent": ua, "accept_language": lang})
        if len(buf) >= batch:
            with engine.begin() as conn:
                conn.execute(raw.insert(), buf)
            buf = []
        if (i + 1) % quarter == 0:
            mem.append(rss_mib())
    if buf:
        with engine.begin() as conn:
            conn.execute(raw.insert(), buf)
    elapsed = time.perf_counter() - t0
    with engine.connect() as conn:
        rows = conn.scalar(select(func.count()).select_from(raw))
    md.drop_all(engine)
    engine.dispose()
    return {"elapsed": elapsed, "counted": len(events), "rows": rows, "mem": mem}


# --- over HTTP: the endpoint under wrk next to a bare endpoint ---------------------------------

LUA = """
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"s":"www","u":"https://www.promark.example/products/%d",'
    .. '"r":"https://search.example.net/","i":"bench%012d"}', n % 300, n)
  return wrk.format("POST", "/analytics/event", {["Content-Type"] = "text/plain",
    ["User-Agent"] = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Firefox/128.0",
    ["Accept-Language"] = "da-DK"}, body)
end
"""


def serve(kind: str, url: str, port: int) -> None:
    import uvicorn

    if kind == "steward":
        from steward.config import Settings
        from steward.web.app import create_app

        app = create_app(Settings(database_url=url, secret_key="bench-secret", policy=PROMARK,
                                  data_dir=Path(tempfile.mkdtemp()), jobs_in_process=False,
                                  analytics_events_per_minute=10**9))
    else:
        from starlette.applications import Starlette
        from starlette.requests import Request
        from starlette.responses import Response
        from starlette.routing import Route

        async def event(request: Request) -> Response:
            await request.body()  # read the event, keep nothing
            return Response(status_code=204)

        app = Starlette(routes=[Route("/analytics/event", event, methods=["POST"])])
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (steadier than wall time on a busy box)."""
    import os

    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def http_rows(url: str, duration: int,
              conns: int) -> list[tuple[str, float, float, float, float]]:
    import multiprocessing
    import re
    import socket
    import subprocess

    from steward.store.db import make_engine
    from steward.store.migrate import upgrade_engine

    upgrade_engine(make_engine(url))
    lua = Path(tempfile.mkdtemp()) / "event.lua"
    lua.write_text(LUA)
    rows = []
    for kind in ("bare", "steward"):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
        proc = multiprocessing.Process(target=serve, args=(kind, url, port), daemon=True)
        proc.start()
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        subprocess.run(["wrk", "-t1", "-c2", "-d2s", "-s", str(lua),
                        f"http://127.0.0.1:{port}"], capture_output=True, check=True)
        cpu0 = cpu_seconds(proc.pid)
        out = subprocess.run(["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency", "-s",
                              str(lua), f"http://127.0.0.1:{port}"],
                             capture_output=True, text=True, check=True).stdout
        cpu = cpu_seconds(proc.pid) - cpu0
        proc.terminate()
        proc.join()
        done = int(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
        if re.search(r"Non-2xx or 3xx responses", out):
            raise RuntimeError(f"failed responses from the {kind} server:\n{out}")
        rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

        def ms(v: str) -> float:
            return float(v[:-2]) if v.endswith("ms") else (
                float(v[:-2]) / 1000 if v.endswith("us") else float(v[:-1]) * 1000)

        p50 = ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
        p99 = ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))  # type: ignore[union-attr]
        rows.append((kind, rps, p50, p99, cpu * 1000 / max(done, 1)))
    return rows


def pg_database() -> str | None:
    from sqlalchemy import create_engine, text

    name = f"bench_analytics_{uuid.uuid4().hex[:8]}"
    try:
        admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as err:  # noqa: BLE001 - any failure: skip the PostgreSQL rows
        print(f"PostgreSQL not reachable ({err.__class__.__name__}): its rows are skipped")
        return None
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def drop_pg(url: str) -> None:
    from sqlalchemy import create_engine, text

    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--events", type=int, default=200_000)
    ap.add_argument("--visitors", type=int, default=20_000)
    ap.add_argument("--batch", type=int, default=5000)
    ap.add_argument("--pg", action="store_true", help="PostgreSQL rows too")
    ap.add_argument("--http", action="store_true", help="the endpoint under wrk too")
    ap.add_argument("--duration", type=int, default=8)
    ap.add_argument("--conns", type=int, default=8)
    args = ap.parse_args()

    from steward.policy.loader import load_policy

    policy = load_policy(PROMARK)
    print(f"generating {args.events:,} events from {args.visitors:,} visitors ...")
    events = make_events(args.events, args.visitors)
    stores = [("SQLite", f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}")]
    if args.pg:
        pg = pg_database()
        if pg:
            stores.append(("PostgreSQL", pg))
    print()
    print("| store | what | events/s | counted | rows stored | RSS MiB after each quarter |")
    print("|---|---|---:|---:|---:|---|")
    for label, url in stores:
        for what, run in (
            (f"plain INSERT of raw events, batches of {args.batch}",
             lambda u=url: plain_run(u, events, args.batch)),
            (f"Steward collector, flush every {args.batch}",
             lambda u=url: steward_run(u, events, policy, args.batch)),
        ):
            r = run()
            rate = len(events) / r["elapsed"]
            mem = " / ".join(f"{m:.0f}" for m in r["mem"])
            print(f"| {label} | {what} | {rate:,.0f} | {r['counted']:,} | {r['rows']:,} | "
                  f"{mem} |")
    if args.http:
        import shutil

        if not shutil.which("wrk"):
            print("\nwrk is not installed: the HTTP rows are skipped")
        else:
            url = f"sqlite:///{Path(tempfile.mkdtemp()) / 'http.db'}"
            print()
            print(f"| server (SQLite store, {args.conns} connections) | events/s | p50 ms | "
                  "p99 ms | vs bare | server CPU ms/event |")
            print("|---|---:|---:|---:|---:|---:|")
            rows = http_rows(url, args.duration, args.conns)
            bare = rows[0][1]
            names = {"bare": "bare Starlette POST, reads the body, 204",
                     "steward": "Steward POST /analytics/event"}
            for kind, rps, p50, p99, cpu in rows:
                print(f"| {names[kind]} | {rps:,.0f} | {p50:.2f} | {p99:.2f} | "
                      f"{rps / bare:.0%} | {cpu:.2f} |")
    for label, url in stores:
        if label == "PostgreSQL":
            drop_pg(url)


if __name__ == "__main__":
    main()
