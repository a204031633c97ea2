"""A command that cannot use the store says, in one line, what to do: an unmigrated store, an
unreachable server, a wrong URL scheme; and a missing policy names STEWARD_POLICY."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
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


def test_a_new_sqlite_store_migrates_itself_and_says_so(tmp_path: Path) -> None:
    """The laptop default: the first command on a store that does not exist yet creates it at
    the current schema, says so in one line on stderr, and goes on with its work."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import create_engine, text

    from steward.store.migrate import alembic_config

    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    first = _steward(tmp_path, "audit", "verify", STEWARD_DATABASE_URL=url)
    assert first.returncode == 0 and "chain intact" in first.stdout, first
    lines = first.stderr.strip().splitlines()
    assert lines == [f"steward: created a new store at {url} (migrated to the current schema)"]
    engine = create_engine(url)
    with engine.connect() as c:
        current = {r[0] for r in c.execute(text("SELECT version_num FROM alembic_version"))}
    engine.dispose()
    assert current == set(ScriptDirectory.from_config(alembic_config(url)).get_heads())
    again = _steward(tmp_path, "audit", "verify", STEWARD_DATABASE_URL=url)
    assert again.returncode == 0 and again.stderr == "", again  # said once, not every time


def test_the_default_store_is_created_in_the_working_folder(tmp_path: Path) -> None:
    out = _steward(tmp_path, "audit", "verify")  # no STEWARD_DATABASE_URL: ./steward.db
    assert out.returncode == 0 and "chain intact" in out.stdout, out
    assert "created a new store at sqlite:///./steward.db" in out.stderr, out.stderr
    assert (tmp_path / "steward.db").exists()


def test_a_sqlite_file_with_other_tables_is_not_touched(tmp_path: Path) -> None:
    """Only an empty store migrates itself: a file that holds tables (someone else's
    database, named by mistake) gets the one-line fix and keeps exactly its tables."""
    import sqlite3

    path = tmp_path / "other.db"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    line = _one_line(_steward(tmp_path, "audit", "verify",
                              STEWARD_DATABASE_URL=f"sqlite:///{path}"))
    assert line.endswith("never migrated: run `steward db upgrade`"), line
    with sqlite3.connect(path) as db:
        names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    assert names == ["notes"]


def test_an_unmigrated_server_store_names_the_upgrade(tmp_path: Path, pg_server_url: str) -> None:
    """PostgreSQL is never migrated behind its operator's back: an empty database gets the
    one line naming `steward db upgrade`, and stays empty."""
    from sqlalchemy import create_engine, inspect, text

    name = f"st_{uuid.uuid4().hex[:12]}"
    admin = create_engine(pg_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as c:
        c.execute(text(f'CREATE DATABASE "{name}"'))
    url = f"{pg_server_url.rsplit('/', 1)[0]}/{name}"
    try:
        line = _one_line(_steward(tmp_path, "audit", "verify", STEWARD_DATABASE_URL=url))
        assert line.endswith("never migrated: run `steward db upgrade`"), line
        engine = create_engine(url)
        with engine.connect() as c:
            assert inspect(c).get_table_names() == []
        engine.dispose()
    finally:
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


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
