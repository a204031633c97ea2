"""`steward users demo-admin`: the login printed once, said to exist after, reset on demand
(a real subprocess; the password is checked against the store with the argon2 verifier)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from steward.audit.tables import AuditEvent
from steward.auth.tables import User
from steward.auth.users import authenticate, create_user
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade

LOGIN = re.compile(r"^demo console login: admin@steward\.example / (\S+)$")


def _steward(*args: str, db: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "STEWARD_DATABASE_URL": db, "STEWARD_DATA_DIR": str(tmp / "var")}
    return subprocess.run([sys.executable, "-c", "from steward.cli import main; main()", *args],
                          capture_output=True, text=True, env=env, timeout=120)


def _password(out: str) -> str:
    m = LOGIN.match(out.strip())
    assert m, out
    return m.group(1)


def test_printed_once_then_reset(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/steward.db"
    upgrade(db)
    sm = make_sessionmaker(make_engine(db))
    first = _steward("users", "demo-admin", db=db, tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    old = _password(first.stdout)
    again = _steward("users", "demo-admin", db=db, tmp=tmp_path)
    assert again.returncode == 0 and old not in again.stdout
    assert "--reset" in again.stdout and "admin@steward.example" in again.stdout
    reset = _steward("users", "demo-admin", "--reset", db=db, tmp=tmp_path)
    assert reset.returncode == 0, reset.stderr
    new = _password(reset.stdout)
    assert new != old
    with transaction(sm) as s:
        assert authenticate(s, email="admin@steward.example", password=old) is None
        user = authenticate(s, email="admin@steward.example", password=new)
        assert user is not None and user.role == "admin"
        assert len(s.scalars(select(User)).all()) == 1
        actions = s.scalars(select(AuditEvent.action).order_by(AuditEvent.seq)).all()
        assert actions == ["user.created", "user.password_reset"]
    verified = _steward("audit", "verify", db=db, tmp=tmp_path)
    assert verified.returncode == 0 and "2 events, chain intact" in verified.stdout


def test_other_users_exist(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path}/steward.db"
    upgrade(db)
    sm = make_sessionmaker(make_engine(db))
    with transaction(sm) as s:
        create_user(s, email="dpo@example.com", password="a-long-password-1", role="admin")
    kept = _steward("users", "demo-admin", db=db, tmp=tmp_path)
    assert kept.returncode == 0 and "not created" in kept.stdout and "/" not in kept.stdout
    made = _steward("users", "demo-admin", "--reset", db=db, tmp=tmp_path)
    password = _password(made.stdout)
    with transaction(sm) as s:
        assert authenticate(s, email="admin@steward.example", password=password) is not None
        assert authenticate(s, email="dpo@example.com", password="a-long-password-1") is not None
