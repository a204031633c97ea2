"""`steward scan`: JSON lines from standard input, one-line errors, a system scan with its
stored report, and `--redact --rule` run twice."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine
from tests.scanner import desk

STEWARD = [sys.executable, "-c", "from steward.cli import main; main()"]
TEXT = "Mit CPR-nummer er 010190-1234, og jeg har været sygemeldt. Mail: ada@example.com"


def _run(*args: str, cwd: Path, stdin: bytes | None = None,
         env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([*STEWARD, *args], input=stdin, capture_output=True, cwd=cwd,
                          timeout=120, env={**os.environ, **(env or {})})


def test_stdin_json_lines_without_values(tmp_path: Path) -> None:
    r = _run("scan", "-", cwd=tmp_path, stdin=TEXT.encode())
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stdout.decode().splitlines()]
    # Expected spans located in the text by hand, not by the scanner under test.
    def span(s: str) -> tuple[int, int]:
        return TEXT.index(s), TEXT.index(s) + len(s)

    expected = [("DK_CPR", *span("010190-1234")), ("ABSENCE", *span("sygemeldt")),
                ("EMAIL", *span("ada@example.com"))]
    assert [(x["type"], x["start"], x["end"]) for x in lines] == expected
    assert all(0 < x["confidence"] <= 1 and x["rule"] for x in lines)
    assert b"010190" not in r.stdout and b"ada@" not in r.stdout
    only = _run("scan", "-", "--types", "DK_CPR,EMAIL", "--min-confidence", "0.9",
                cwd=tmp_path, stdin=TEXT.encode())
    kept = [json.loads(x) for x in only.stdout.decode().splitlines()]
    assert [(x["type"], x["start"], x["end"]) for x in kept] == [expected[0], expected[2]]
    assert all(x["confidence"] >= 0.9 for x in kept)


def test_bad_input_is_one_line_exit_1(tmp_path: Path) -> None:
    cases = [
        (["scan", "-"], b"%PDF-1.4\x00\x01\x02binary"),
        (["scan", "-"], b"\xff\xfe\xfa not utf-8"),
        (["scan", "-"], b"a" * (4_000_001)),
        (["scan", "-", "--types", "NOPE"], b"text"),
        (["scan", "-", "--min-confidence", "2"], b"text"),
        (["scan", "file.txt"], b""),
    ]
    for args, data in cases:
        r = _run(*args, cwd=tmp_path, stdin=data)
        err = r.stderr.decode()
        assert r.returncode == 1 and r.stdout == b"", (args, err)
        assert len(err.strip().splitlines()) == 1 and err.startswith("error:"), err
        assert "Traceback" not in err


def test_system_scan_and_redact_rule(tmp_path: Path, sqlite_engine: Engine) -> None:
    url = f"sqlite:///{tmp_path / 'support.db'}"
    planted = desk.fill(url)
    env = {"STEWARD_POLICY": str(desk.write_policy(tmp_path / "policy.yaml", url)),
           "STEWARD_DATABASE_URL": sqlite_engine.url.render_as_string(hide_password=False),
           "STEWARD_DATA_DIR": str(tmp_path / "var"), "STEWARD_SECRET_KEY": "test-secret"}
    r = _run("scan", "--system", "support", "--json", cwd=tmp_path, env=env)
    assert r.returncode == 0, r.stderr
    report = json.loads(r.stdout)
    fields = {f"{t['table']}.{f['field']}": f for t in report[0]["tables"] for f in t["fields"]}
    assert fields["messages.body"]["counts"] == dict(planted.counts["body"])
    assert fields["messages.internal_note"]["gap"] is True
    readable = _run("scan", "--system", "support", "--table", "messages", cwd=tmp_path, env=env)
    out = readable.stdout.decode()
    assert readable.returncode == 0 and "support.messages.internal_note" in out
    assert "policy gap" in out and "GAP" in out
    first = _run("scan", "--redact", "--rule", "support_sensitive_data", cwd=tmp_path, env=env)
    assert first.returncode == 0, first.stderr
    assert "DK_CPR 3" in first.stdout.decode()
    second = _run("scan", "--redact", "--system", "support", "--json", cwd=tmp_path, env=env)
    assert json.loads(second.stdout)[0]["rows_changed"] == 0
    after = desk.read_messages(url)
    assert all(after[i] == planted.rows[i] for i, r in planted.rows.items()
               if r["ticket_id"] not in planted.closed)
    bad = _run("scan", "--redact", "--system", "support", "--table", "tickets", cwd=tmp_path,
               env=env)
    assert bad.returncode == 1 and bad.stderr.decode().startswith("error: no retention rule")
