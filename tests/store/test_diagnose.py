"""A command that cannot use the store says, in one line, what to do: an unmigrated store, an
unreachable server, a wrong URL scheme; and a missing policy names STEWARD_POLICY."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import free_port


def _steward(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("STEWARD_")}
    return subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", *args],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env={**base, "STEWARD_SECRET_KEY": "k" * 32, "STEWARD_DATA_DIR": str(tmp_path / "v"),
             **env})


def _one_line(out: subprocess.CompletedProcess[str]) -> str:
    assert out.returncode == 1, out
    assert "Traceback" not in out.stderr and "unexpected" not in out.stderr, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, out.stderr
    return lines[0]


def test_an_unmigrated_store_names_the_upgrade(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    line = _one_line(_steward(tmp_path, "audit", "verify", STEWARD_DATABASE_URL=url))
    assert line.endswith("never migrated: run `steward db upgrade`"), line
    assert _steward(tmp_path, "db", "upgrade", STEWARD_DATABASE_URL=url).returncode == 0
    ok = _steward(tmp_path, "audit", "verify", STEWARD_DATABASE_URL=url)
    assert ok.returncode == 0 and "chain intact" in ok.stdout


def test_a_store_behind_the_code_names_the_upgrade(tmp_path: Path) -> None:
    from alembic import command

    from steward.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'old.db'}"
    command.upgrade(alembic_config(url), "0001")  # the foundation only: later tables missing
    policy = str(Path(__file__).resolve().parents[2] / "examples" / "promark")
    line = _one_line(_steward(tmp_path, "breach", "list", STEWARD_DATABASE_URL=url,
                              STEWARD_POLICY=policy))
    assert "not at this version's schema: run `steward db upgrade`" in line, line


@pytest.mark.parametrize(("url", "expected"), [
    ("postgres://steward@127.0.0.1/steward", "scheme 'postgres'"),
    ("mysql://root@127.0.0.1/steward", "scheme 'mysql'"),
    ("no-scheme-at-all", "is not a database URL"),
])
def test_a_wrong_url_names_the_forms_that_work(tmp_path: Path, url: str, expected: str) -> None:
    line = _one_line(_steward(tmp_path, "audit", "verify", STEWARD_DATABASE_URL=url))
    assert expected in line and "postgresql+psycopg://" in line, line


def test_an_unreachable_server_is_named_without_its_password(tmp_path: Path) -> None:
    url = f"postgresql+psycopg://steward:s3cret-pw@127.0.0.1:{free_port()}/steward"
    line = _one_line(_steward(tmp_path, "audit", "verify", STEWARD_DATABASE_URL=url))
    assert line.startswith("error: cannot reach the database at"), line
    assert "s3cret-pw" not in line and "STEWARD_DATABASE_URL" in line


def test_no_policy_outside_the_repository_is_an_error_naming_the_setting(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 's.db'}"
    out = _steward(tmp_path, "serve", "--port", str(free_port()), STEWARD_DATABASE_URL=url)
    assert out.returncode == 1 and "Traceback" not in out.stderr
    assert "no such file or folder; set STEWARD_POLICY" in out.stderr, out.stderr
