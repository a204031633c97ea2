"""Several server processes: the consent check on PostgreSQL + Redis with 2 and 4 workers
(`steward serve --workers N`), next to the bare Starlette endpoint doing the same lookup with
the same number of uvicorn workers, at 8 and 32 connections.

    .venv/bin/python bench/workers.py                       # 20 s per run
    .venv/bin/python bench/workers.py --duration 60 --subjects 100000

Needs PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and `wrk` (apt-get install wrk).
Load only on loopback; every run is bounded by --duration. Prints a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import consent as cb  # bench/consent.py: populate, the bare app, wrk

ROOT = Path(__file__).resolve().parents[1]
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/14")


def bare_factory():  # type: ignore[no-untyped-def]
    """uvicorn's factory for the bare endpoint in each worker process."""
    return cb.bare_app(os.environ["BENCH_URL"])


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    import httpx

    for _ in range(600):
        if proc.poll() is not None:
            raise RuntimeError("the server exited")
        try:
            httpx.get(f"http://127.0.0.1:{port}/", timeout=0.5)
            return
        except httpx.HTTPError:
            time.sleep(0.1)
    raise RuntimeError("the server did not start")


def start(kind: str, url: str, workers: int) -> tuple[subprocess.Popen[bytes], int]:
    port = cb.free_port()
    env = {**os.environ, "BENCH_URL": url}
    if kind == "steward":
        env.update({"STEWARD_DATABASE_URL": url, "STEWARD_SECRET_KEY": cb.SECRET,
                    "STEWARD_POLICY": str(cb.PROMARK), "STEWARD_REDIS_URL": REDIS,
                    "STEWARD_JOBS_URL": REDIS, "STEWARD_JOBS_NAME": f"b{uuid.uuid4().hex[:8]}",
                    "STEWARD_DATA_DIR": tempfile.mkdtemp(),
                    "STEWARD_BASE_URL": f"http://127.0.0.1:{port}"})
        cmd = [sys.executable, "-c", "from steward.cli import main; main()", "serve",
               "--port", str(port), "--workers", str(workers)]
    else:
        code = ("import uvicorn; uvicorn.run('workers:bare_factory', factory=True, "
                f"host='127.0.0.1', port={port}, workers={workers}, log_level='warning', "
                f"access_log=False, app_dir={str(ROOT / 'bench')!r})")
        cmd = [sys.executable, "-c", code]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    _wait(port, proc)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, 15)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, default=20_000)
    ap.add_argument("--duration", type=int, default=20)
    args = ap.parse_args()
    db = cb.pg_database()
    if db is None:
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")
    url, handle = db
    try:
        key = cb.populate(url, args.subjects)
        auth = {"Authorization": f"Bearer {key}"}
        q = "subject=person7%40example.com&purpose=newsletter"
        rows = []
        for workers in (2, 4):
            for kind, path in (("bare", "/check"), ("steward", "/api/consent/check")):
                proc, port = start(kind, url, workers)
                try:
                    target = f"http://127.0.0.1:{port}{path}?{q}"
                    cb.load_wrk(target, auth, 3, 8)  # warm-up: every worker's caches
                    for conns in (8, 32):
                        rows.append((workers, kind, conns,
                                     cb.load_wrk(target, auth, args.duration, conns)))
                finally:
                    stop(proc)
    finally:
        cb.drop_pg(handle)
    print(f"{args.subjects} subjects, {args.duration} s per run, wrk -t1, PostgreSQL store, "
          "Redis for rate limits and jobs; zero non-2xx responses in every run (wrk checked)\n")
    print("| workers | connections | bare req/s | Steward req/s | Steward / bare | "
          "bare p99 ms | Steward p50 ms | Steward p99 ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    by = {(w, k, c): r for w, k, c, r in rows}
    for workers in (2, 4):
        for conns in (8, 32):
            b, s = by[(workers, "bare", conns)], by[(workers, "steward", conns)]
            print(f"| {workers} | {conns} | {b['rps']:.0f} | {s['rps']:.0f} | "
                  f"{s['rps'] / b['rps']:.0%} | {b['p99']:.1f} | {s['p50']:.1f} | "
                  f"{s['p99']:.1f} |")


if __name__ == "__main__":
    main()
