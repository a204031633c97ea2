"""`steward announce`: the preview before publishing tells who will (not) be told; sending
prints the start date; bad input is one line and a non-zero exit."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import sqlalchemy as sa
from tests.helpers import PROMARK
from tests.publication.factories import demo_company, policy_v2

from steward.policy.loader import load_policy
from steward.publication.versions import publish
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine

STEWARD = [sys.executable, "-c", "from steward.cli import main; main()"]


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*STEWARD, *args], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def test_preview_send_and_bad_input(tmp_path: Path,
                                    smtp_server: tuple[str, int, list[object]]) -> None:
    store = f"sqlite:///{tmp_path / 'steward.db'}"
    engine = make_engine(store)
    upgrade_engine(engine)
    with transaction(make_sessionmaker(engine)) as s:
        publish(s, load_policy(PROMARK))
    v2 = policy_v2(tmp_path)
    demo = demo_company(tmp_path / "var")
    eng = sa.create_engine(f"sqlite:///{demo / 'crm.db'}")
    with eng.connect() as c:
        people = c.execute(sa.text("SELECT count(DISTINCT lower(email)) FROM customers")).scalar()
    eng.dispose()
    env = {"STEWARD_DATABASE_URL": store, "STEWARD_DATA_DIR": str(tmp_path / "var"),
           "STEWARD_SECRET_KEY": "test-secret-key-not-for-production",
           "STEWARD_POLICY": str(v2), "STEWARD_SMTP_HOST": smtp_server[0],
           "STEWARD_SMTP_PORT": str(smtp_server[1]), "STEWARD_SMTP_STARTTLS": "false"}

    # Before publishing: the new purpose, and who would be told.
    r = _run(env, "announce", "preview")
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines()[0] == (
        "product_research: added -- announce before processing starts (GDPR Art. 13(3)): "
        f"{people} person(s) will be told by e-mail")
    assert "  not told:" not in r.stdout

    with transaction(make_sessionmaker(engine)) as s:
        publish(s, load_policy(v2))
    r = _run(env, "announce", "send", "1")
    assert r.returncode == 0, r.stderr
    assert "processing may start on" in r.stdout and f"sent {people}, failed 0" in r.stdout
    assert len(smtp_server[2]) == people
    r = _run(env, "announce", "list")
    assert f"\tsent {people} failed 0 objected 0" in r.stdout

    for args in (("announce", "send", "1"), ("announce", "send", "99")):
        r = _run(env, *args)
        assert r.returncode != 0 and r.stdout == ""
        assert len(r.stderr.strip().splitlines()) == 1 and r.stderr.startswith("error:")
    engine.dispose()
