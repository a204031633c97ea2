"""`steward breach deadline`: the register's deadline function, one line of error on bad input."""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from pathlib import Path

from steward.legal.breach_clock import breach_deadline

STEWARD = [sys.executable, "-c", "from steward.cli import main; main()"]


def _run(*args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*STEWARD, *args], capture_output=True, text=True, cwd=tmp_path,
                          timeout=60)


def test_deadline_prints_iso_with_offset(tmp_path: Path) -> None:
    r = _run("breach", "deadline", "--aware", "2026-10-23T10:00+02:00", "--tz",
             "Europe/Copenhagen", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    utc_line, local_line = r.stdout.split()
    assert utc_line == breach_deadline(datetime.fromisoformat("2026-10-23T10:00+02:00")).isoformat()
    assert (utc_line, local_line) == ("2026-10-26T08:00:00+00:00", "2026-10-26T09:00:00+01:00")


def test_bad_input_is_one_line(tmp_path: Path) -> None:
    for value in ("2026-10-23T10:00", "next tuesday"):
        r = _run("breach", "deadline", "--aware", value, tmp_path=tmp_path)
        assert r.returncode == 1 and r.stdout == ""
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error:")


def test_deadline_without_offset_names_the_option(tmp_path: Path) -> None:
    r = _run("breach", "deadline", "--aware", "2026-03-28T10:00:00", tmp_path=tmp_path)
    assert r.returncode == 1 and r.stdout == ""
    assert r.stderr.startswith("error: --aware '2026-03-28T10:00:00' has no offset")
    assert "aware_at" not in r.stderr


def test_deadline_across_the_spring_dst_change(tmp_path: Path) -> None:
    # 28 March 2026 10:00 CET; clocks go forward on 29 March: still 72 real hours.
    r = _run("breach", "deadline", "--aware", "2026-03-28T10:00:00+01:00", "--tz",
             "Europe/Copenhagen", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["2026-03-31T09:00:00+00:00", "2026-03-31T11:00:00+02:00"]
