"""The deployment examples (examples/deploy/) are checked, not just shipped: the systemd units
by `systemd-analyze verify`, the nginx site by `nginx -t`, the Containerfile by parsing it, and
every command line they start by Steward's own CLI (an unknown option fails)."""

from __future__ import annotations

import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from steward.config import Settings

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "examples" / "deploy"
INSTALLED = "/opt/steward/bin/steward"
INSTRUCTIONS = {"FROM", "ENV", "RUN", "WORKDIR", "COPY", "USER", "EXPOSE", "CMD", "ARG",
                "LABEL", "ENTRYPOINT", "VOLUME", "HEALTHCHECK"}


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{name} is not installed")
        pytest.skip(f"{name} is not installed")
    return path


def _cli_accepts(argv: list[str]) -> None:
    """Steward's CLI parses `argv` (options included) without running it: `--help` after the
    options exits 0 only when every option before it exists."""
    assert argv[0] == INSTALLED, argv
    out = subprocess.run([sys.executable, "-c", "from steward.cli import main; main()",
                          *argv[1:], "--help"], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr


def _unit_commands(unit: Path) -> list[list[str]]:
    return [shlex.split(line.split("=", 1)[1]) for line in unit.read_text().splitlines()
            if line.startswith(("ExecStart=", "ExecStartPre="))]


@pytest.mark.parametrize("name", ["steward.service", "steward-worker.service"])
def test_systemd_unit_verifies_and_runs_real_commands(name: str, tmp_path: Path) -> None:
    analyze = _tool("systemd-analyze")
    unit = DEPLOY / name
    for argv in _unit_commands(unit):
        _cli_accepts(argv)
    # The unit as installed, with Steward where this checkout has it.
    copy = tmp_path / name
    copy.write_text(unit.read_text().replace(INSTALLED, str(Path(sys.executable).parent
                                                             / "steward")))
    out = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stderr
    assert name not in out.stderr, out.stderr  # no warning about our unit


def test_env_file_names_only_real_settings() -> None:
    fields = {f"STEWARD_{k.upper()}" for k in Settings.model_fields}
    names = [line.split("=", 1)[0] for line in (DEPLOY / "steward.env").read_text().splitlines()
             if line and not line.startswith("#")]
    assert names and set(names) <= fields, set(names) - fields
    assert "STEWARD_REDIS_URL" in names and "STEWARD_TRUSTED_PROXIES" in names


def test_nginx_site_passes_nginx_t(tmp_path: Path) -> None:
    nginx = _tool("nginx")
    openssl = _tool("openssl")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=privacy.example.com", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    site = (DEPLOY / "nginx.conf").read_text()
    site = site.replace("/etc/ssl/certs/privacy.example.com.pem", str(cert))
    site = site.replace("/etc/ssl/private/privacy.example.com.key", str(key))
    (tmp_path / "steward.conf").write_text(site)
    main = tmp_path / "nginx.conf"
    main.write_text(f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\n"
                    f"events {{}}\nhttp {{\n  access_log off;\n"
                    f"  include {tmp_path}/steward.conf;\n}}\n")
    out = subprocess.run([nginx, "-t", "-p", str(tmp_path), "-c", str(main)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "proxy_set_header X-Forwarded-For $remote_addr;" in site  # replaced, not appended


def _instructions(text: str) -> list[tuple[str, str]]:
    out, pending = [], ""
    for raw in text.splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        pending += line.removesuffix("\\").strip() + " "
        if not line.endswith("\\"):
            word, _, rest = pending.strip().partition(" ")
            out.append((word.upper(), rest.strip()))
            pending = ""
    assert not pending, "a continued line never ends"
    return out


def test_containerfile_parses_and_starts_real_commands() -> None:
    steps = _instructions((DEPLOY / "Containerfile").read_text())
    assert steps[0][0] == "FROM"
    assert {w for w, _ in steps} <= INSTRUCTIONS, {w for w, _ in steps} - INSTRUCTIONS
    for word, rest in steps:
        if word == "COPY":
            *sources, _dest = rest.split()
            for src in sources:
                assert (ROOT / src).exists(), f"COPY source {src} is not in the repository"
    cmd = json.loads(next(rest for w, rest in steps if w == "CMD"))
    assert cmd[:2] == ["/bin/sh", "-c"]
    for part in cmd[2].split("&&"):
        argv = shlex.split(part.strip().removeprefix("exec "))
        _cli_accepts(argv)
    assert ("USER", "steward") in steps  # never run as root
