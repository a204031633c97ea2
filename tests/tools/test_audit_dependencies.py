"""The offline dependency audit (tools/audit_dependencies.py): OSV range semantics against a
hand-written table, the committed advisories against made-up installed versions, and the
check of this environment as `make lint` runs it."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[2]


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location("audit_dependencies",
                                                  ROOT / "tools" / "audit_dependencies.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


audit = _tool()

# (events, version, affected?) worked out by hand from the OSV schema's range rules.
TABLE = [
    ([{"introduced": "0"}, {"fixed": "65.5.1"}], "65.5.0", True),
    ([{"introduced": "0"}, {"fixed": "65.5.1"}], "65.5.1", False),
    ([{"introduced": "0.13.5"}, {"fixed": "0.27.0"}], "0.13.4", False),
    ([{"introduced": "0.13.5"}, {"fixed": "0.27.0"}], "0.13.5", True),
    ([{"introduced": "0.13.5"}, {"fixed": "0.27.0"}], "0.26.1", True),
    ([{"introduced": "0.13.5"}, {"fixed": "0.27.0"}], "1.10.0", False),
    ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2", True),
    ([{"introduced": "1.0"}, {"last_affected": "1.2"}], "1.2.1", False),
    # Two spans: affected again from 2.0 on, with no fix yet.
    ([{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}], "1.7", False),
    ([{"introduced": "1.0"}, {"fixed": "1.5"}, {"introduced": "2.0"}], "2.3", True),
]


@pytest.mark.parametrize(("events", "version", "expected"), TABLE)
def test_osv_ranges(events: list[dict[str, str]], version: str, expected: bool) -> None:
    assert audit.in_range(Version(version), events) is expected


def test_committed_advisories_find_old_versions_only() -> None:
    advisories = list(audit.load())
    installed = {"setuptools": "65.5.0", "starlette": "0.26.1", "jinja2": "3.1.6",
                 "httpx": "0.28.1"}
    found = {(f.package, f.advisory) for f in audit.findings(installed, advisories)}
    assert found == {("setuptools", "PYSEC-2022-43012"), ("starlette", "PYSEC-2023-83")}
    listed = {"starlette": "0.24.0"}  # before both starlette fixes
    assert {f.advisory for f in audit.findings(listed, advisories)} == {
        "PYSEC-2023-48", "PYSEC-2023-83"}


def test_accepted_advisories_carry_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "accepted.toml"
    path.write_text('[advisory.PYSEC-2023-83]\nreason = "static files are not served from '
                    'user paths"\n')
    assert audit.accepted(path) == {"PYSEC-2023-83": "static files are not served from user "
                                                     "paths"}
    with pytest.raises(KeyError):
        path.write_text("[advisory.PYSEC-2023-83]\n")
        audit.accepted(path)


def test_this_environment_passes_offline() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "tools" / "audit_dependencies.py"),
                          "check"], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "0 finding(s)" in out.stdout
