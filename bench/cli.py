"""Command-line start-up, and a request submitted from the command line vs in process.

    .venv/bin/python bench/cli.py [--runs 20] [--submits 10]

Start-up: wall time of `steward --help`, `steward dsr due --help` and `steward dsr due ...`
(each a fresh process), next to a bare interpreter (`python -c pass`) and to importing what the
command line used to load for every command (SQLAlchemy's ORM and the settings) measured in the
same run. Submission: `steward dsr submit ... --evidence` (a process per request: start-up,
policy load, store) vs `workflow.submit_request` called in a running process, both on the same
migrated SQLite store.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
STEWARD = str(BIN / "steward")
PROMARK = ROOT / "examples" / "promark"


CPU: list[float] = []  # CPU time (user + system) of each child, ms: steadier on a busy machine


def _times(cmd: list[str], runs: int, env: dict[str, str] | None = None) -> list[float]:
    out = []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, env=env)
        out.append((time.perf_counter() - t0) * 1000)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        CPU.append(((after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime))
                   * 1000)
    return out


def _row(name: str, ms: list[float], base: float, cpu: list[float] | None = None) -> str:
    p50 = statistics.median(ms)
    p95 = sorted(ms)[max(0, int(len(ms) * 0.95) - 1)]
    extra = f" {statistics.median(cpu):.0f} |" if cpu is not None else ""
    return f"| {name} | {p50:.0f} | {p95:.0f} | {p50 / base:.1f}x |{extra}"


def startup(runs: int) -> None:
    py = sys.executable
    cases = [
        ("`python -c pass` (baseline)", [py, "-c", "pass"]),
        ("`import typer` only", [py, "-c", "import typer"]),
        ("what every command used to import (ORM + settings)",
         [py, "-c", "import typer, sqlalchemy.orm, steward.config"]),
        ("`steward --help`", [STEWARD, "--help"]),
        ("`steward dsr due --help`", [STEWARD, "dsr", "due", "--help"]),
        ("`steward dsr due --received 2025-01-31 --country DK`",
         [STEWARD, "dsr", "due", "--received", "2025-01-31", "--country", "DK"]),
    ]
    results = []
    for name, cmd in cases:
        CPU.clear()
        wall = _times(cmd, runs)
        results.append((name, wall, list(CPU)))
    base = statistics.median(results[0][1])
    print(f"\nStart-up, {runs} runs each (ms)\n")
    print("| command | wall p50 | wall p95 | vs bare python | CPU p50 |\n|---|---|---|---|---|")
    for name, ms, cpu in results:
        print(_row(name, ms, base, cpu))


def submission(submits: int) -> None:
    sys.path.insert(0, str(ROOT / "src"))
    from steward.config import Settings
    from steward.policy.loader import load_policy
    from steward.requests import workflow
    from steward.store.db import make_engine, make_sessionmaker
    from steward.store.migrate import upgrade_engine

    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{tmp}/steward.db"
        engine = make_engine(url)
        upgrade_engine(engine)
        settings = Settings(database_url=url, data_dir=Path(tmp) / "var", policy=PROMARK,
                            secret_key="bench-secret-not-for-production")
        policy = load_policy(PROMARK)
        sm = make_sessionmaker(engine)
        env = {**os.environ, "STEWARD_DATABASE_URL": url, "STEWARD_DATA_DIR": f"{tmp}/var",
               "STEWARD_POLICY": str(PROMARK),
               "STEWARD_SECRET_KEY": "bench-secret-not-for-production"}
        cli = []
        for i in range(submits):
            cmd = [STEWARD, "dsr", "submit", "--type", "access", "--name", "Bench Person",
                   "--email", f"cli{i}@example.com", "--identity", f"phone=+452612{i:04d}",
                   "--evidence", "ID checked in person", "--received", "2025-01-31",
                   "--via", "post"]
            cli += _times(cmd, 1, env)
        inproc = []
        for i in range(submits * 5):
            t0 = time.perf_counter()
            workflow.submit_request(
                sm, settings, policy, type="access", name="Bench Person",
                email=f"inproc{i}@example.com", identities={"phone": [f"+452613{i:04d}"]},
                channel="officer", evidence="ID checked in person", actor="bench",
                received="2025-01-31", received_via="post",
            )
            inproc.append((time.perf_counter() - t0) * 1000)
        engine.dispose()
    base = statistics.median(inproc)
    print(f"\nA request entered by an officer (SQLite store; {submits} CLI runs, "
          f"{submits * 5} in process) (ms)\n")
    print("| how | p50 | p95 | vs in process |\n|---|---|---|---|")
    print(_row("`workflow.submit_request` in a running process (baseline)", inproc, base))
    print(_row("`steward dsr submit` (a new process each)", cli, base))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=20)
    ap.add_argument("--submits", type=int, default=10)
    args = ap.parse_args()
    startup(args.runs)
    submission(args.submits)


if __name__ == "__main__":
    main()
