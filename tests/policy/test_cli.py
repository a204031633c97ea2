"""`steward policy ...` and `steward ropa export` through the real entry point."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from openpyxl import load_workbook

from policy.policy_helpers import PROMARK, ROOT, line_of


def steward(*args: str, env_policy: Path | None = None) -> subprocess.CompletedProcess[str]:
    import os

    env = {**os.environ, "STEWARD_POLICY": str(env_policy or PROMARK)}
    return subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", *args],
        capture_output=True, text=True, cwd=ROOT, env=env, timeout=120,
    )


def test_validate_promark_ok() -> None:
    r = steward("policy", "validate", str(PROMARK))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok: promark 2020-02-20: 7 purposes, 8 activities, 5 systems"


def test_validate_defaults_to_steward_policy() -> None:
    r = steward("policy", "validate")
    assert r.returncode == 0 and r.stdout.startswith("ok: promark")


def test_validate_broken_copy_prints_lines_and_exits_1(tmp_path: Path) -> None:
    copy = tmp_path / "promark"
    shutil.copytree(PROMARK, copy)
    purposes = (copy / "purposes.yaml").read_text()
    purposes = purposes.replace("    legal_bases: [f]\n", "    legal_bases: [g]\n", 1)
    (copy / "purposes.yaml").write_text(purposes)
    activities = (copy / "activities.yaml").read_text()
    activities = activities.replace("    purposes: [job_applications]\n",
                                    "    purposes: [job_application]\n", 1)
    (copy / "activities.yaml").write_text(activities)
    r = steward("policy", "validate", str(copy))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr + r.stdout
    lines = r.stderr.strip().splitlines()
    assert lines[-1] == "1 problem(s)"  # model errors stop before cross-references
    assert lines[0].startswith(f"{copy / 'purposes.yaml'}:{line_of(purposes, 'legal_bases: [g]')}:")
    assert "purposes[digital_services].legal_bases[0]: unknown legal basis 'g'" in lines[0]
    # fix the model error: the cross-reference error shows, line-numbered
    (copy / "purposes.yaml").write_text(purposes.replace("legal_bases: [g]", "legal_bases: [f]"))
    r = steward("policy", "validate", str(copy))
    assert r.returncode == 1
    first, count = r.stderr.strip().splitlines()
    line = line_of(activities, "purposes: [job_application]")
    assert first.startswith(f"{copy / 'activities.yaml'}:{line}:")
    assert "undefined purpose 'job_application' (did you mean 'job_applications'?)" in first
    assert count == "1 problem(s)"


def test_other_commands_on_a_broken_policy_give_lines_not_tracebacks(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("policy: [\n")
    r = steward("policy", "render", str(bad))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    assert r.stderr.startswith(f"{bad}:")


def test_schema_out(tmp_path: Path) -> None:
    out = tmp_path / "s.json"
    r = steward("policy", "schema", "--out", str(out))
    assert r.returncode == 0
    assert json.loads(out.read_text())["title"] == "Steward privacy policy"


def test_render_markdown_danish() -> None:
    r = steward("policy", "render", "--format", "md", "--lang", "da")
    assert r.returncode == 0 and r.stdout.startswith("# Privatlivspolitik")


def test_diff_json() -> None:
    r = steward("policy", "diff", str(PROMARK), str(PROMARK), "--json")
    assert r.returncode == 0
    assert json.loads(r.stdout)["entries"] == []


def test_ropa_export_formats(tmp_path: Path) -> None:
    r = steward("ropa", "export", "--format", "json")
    assert r.returncode == 0 and len(json.loads(r.stdout)) == 8
    out = tmp_path / "ropa.xlsx"
    r = steward("ropa", "export", str(PROMARK), "--format", "xlsx", "--out", str(out))
    assert r.returncode == 0
    assert load_workbook(out).active.max_row == 9  # heading + 8 activities
    r = steward("ropa", "export", "--role", "processor", "--format", "csv")
    assert r.returncode == 0 and "workforce_management" in r.stdout
    r = steward("ropa", "export", "--format", "pdf")
    assert r.returncode == 1
    assert r.stderr.strip() == "error: unknown format 'pdf': use csv, xlsx or json"
