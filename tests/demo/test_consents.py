"""`steward demo` imports the newsletter tool's subscribers into the consent ledger: the demo
person (subscribed since 2017) has the newsletter on, and the consent filter keeps all 98."""

from __future__ import annotations

import csv
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

from tests.connectors.promark import ROOT

SECRET = "demo-consent-test-secret"


def _steward(*args: str, tmp: Path) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "STEWARD_DATA_DIR": str(tmp / "var"),
        "STEWARD_DATABASE_URL": f"sqlite:///{tmp / 'steward.db'}",
        "STEWARD_SECRET_KEY": SECRET,
        "STEWARD_POLICY": str(ROOT / "examples" / "promark"),
    }
    env.pop("PROMARK_NEWSLETTER_TOKEN", None)
    return subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )


def test_demo_subscribers_keep_their_newsletter(tmp_path: Path) -> None:
    assert _steward("db", "upgrade", tmp=tmp_path).returncode == 0
    made = _steward("demo", "--seed", "1", tmp=tmp_path)  # the default 200 customers
    assert made.returncode == 0, made.stderr
    assert "98 new, 0 already imported, 0 refused" in made.stdout
    # The subscribers as the newsletter tool holds them (read from its file, not from Steward).
    with sqlite3.connect(tmp_path / "var" / "demo" / "newsletter.db") as db:
        emails = [r[0] for r in db.execute("SELECT email FROM subscribers ORDER BY id")]
        since = dict(db.execute("SELECT email, subscribed_at FROM subscribers"))
    assert len(emails) == 98
    listing = tmp_path / "list.csv"
    listing.write_text("email\n" + "".join(f"{e}\n" for e in emails), encoding="utf-8")
    kept = _steward("consent", "filter", str(listing), "--purpose", "newsletter", tmp=tmp_path)
    assert kept.returncode == 0, kept.stderr
    assert [r["email"] for r in csv.DictReader(io.StringIO(kept.stdout))] == emails
    assert "0 row(s) dropped" in kept.stderr

    # The demo person: customer 1, subscribed in 2017, newsletter on, shown as imported.
    showcase = made.stdout.split("a fictional person in all five systems: ")[1].split(" / ")[0]
    assert since[showcase].startswith("2017-")
    proof = _steward("consent", "proof", showcase, tmp=tmp_path)
    assert proof.returncode == 0, proof.stderr
    assert '"collection_method": "import"' in proof.stdout
    assert f'"timestamp": "{since[showcase][:10]}' in proof.stdout
    assert '"state": "given"' in proof.stdout

    again = _steward("demo", "--if-missing", tmp=tmp_path)
    assert again.returncode == 0 and "0 new, 98 already imported" in again.stdout
    verify = _steward("consent", "verify", tmp=tmp_path)
    assert verify.returncode == 0 and "98 consent events" in verify.stdout


def test_demo_on_a_new_store_migrates_it_and_imports(tmp_path: Path) -> None:
    # A new SQLite store migrates itself (issue 13), so the demo records the subscribers'
    # consents at once: as many as the exported file has rows.
    made = _steward("demo", "--customers", "20", tmp=tmp_path)
    assert made.returncode == 0, made.stderr
    exported = tmp_path / "var" / "demo" / "newsletter-consents.csv"
    rows = len(exported.read_text(encoding="utf-8").splitlines()) - 1
    assert rows > 0
    assert f"{exported}: {rows} new, 0 already imported, 0 refused" in made.stdout
