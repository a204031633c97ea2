"""The command line starts without the heavy parts: `--help` never imports SQLAlchemy's ORM,
FastAPI, the settings or the policy model (a structural check on sys.modules, not a timing)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("sqlalchemy", "fastapi", "starlette", "pydantic_settings", "steward.config",
         "steward.policy.models", "steward.store.db", "holidays", "huey")

PROBE = """
import json, sys
sys.argv = ["steward", *json.loads(sys.argv[1])]
from steward.cli import main
try:
    main()
except SystemExit:
    pass
print("\\n" + json.dumps(sorted(m for m in sys.modules if m.split(".")[0] in
      ("sqlalchemy", "fastapi", "starlette", "pydantic_settings", "holidays", "huey")
      or m in ("steward.config", "steward.policy.models", "steward.store.db"))))
"""


def _loaded_after(*argv: str) -> tuple[str, list[str]]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(list(argv))],
        capture_output=True, text=True, check=True, timeout=60,
    ).stdout
    text, _, last = out.rstrip("\n").rpartition("\n")
    return text, json.loads(last)


@pytest.mark.parametrize(
    "argv",
    [("--help",), ("dsr", "--help"), ("dsr", "due", "--help"), ("dsr", "submit", "--help"),
     ("policy", "--help"), ("retention", "--help")],
)
def test_help_imports_nothing_heavy(argv: tuple[str, ...]) -> None:
    text, loaded = _loaded_after(*argv)
    assert "Usage" in text
    assert loaded == [], f"`steward {' '.join(argv)}` imported {loaded}"


def test_dsr_due_needs_no_store_and_no_policy() -> None:
    # Reg. 1182/71 Art. 3: received 31 January 2025 -> due 28 February 2025 (a Friday).
    text, loaded = _loaded_after("dsr", "due", "--received", "2025-01-31", "--country", "DK")
    assert text.strip() == "2025-02-28"
    assert not [m for m in loaded if m.startswith("sqlalchemy") or m == "steward.store.db"]
    assert "steward.config" not in loaded and "fastapi" not in loaded
