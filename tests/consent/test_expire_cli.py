"""`steward consent expire` records every lapsed consent, however many batches that takes (it
used to stop after one batch), and refuses a batch size below one with a one-line error."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from tests.helpers import PROMARK

from steward.consent import ledger, state
from steward.consent.purposes import resolve
from steward.policy.loader import load_policy
from steward.store.db import make_engine, make_sessionmaker, transaction
from steward.store.migrate import upgrade_engine


def _steward(*args: str, tmp_path: Path, db: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STEWARD_DATA_DIR": str(tmp_path / "var"),
        "STEWARD_POLICY": str(PROMARK),
        "STEWARD_DATABASE_URL": f"sqlite:///{db}",
    }
    return subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", *args],
        capture_output=True, text=True, env=env, timeout=120,
    )


def test_expire_takes_every_batch(tmp_path: Path) -> None:
    db = tmp_path / "steward.db"
    engine = make_engine(f"sqlite:///{db}")
    upgrade_engine(engine)
    policy = load_policy(PROMARK)
    marketing = resolve(policy, "cookie.marketing")  # valid 180 days in the ProMark policy
    sm = make_sessionmaker(engine)
    long_ago = datetime.now(UTC) - timedelta(days=200)
    with transaction(sm) as s:
        for i in range(5):
            ledger.record(s, policy, subject_ref=f"cid:lapsed-{i}", purpose=marketing,
                          action="given", method="test", recorded_by="test",
                          at=long_ago + timedelta(minutes=i))
        ledger.record(s, policy, subject_ref="cid:recent", purpose=marketing, action="given",
                      method="test", recorded_by="test",
                      at=datetime.now(UTC) - timedelta(days=3))
    engine.dispose()

    first = _steward("consent", "expire", "--batch", "2", tmp_path=tmp_path, db=db)
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "5 consent(s) expired"  # batches of 2, 2 and 1
    again = _steward("consent", "expire", tmp_path=tmp_path, db=db)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == "0 consent(s) expired"
    with transaction(make_sessionmaker(make_engine(f"sqlite:///{db}"))) as s:
        assert [state.get(s, f"cid:lapsed-{i}", "cookie.marketing").state  # type: ignore[union-attr]
                for i in range(5)] == ["expired"] * 5
        assert state.get(s, "cid:recent", "cookie.marketing").state == "given"  # type: ignore[union-attr]

    refused = _steward("consent", "expire", "--batch", "0", tmp_path=tmp_path, db=db)
    assert refused.returncode != 0
    assert "Traceback" not in refused.stderr
    assert "--batch" in refused.stderr
