"""`steward demo` and `steward systems list` as a user runs them (a real subprocess)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.connectors.promark import ROOT


def _steward(*args: str, data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STEWARD_DATA_DIR": str(data_dir),
           "STEWARD_POLICY": str(ROOT / "examples" / "promark")}
    env.pop("PROMARK_NEWSLETTER_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_demo_if_missing_and_systems_list(tmp_path: Path) -> None:
    made = _steward("demo", "--customers", "25", "--seed", "2", data_dir=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "crm.customers" in made.stdout and "in all five systems" in made.stdout
    token_file = tmp_path / "demo" / "newsletter.token"
    token = token_file.read_text().strip()
    assert token in made.stdout and oct(token_file.stat().st_mode)[-3:] == "600"
    kept = _steward("demo", "--if-missing", data_dir=tmp_path)
    assert kept.returncode == 0 and "kept" in kept.stdout
    again = _steward("demo", data_dir=tmp_path)
    assert again.returncode == 1
    assert again.stderr.strip().count("\n") == 0 and "--if-missing" in again.stderr
    listed = _steward("systems", "list", data_dir=tmp_path)
    assert listed.returncode == 0, listed.stderr
    lines = {line.split()[0]: line for line in listed.stdout.splitlines()}
    assert all("reachable" in lines[k] and "unreachable" not in lines[k]
               for k in ("crm", "portal", "support", "recruiting"))
    assert "unreachable" in lines["newsletter"]  # the web app that serves it is not running


def test_bad_arguments_are_one_line(tmp_path: Path) -> None:
    both = _steward("demo", "--dir", str(tmp_path), "--url-prefix", "sqlite://", data_dir=tmp_path)
    assert both.returncode == 1 and both.stderr.strip() == (
        "error: give either --url-prefix or --dir, not both"
    )
    bad = _steward("demo", "--url-prefix", "sqlite:///x.db", data_dir=tmp_path)
    assert bad.returncode == 1 and "PostgreSQL or MariaDB" in bad.stderr
    assert "Traceback" not in bad.stderr
    missing = _steward("systems", "import-fides", str(tmp_path / "none.yml"), data_dir=tmp_path)
    assert missing.returncode == 1 and "cannot read" in missing.stderr
