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
import tempfile
import time
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


# --- building and starting the Containerfile ------------------------------------------------
# With podman on the machine, the image is built and started for real: its own store is
# migrated by the CMD and `steward serve --workers 4` answers on the port. Private storage
# (vfs, under the test's folder) and chroot isolation need neither a daemon nor cgroup
# delegation. The base image named by FROM must be pullable, or be given as a root file
# system tarball in STEWARD_CONTAINER_BASE (a stand-in imported as the FROM image, e.g. a
# `debootstrap bookworm` with python3 and python3-venv, for machines without registry access).
CONTAINER_BASE_TAR = os.environ.get("STEWARD_CONTAINER_BASE")


def _podman(store: Path, run: Path) -> list[str]:
    podman = shutil.which("podman")
    if podman is None:
        pytest.skip("no container builder: podman is not installed (a docker client without "
                    "its daemon cannot build)")
    # podman refuses a run root longer than 50 characters: `run` is a short folder of its own.
    return [podman, "--root", str(store / "storage"), "--runroot", str(run),
            "--storage-driver", "vfs", "--events-backend", "file",
            "--cgroup-manager", "cgroupfs", "--log-level", "error"]


def _base_image(podman: list[str], base: str) -> list[str]:
    """Build options making FROM available: nothing when it can be pulled, `--from` a stand-in
    imported from STEWARD_CONTAINER_BASE otherwise; skips with the reason when neither works."""
    if CONTAINER_BASE_TAR:
        with open(CONTAINER_BASE_TAR, "rb") as tar:
            out = subprocess.run([*podman, "import", "-", "localhost/steward-test-base"],
                                 stdin=tar, capture_output=True, text=True, timeout=600)
        assert out.returncode == 0, out.stderr
        return ["--from", "localhost/steward-test-base"]
    pulled = subprocess.run([*podman, "pull", base], capture_output=True, text=True,
                            timeout=600)
    if pulled.returncode != 0:
        reason = (pulled.stderr.strip().splitlines() or ["no message"])[-1]
        pytest.skip(f"the base image {base} cannot be pulled here ({reason}); set "
                    "STEWARD_CONTAINER_BASE to a root file system tarball to build on a stand-in")
    return []


def test_containerfile_builds_and_serves(tmp_path: Path) -> None:
    redis_url = os.environ.get("STEWARD_TEST_REDIS", "redis://127.0.0.1:6379/13")
    run = Path(tempfile.mkdtemp(prefix="st-", dir="/tmp"))
    try:
        _build_and_serve(_podman(tmp_path, run), redis_url)
    finally:
        shutil.rmtree(run, ignore_errors=True)


def _build_and_serve(podman: list[str], redis_url: str) -> None:
    from tests.conftest import free_port

    steps = _instructions((DEPLOY / "Containerfile").read_text())
    base = next(rest for word, rest in steps if word == "FROM")
    from_opts = _base_image(podman, base)
    import redis

    tag = f"localhost/steward-test:{os.getpid()}"
    built = subprocess.run(
        [*podman, "build", "--isolation", "chroot", "--network", "host", *from_opts,
         "-f", str(DEPLOY / "Containerfile"), "-t", tag, str(ROOT)],
        capture_output=True, text=True, timeout=1800)
    assert built.returncode == 0, built.stderr[-3000:]
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except redis.RedisError as err:
        pytest.skip(f"Redis unreachable at {redis_url} (serve --workers 4 needs it): {err}")
    # The image's own CMD, on a free port of the host network (no port mapping needed).
    cmd = json.loads(next(rest for word, rest in steps if word == "CMD"))
    port = free_port()
    script = cmd[2].replace("--port 8000", f"--port {port}")
    assert script != cmd[2], "the CMD no longer serves on port 8000"
    name = f"steward-test-{os.getpid()}"
    policy = ROOT / "examples" / "promark"
    started = subprocess.Popen(
        [*podman, "run", "--rm", "--name", name, "--network", "host",
         "--cgroups", "disabled", "-v", f"{policy}:/etc/steward/policy:ro",
         "-e", "STEWARD_SECRET_KEY=" + "c" * 40, "-e", f"STEWARD_REDIS_URL={redis_url}",
         "-e", "STEWARD_DATABASE_URL=sqlite:////var/lib/steward/steward.db",
         tag, *cmd[:2], script],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    import httpx

    try:
        answer = None
        for _ in range(600):
            if started.poll() is not None:
                break
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/", timeout=2)
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        if answer is None and started.poll() is not None:
            said = started.stdout.read() if started.stdout else ""
            if "OCI" in said:  # the runtime itself cannot start a container on this machine
                pytest.skip(f"built, but the container runtime cannot start it here: "
                            f"{said.strip().splitlines()[-1]}")
            pytest.fail(f"the container exited before answering: {said[-2000:]}")
        assert answer is not None and answer.status_code == 200, answer
        # The CMD migrated the store inside the container, as the steward user.
        who = subprocess.run([*podman, "exec", name, "/bin/sh", "-c",
                              "id -un && ls /var/lib/steward"],
                             capture_output=True, text=True, timeout=120)
        assert who.returncode == 0 and who.stdout.split()[0] == "steward", who
        assert "steward.db" in who.stdout.split(), who.stdout
    finally:
        subprocess.run([*podman, "stop", "-t", "5", name], capture_output=True, timeout=120)
        started.wait(60)
        subprocess.run([*podman, "rmi", "-f", tag], capture_output=True, timeout=300)
