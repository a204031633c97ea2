"""`steward consent verify | proof | filter | api-key` as a user runs them."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import update
from tests.consent.conftest import PROMARK, SECRET

from steward.consent import ledger
from steward.consent.purposes import resolve
from steward.consent.subjects import email_ref
from steward.consent.tables import ConsentEvent
from steward.store.db import make_sessionmaker, transaction

STEWARD = Path(sys.executable).with_name("steward")


def run(engine, tmp_path, *args):
    env = {**os.environ, "STEWARD_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "STEWARD_POLICY": str(PROMARK), "STEWARD_SECRET_KEY": SECRET,
           "STEWARD_DATA_DIR": str(tmp_path / "var")}
    return subprocess.run([str(STEWARD), "consent", *args], env=env, capture_output=True,
                          text=True, timeout=120)


def test_verify_proof_filter(sqlite_engine, tmp_path, policy):
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        for email, action in [("kim@example.com", "given"), ("lea@example.com", "refused"),
                              ("kim@example.com", "withdrawn"), ("kim@example.com", "given")]:
            ledger.record(s, policy, subject_ref=email_ref(SECRET, email),
                          purpose=resolve(policy, "newsletter"), action=action, method="test",
                          recorded_by="test")
    ok = run(sqlite_engine, tmp_path, "verify")
    assert ok.returncode == 0 and "4 consent events" in ok.stdout

    proof = run(sqlite_engine, tmp_path, "proof", "Kim@Example.com")
    doc = json.loads(proof.stdout)
    assert [r["event_type"] for r in doc["consent_records"]] == ["given", "withdrawn", "given"]
    assert "kim@example.com" not in proof.stdout.lower()
    html = run(sqlite_engine, tmp_path, "proof", "kim@example.com", "--format", "html")
    assert html.returncode == 0 and "<h1>Proof of consent</h1>" in html.stdout

    csv_file = tmp_path / "list.csv"
    csv_file.write_text("name,email\nKim,kim@example.com\nLea,lea@example.com\nMo,mo@example.com\n")
    f = run(sqlite_engine, tmp_path, "filter", str(csv_file), "--purpose", "newsletter")
    assert f.returncode == 0
    assert [(r["name"], r["email"]) for r in csv.DictReader(io.StringIO(f.stdout))] == [
        ("Kim", "kim@example.com")]
    assert "2 row(s) dropped" in f.stderr
    unknown = run(sqlite_engine, tmp_path, "filter", str(csv_file), "--purpose", "fax")
    assert unknown.returncode == 1 and unknown.stderr.count("\n") == 1
    assert "newsletter" in unknown.stderr and "Traceback" not in unknown.stderr

    key = run(sqlite_engine, tmp_path, "api-key", "create", "--name", "crm")
    assert key.returncode == 0 and key.stdout.splitlines()[-1].startswith("stk_")

    with transaction(sm) as s:
        s.execute(update(ConsentEvent).where(ConsentEvent.seq == 2).values(
            recorded_by="someone else"))
    broken = run(sqlite_engine, tmp_path, "verify")
    assert broken.returncode == 1 and "broken at consent event 2" in broken.stderr
