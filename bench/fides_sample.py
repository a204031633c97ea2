"""Access requests on Fides' own sample company: Steward's SQL connector (find + export, all 21
rows of customer-1@example.com in 9 tables, composite keys) next to hand-written SQL that
fetches the same rows, in the same run, on SQLite and PostgreSQL.

    .venv/bin/python bench/fides_sample.py [--requests 200] [--pg postgresql+psycopg://postgres@127.0.0.1:5432/postgres]

The sample is tiny (3 customers): this measures the fixed cost of a request (queries, round
trips, Python per row), not scaling. Fides' own timing on the same sample (its privacy-request
runner, ~2.9 s a request on this machine kind) is quoted as the peer figure.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT))

from tests.connectors import fides_db  # noqa: E402

from steward.connectors.sql import SqlConnector  # noqa: E402

# The same rows as Steward returns, fetched by hand: one query per table, all columns Steward
# reads, joins written out (independent of the connector).
HAND = {
    t: q.replace("SELECT DISTINCT p.id", "SELECT DISTINCT p.*")
    .replace("SELECT id ", "SELECT * ").replace("SELECT l.id", "SELECT l.*")
    .replace("SELECT o.id", "SELECT o.*").replace("SELECT p.id", "SELECT p.*")
    .replace("SELECT i.order_id, i.item_no", "SELECT i.*").replace("SELECT a.id", "SELECT a.*")
    .replace("SELECT email, last_visit", "SELECT *")
    for t, q in fides_db.EXPECTED_SQL.items()
}


def timed(fn: object, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append((time.perf_counter() - t0) * 1000)
    return out


def run(url: str, n: int) -> dict[str, list[float]]:
    fides_db.load(url)
    conn = SqlConnector(fides_db.system(url), url=url)
    engine = sa.create_engine(url)

    def steward() -> None:
        records = conn.find({"email": [fides_db.EMAIL]})
        assert records.count() == 21
        conn.export(records)

    def hand() -> None:
        with engine.connect() as c:
            rows = sum(len(c.execute(sa.text(q), {"e": fides_db.EMAIL}).all())
                       for q in HAND.values())
        assert rows == 21

    steward()
    hand()  # warm both: reflection, pools
    out = {"hand-written SQL": timed(hand, n), "Steward (find + export)": timed(steward, n)}
    conn.close()
    engine.dispose()
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--pg", default=None, help="PostgreSQL admin URL (a database is created)")
    args = ap.parse_args()
    results: dict[str, dict[str, list[float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        results["SQLite"] = run(f"sqlite:///{tmp}/fides.db", args.requests)
    if args.pg:
        name = f"bench_fides_{uuid.uuid4().hex[:8]}"
        admin = sa.create_engine(args.pg, isolation_level="AUTOCOMMIT")
        with admin.connect() as c:
            c.exec_driver_sql(f'CREATE DATABASE "{name}"')
        try:
            url = sa.make_url(args.pg).set(database=name).render_as_string(hide_password=False)
            results["PostgreSQL"] = run(url, args.requests)
        finally:
            with admin.connect() as c:
                c.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.dispose()
    print("| database | method | p50 ms | p95 ms |")
    print("|---|---|---|---|")
    for db, per in results.items():
        for method, times in per.items():
            q = statistics.quantiles(times, n=20)
            print(f"| {db} | {method} | {statistics.median(times):.2f} | {q[18]:.2f} |")


if __name__ == "__main__":
    main()
