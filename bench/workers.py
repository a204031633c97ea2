"""Several server processes: the consent check on PostgreSQL + Redis with 2 and 4 workers
(`steward serve --workers N`), next to the bare Starlette endpoint doing the same lookup with
the same number of uvicorn workers, at 8 and 32 connections.

    .venv/bin/python bench/workers.py                       # 20 s per run
    .venv/bin/python bench/workers.py --duration 60 --subjects 100000
    .venv/bin/python bench/workers.py --duration 60 --rates 50,100,200   # + open-loop runs

Needs PostgreSQL on 127.0.0.1:5432, Redis on 127.0.0.1:6379 and `wrk` (apt-get install wrk).
Load only on loopback; every run is bounded by --duration. Prints a Markdown table with every
run's requests and errors (non-2xx answers and wrk's socket errors: connect, read, write,
timeout), counted rather than stopping the run, and the machine's load average around it.

With --rates, each server also gets open-loop runs at 8 connections (bench/openloop.py): a
fixed number of requests per second, latency counted from each request's due time. wrk's
closed loop ties p99 to throughput (8 requests always in flight: mean latency = 8 / req/s), so
"p99 < 10 ms at 8 connections" can only be judged at a rate the machine can serve.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import openloop

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
        env.update(
            {
                "STEWARD_DATABASE_URL": url,
                "STEWARD_SECRET_KEY": cb.SECRET,
                "STEWARD_POLICY": str(cb.PROMARK),
                "STEWARD_REDIS_URL": REDIS,
                "STEWARD_JOBS_URL": REDIS,
                "STEWARD_JOBS_NAME": f"b{uuid.uuid4().hex[:8]}",
                "STEWARD_DATA_DIR": tempfile.mkdtemp(),
                "STEWARD_BASE_URL": f"http://127.0.0.1:{port}",
            }
        )
        cmd = [
            sys.executable,
            "-c",
            "from steward.cli import main; main()",
            "serve",
            "--port",
            str(port),
            "--workers",
            str(workers),
        ]
    else:
        code = (
            "import uvicorn; uvicorn.run('workers:bare_factory', factory=True, "
            f"host='127.0.0.1', port={port}, workers={workers}, log_level='warning', "
            f"access_log=False, app_dir={str(ROOT / 'bench')!r})"
        )
        cmd = [sys.executable, "-c", code]
    proc = subprocess.Popen(
        cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    _wait(port, proc)
    return proc, port


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, 15)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()


def group_cpu_seconds(pgid: int) -> float:
    """CPU time (user + system) used so far by every live process of the process group
    `pgid` (the server and its workers), from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # the process ended meanwhile
        if int(fields[2]) == pgid:  # fields after the name: state, ppid, pgrp, ...
            total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def load_counted(
    url: str, headers: dict[str, str], duration: int, conns: int, pgid: int | None = None
) -> dict[str, float]:
    """One wrk run: throughput, p50/p99, the number of requests and of errors of every kind,
    and (with the server's process group) the server's CPU milliseconds per request: the
    service time, which the machine's other load does not inflate the way it does latency."""
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{duration}s", "--latency"]
    for k, v in headers.items():
        cmd += ["-H", f"{k}: {v}"]
    load_before = os.getloadavg()[0]
    cpu_before = group_cpu_seconds(pgid) if pgid else 0.0
    out = subprocess.run([*cmd, url], capture_output=True, text=True, check=True).stdout
    cpu = group_cpu_seconds(pgid) - cpu_before if pgid else 0.0
    figures = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),  # type: ignore[union-attr]
        "p50": cb._ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
        "p99": cb._ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),  # type: ignore[union-attr]
    }
    figures["requests"] = float(re.search(r"(\d+) requests in", out).group(1))  # type: ignore[union-attr]
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out
    )
    figures["errors"] = float(int(non2xx.group(1)) if non2xx else 0) + float(
        sum(int(x) for x in sockets.groups()) if sockets else 0
    )
    figures["load"] = (load_before + os.getloadavg()[0]) / 2
    figures["cpu_ms"] = 1000 * cpu / figures["requests"] if figures["requests"] else 0.0
    return figures


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--subjects", type=int, default=20_000)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--rates", default="", help="open-loop rates (req/s), e.g. 50,100,200")
    ap.add_argument("--workers", default="2,4")
    args = ap.parse_args()
    rates = [float(r) for r in args.rates.split(",") if r.strip()]
    worker_counts = [int(w) for w in args.workers.split(",")]
    db = cb.pg_database()
    if db is None:
        raise SystemExit("PostgreSQL is not reachable on 127.0.0.1:5432")
    url, handle = db
    try:
        key = cb.populate(url, args.subjects)
        auth = {"Authorization": f"Bearer {key}"}
        q = "subject=person7%40example.com&purpose=newsletter"
        rows = []
        steady = []
        for workers in worker_counts:
            for kind, path in (("bare", "/check"), ("steward", "/api/consent/check")):
                proc, port = start(kind, url, workers)
                try:
                    target = f"http://127.0.0.1:{port}{path}?{q}"
                    load_counted(target, auth, 3, 8)  # warm-up: every worker's caches
                    for conns in (8, 32):
                        rows.append(
                            (
                                workers,
                                kind,
                                conns,
                                load_counted(target, auth, args.duration, conns, proc.pid),
                            )
                        )
                    for rate in rates:
                        load = os.getloadavg()[0]
                        got = openloop.run(
                            "127.0.0.1",
                            port,
                            f"{path}?{q}",
                            auth,
                            rate=rate,
                            duration=args.duration,
                            conns=8,
                        )
                        got["load"] = (load + os.getloadavg()[0]) / 2
                        steady.append((workers, kind, rate, got))
                finally:
                    stop(proc)
    finally:
        cb.drop_pg(handle)
    print(
        f"{args.subjects} subjects, {args.duration} s per run, wrk -t1, PostgreSQL store, "
        "Redis for rate limits and jobs\n"
    )
    print(
        "| workers | connections | bare req/s | Steward req/s | Steward / bare | "
        "bare p50 / p99 ms | Steward p50 / p99 ms | requests (bare / Steward) | "
        "errors (bare / Steward) | server CPU ms per request (bare / Steward) | load avg |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    by = {(w, k, c): r for w, k, c, r in rows}
    for workers in worker_counts:
        for conns in (8, 32):
            b, s = by[(workers, "bare", conns)], by[(workers, "steward", conns)]
            print(
                f"| {workers} | {conns} | {b['rps']:.0f} | {s['rps']:.0f} | "
                f"{s['rps'] / b['rps']:.0%} | {b['p50']:.1f} / {b['p99']:.1f} | "
                f"{s['p50']:.1f} / {s['p99']:.1f} | {b['requests']:.0f} / "
                f"{s['requests']:.0f} | {b['errors']:.0f} / {s['errors']:.0f} | "
                f"{b['cpu_ms']:.2f} / {s['cpu_ms']:.2f} | "
                f"{b['load']:.1f} / {s['load']:.1f} |"
            )

    if steady:
        print("\nOpen loop, 8 connections, a fixed rate; latency from each request's due time\n")
        print(
            "| workers | rate req/s | bare p50 / p99 / max ms | Steward p50 / p99 / max ms | "
            "answered of due (bare / Steward) | errors (bare / Steward) | load avg |"
        )
        print("|---:|---:|---|---|---|---:|---:|")
        got = {(w, k, r): f for w, k, r, f in steady}
        for workers in worker_counts:
            for rate in rates:
                b, s = got[(workers, "bare", rate)], got[(workers, "steward", rate)]
                print(
                    f"| {workers} | {rate:.0f} | {b['p50']:.1f} / {b['p99']:.1f} / "
                    f"{b['max']:.0f} | {s['p50']:.1f} / {s['p99']:.1f} / {s['max']:.0f} | "
                    f"{b['requests']:.0f} of {b['expected']:.0f} / {s['requests']:.0f} of "
                    f"{s['expected']:.0f} | {b['errors']:.0f} / {s['errors']:.0f} | "
                    f"{b['load']:.1f} / {s['load']:.1f} |"
                )


if __name__ == "__main__":
    main()
