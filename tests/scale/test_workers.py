"""Several server processes, one truth: real `steward serve` processes sharing Redis, on a
SQLite and a PostgreSQL store.

- two servers on two ports (two machines behind a balancer) keep one login throttle;
- `steward serve --workers 2` serves, and its processes keep one limit;
- X-Forwarded-For is believed only from a configured proxy (STEWARD_TRUSTED_PROXIES);
- `--workers 2` without Redis is refused with one line naming the fix.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine
from tests.conftest import free_port
from tests.helpers import PROMARK, csrf_from

REDIS_URL = os.environ.get("STEWARD_TEST_REDIS", "redis://127.0.0.1:6379/13")
LIMIT = 3  # failed sign-ins per minute per client address


def _redis_or_skip() -> None:
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as err:
        if os.environ.get("CI") == "true":
            raise
        pytest.skip(f"Redis unreachable at {REDIS_URL}: {err}")


@pytest.fixture
def env(engine: Engine, tmp_path: Path) -> dict[str, str]:
    """Settings for server processes on a migrated store (SQLite, and PostgreSQL)."""
    _redis_or_skip()
    store = engine.url.render_as_string(hide_password=False)
    return {**os.environ, "STEWARD_DATABASE_URL": store, "STEWARD_POLICY": str(PROMARK),
            "STEWARD_DATA_DIR": str(tmp_path / "var"), "STEWARD_SECRET_KEY": "k" * 40,
            "STEWARD_REDIS_URL": REDIS_URL, "STEWARD_JOBS_NAME": f"t{uuid.uuid4().hex[:10]}",
            "STEWARD_LOGIN_ATTEMPTS_PER_MINUTE": str(LIMIT), "STEWARD_COOKIE_SECURE": "false",
            "STEWARD_BASE_URL": "http://127.0.0.1"}


def _serve(env: dict[str, str], *args: str) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    log = tempfile.TemporaryFile("w+")  # uvicorn logs to stderr: a pipe could fill up
    proc = subprocess.Popen(
        [sys.executable, "-c", "from steward.cli import main; main()", "serve",
         "--port", str(port), *args],
        env=env, stdout=subprocess.DEVNULL, stderr=log, text=True, start_new_session=True)
    proc.log = log  # type: ignore[attr-defined]
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            log.seek(0)
            raise RuntimeError(f"serve exited: {log.read()[-2000:]}")
        try:
            if httpx.get(f"{url}/console/login", timeout=2).status_code == 200:
                return proc, url
        except httpx.TransportError:
            time.sleep(0.2)
    _stop(proc)
    raise RuntimeError("serve did not start")


def _stop(proc: subprocess.Popen[str]) -> None:
    os.killpg(proc.pid, 15)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, 9)
        proc.wait()
    proc.log.close()  # type: ignore[attr-defined]


@pytest.fixture
def servers(env: dict[str, str]) -> Iterator[list[str]]:
    started = [_serve(env), _serve(env)]
    try:
        yield [url for _, url in started]
    finally:
        for proc, _ in started:
            _stop(proc)


def _failed_login(client: httpx.Client, url: str, **headers: str) -> int:
    """One wrong-password sign-in through `url`; the status code."""
    token = csrf_from(client.get(f"{url}/console/login").text)
    resp = client.post(f"{url}/console/login", headers=headers, data={
        "email": "nobody@example.com", "password": "wrong", "csrf_token": token})
    return resp.status_code


@pytest.mark.redis
def test_two_servers_keep_one_login_throttle(servers: list[str]) -> None:
    a, b = servers
    with httpx.Client() as client:
        # Alternating between the servers: each alone would have seen at most 3 tries.
        codes = [_failed_login(client, a if i % 2 == 0 else b) for i in range(2 * LIMIT)]
    assert codes == [401] * LIMIT + [429] * LIMIT


@pytest.mark.redis
def test_forwarded_for_is_ignored_unless_the_proxy_is_trusted(servers: list[str]) -> None:
    with httpx.Client() as client:
        codes = [_failed_login(client, servers[0], **{"X-Forwarded-For": f"192.0.2.{i}"})
                 for i in range(LIMIT + 1)]
    assert codes[-1] == 429  # a forged header does not buy fresh tries


@pytest.mark.redis
def test_serve_workers_shares_one_limit_and_trusts_the_proxy(env: dict[str, str]) -> None:
    proc, url = _serve({**env, "STEWARD_TRUSTED_PROXIES": "127.0.0.1"}, "--workers", "2")
    try:
        children = subprocess.run(["ps", "-o", "pid=", "--ppid", str(proc.pid)],
                                  capture_output=True, text=True, check=True).stdout.split()
        assert len(children) >= 2  # the server processes under uvicorn's supervisor
        with httpx.Client() as client:
            # Behind the trusted proxy each forwarded client has its own limit ...
            spread = [_failed_login(client, url, **{"X-Forwarded-For": f"198.51.100.{i}"})
                      for i in range(LIMIT + 1)]
        assert spread == [401] * (LIMIT + 1)
        # ... and one client's tries count once across the processes (new connections,
        # so the kernel hands them to either process).
        codes = []
        for _ in range(2 * LIMIT):
            with httpx.Client() as client:
                codes.append(_failed_login(client, url, **{"X-Forwarded-For": "203.0.113.9"}))
        assert codes == [401] * LIMIT + [429] * LIMIT
    finally:
        _stop(proc)


def test_workers_without_redis_is_refused_in_one_line(env: dict[str, str]) -> None:
    env = {k: v for k, v in env.items() if k != "STEWARD_REDIS_URL"}
    out = subprocess.run(
        [sys.executable, "-c", "from steward.cli import main; main()", "serve",
         "--port", str(free_port()), "--workers", "2"],
        env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode != 0
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and re.search(r"STEWARD_REDIS_URL", lines[0]), out.stderr


def _nginx_or_skip() -> tuple[str, str]:
    import shutil

    nginx, openssl = shutil.which("nginx"), shutil.which("openssl")
    if not nginx or not openssl:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx and openssl are needed for the reverse-proxy test")
        pytest.skip("nginx or openssl is not installed")
    return nginx, openssl


@pytest.mark.redis
def test_behind_the_example_nginx_proxy(env: dict[str, str], tmp_path: Path) -> None:
    """The shipped nginx site in front of `steward serve`: plain HTTP is redirected to HTTPS,
    and a client's own X-Forwarded-For never reaches Steward (nginx replaces it), so forged
    addresses buy no fresh sign-in tries."""
    nginx, openssl = _nginx_or_skip()
    root = Path(__file__).resolve().parents[2]
    proc, url = _serve({**env, "STEWARD_TRUSTED_PROXIES": "127.0.0.1"})
    http_port, https_port = free_port(), free_port()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=privacy.example.com", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True, timeout=60)
    site = (root / "examples" / "deploy" / "nginx.conf").read_text()
    site = (site.replace("/etc/ssl/certs/privacy.example.com.pem", str(cert))
                .replace("/etc/ssl/private/privacy.example.com.key", str(key))
                .replace("server 127.0.0.1:8000;", f"server {url.removeprefix('http://')};")
                .replace("listen 80;", f"listen 127.0.0.1:{http_port};")
                .replace("listen 443 ssl", f"listen 127.0.0.1:{https_port} ssl"))
    (tmp_path / "steward.conf").write_text(site)
    conf = tmp_path / "nginx.conf"
    conf.write_text(f"daemon off;\nmaster_process off;\npid {tmp_path}/nginx.pid;\n"
                    f"error_log {tmp_path}/error.log;\nevents {{}}\nhttp {{\n"
                    f"  access_log off;\n  client_body_temp_path {tmp_path}/body;\n"
                    f"  proxy_temp_path {tmp_path}/proxy;\n"
                    f"  include {tmp_path}/steward.conf;\n}}\n")
    proxy = subprocess.Popen([nginx, "-p", str(tmp_path), "-c", str(conf)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        front = f"https://127.0.0.1:{https_port}"
        with httpx.Client(verify=False, headers={"Host": "privacy.example.com"}) as client:
            deadline = time.monotonic() + 30
            while True:
                try:
                    client.get(f"{front}/console/login")
                    break
                except httpx.TransportError:
                    assert time.monotonic() < deadline, "nginx did not start"
                    time.sleep(0.1)
            plain = client.get(f"http://127.0.0.1:{http_port}/console/login")
            assert plain.status_code == 301
            assert plain.headers["location"].startswith("https://privacy.example.com/")
            codes = [_failed_login(client, front, **{"X-Forwarded-For": f"192.0.2.{i}"})
                     for i in range(LIMIT + 1)]
        assert codes == [401] * LIMIT + [429]
    finally:
        proxy.terminate()
        proxy.wait(20)
        _stop(proc)
