"""Announcing a new purpose to N people (default 100,000): the mail run through the job queue
(a Huey task, in committed batches) to a local SMTP server (aiosmtpd, in its own process),
with the process's resident memory sampled during the run. Baseline in the same run: the same
number of plain messages sent over one SMTP connection by smtplib alone.

The company database is a CRM in the demo schema (SQLite by default, or PostgreSQL with
--pg), filled with generated people; the policy is the ProMark example plus a new purpose on
the CRM's names and addresses.

    .venv/bin/python bench/announce.py [--people 100000] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import shutil
import smtplib
import socket
import sys
import tempfile
import threading
import time
import uuid
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
COUNTRIES = ("DK", "DK", "NO", "SE", "GB")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _smtp_server(port: int, count: Any, ready: Any, stop: Any) -> None:
    from aiosmtpd.controller import Controller

    class Count:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
            with count.get_lock():
                count.value += 1
            return "250 OK"

    ctl = Controller(Count(), hostname="127.0.0.1", port=port)
    ctl.start()
    ready.set()
    stop.wait()
    ctl.stop()


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class Sampler(threading.Thread):
    """Resident memory every 0.25 s while the run goes on."""

    def __init__(self) -> None:
        super().__init__(daemon=True)
        self.samples: list[tuple[float, float]] = []
        self.done = threading.Event()

    def run(self) -> None:
        t0 = time.perf_counter()
        while not self.done.is_set():
            self.samples.append((time.perf_counter() - t0, _rss_mb()))
            time.sleep(0.25)


def fill_crm(url: str, people: int) -> None:
    from steward.demo.schema import SQL_SYSTEMS

    engine = sa.create_engine(url)
    SQL_SYSTEMS["crm"].create_all(engine)
    customers = SQL_SYSTEMS["crm"].tables["customers"]
    with engine.begin() as c:
        for start in range(0, people, 10_000):
            c.execute(customers.insert(), [
                {"id": i, "customer_no": f"C-{i:07d}", "contact_name": f"Person {i}",
                 "email": f"person.{i}@example.com", "country": COUNTRIES[i % len(COUNTRIES)],
                 "created_at": datetime(2024, 1, 1)}
                for i in range(start + 1, min(start + 10_000, people) + 1)])
    engine.dispose()


def plain(port: int, people: int) -> float:
    t0 = time.perf_counter()
    with smtplib.SMTP("127.0.0.1", port) as smtp:
        for i in range(people):
            msg = EmailMessage()
            msg["From"], msg["To"], msg["Subject"] = ("privacy@example.com",
                                                      f"person.{i}@example.com", "Hello")
            msg.set_content("A plain message of about the same size. " * 20)
            smtp.send_message(msg)
    return time.perf_counter() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--people", type=int, default=100_000)
    ap.add_argument("--pg", help="a PostgreSQL server URL for the CRM and Steward's store")
    args = ap.parse_args()

    from huey import MemoryHuey

    from steward.config import Settings
    from steward.jobs.tasks import Runtime, register
    from steward.policy.loader import load_policy
    from steward.publication import announcements
    from steward.publication.versions import publish
    from steward.store.db import make_engine, make_sessionmaker, transaction
    from steward.store.migrate import upgrade_engine

    tmp = Path(tempfile.mkdtemp(prefix="announce-bench-"))
    admin = None
    if args.pg:
        admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
        names = [f"bench_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        with admin.connect() as c:
            for n in names:
                c.execute(sa.text(f'CREATE DATABASE "{n}"'))
        base = args.pg.rsplit("/", 1)[0]
        crm_url, store_url = f"{base}/{names[0]}", f"{base}/{names[1]}"
    else:
        crm_url, store_url = f"sqlite:///{tmp / 'crm.db'}", f"sqlite:///{tmp / 'steward.db'}"
    os.environ["PROMARK_CRM_URL"] = crm_url
    # The same second policy version the announcement tests use: ProMark plus a new purpose.
    sys.path.insert(0, str(ROOT))
    from tests.publication.factories import policy_v2

    folder = policy_v2(tmp)

    t0 = time.perf_counter()
    fill_crm(crm_url, args.people)
    fill_s = time.perf_counter() - t0

    count, ready, stop = mp.Value("i", 0), mp.Event(), mp.Event()
    port = _free_port()
    server = mp.Process(target=_smtp_server, args=(port, count, ready, stop), daemon=True)
    server.start()
    ready.wait(10)

    engine = make_engine(store_url)
    upgrade_engine(engine)
    sm = make_sessionmaker(engine)
    settings = Settings(database_url=store_url, data_dir=tmp / "var", policy=folder,
                        secret_key="bench-secret-not-for-production",
                        base_url="https://privacy.example.com", smtp_host="127.0.0.1",
                        smtp_port=port, smtp_starttls=False)
    v1 = load_policy(ROOT / "examples" / "promark")
    v2 = load_policy(folder)
    with transaction(sm) as s:
        publish(s, v1)
        publish(s, v2)
        [ann] = announcements.listing(s)
        announcements.start(s, ann.id, actor="bench")
        aid = ann.id

    huey = MemoryHuey("bench")
    tasks = register(huey, Runtime(settings, policy_=v2, sm_=sm))
    assert tasks.send_announcement is not None
    rss_before = _rss_mb()
    sampler = Sampler()
    sampler.start()
    t0 = time.perf_counter()
    result = tasks.send_announcement(aid)  # queued
    huey.execute(huey.dequeue())  # the worker runs it
    sent = result.get()
    run_s = time.perf_counter() - t0
    sampler.done.set()
    sampler.join()
    with transaction(sm) as s:
        counts = announcements.counts(s, aid)
        status = announcements.get(s, aid).status
    received = count.value
    base_s = plain(port, args.people)
    stop.set()
    server.join(10)

    samples = sampler.samples
    quarter = [max((m for t, m in samples if q * run_s / 4 <= t < (q + 1) * run_s / 4),
                   default=0.0) for q in range(4)]
    print(f"date: {datetime.now(UTC):%Y-%m-%d}; machine: {os.cpu_count()} cores, "
          f"{platform.platform()}, Python {platform.python_version()}")
    print(f"store: {'PostgreSQL' if args.pg else 'SQLite'}; people: {args.people}; "
          f"CRM filled in {fill_s:.1f} s")
    print(f"announcement: {sent}; status {status}; recipients {counts}; "
          f"SMTP server received {received}")
    print(f"through the job queue to SMTP: {run_s:.1f} s = {args.people / run_s:.0f} mails/s")
    print(f"plain smtplib, one connection, same count: {base_s:.1f} s = "
          f"{args.people / base_s:.0f} mails/s; Steward/plain time: {run_s / base_s:.2f}x")
    print(f"RSS MB: before {rss_before:.0f}; max per quarter of the run "
          f"{' / '.join(f'{q:.0f}' for q in quarter)}; "
          f"peak (ru_maxrss) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f}")
    engine.dispose()
    if admin is not None:
        with admin.connect() as c:
            for n in names:
                c.execute(sa.text(f'DROP DATABASE IF EXISTS "{n}" WITH (FORCE)'))
        admin.dispose()
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
