"""Settings, read once from the environment (prefix STEWARD_) and passed in; never a global."""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from steward.errors import InvalidInput

DEFAULT_POLICY = Path("examples/promark")


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="STEWARD_", extra="ignore")

    database_url: str = "sqlite:///./steward.db"
    policy: Path = DEFAULT_POLICY
    data_dir: Path = Path("var")
    secret_key: str | None = Field(
        default=None, description="signs sessions and tokens; generated into data_dir if unset"
    )
    base_url: str = "http://127.0.0.1:8000"
    # Secure cookies need HTTPS; None = decide from base_url (https → Secure). A plain-HTTP
    # laptop demo on 127.0.0.1 would otherwise never keep its session in some browsers.
    cookie_secure: bool | None = None
    # Background jobs: Huey on SQLite in data_dir by default; redis://host:port/db at scale.
    jobs_url: str | None = None
    jobs_in_process: bool = True
    jobs_name: str = "steward"  # the queue name: Steward installations sharing one Redis differ
    # E-mail: an outbox folder by default; SMTP when smtp_host is set.
    smtp_host: str | None = None
    smtp_port: int = 587
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = True
    mail_from: str = "privacy@steward.invalid"
    officer_email: str | None = None
    # Public endpoints: requests per minute per client address.
    rate_limit_per_minute: int = 30
    login_attempts_per_minute: int = 5
    consent_events_per_minute: int = 120  # cookie-banner decisions per client address
    analytics_events_per_minute: int = 600  # page-view events per client address
    # Several server processes or machines: rate-limit counters (and login throttling) in
    # this Redis (redis://host:port/db), so one limit holds across all of them.
    redis_url: str | None = None
    # Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: a comma-separated
    # list of addresses or networks (uvicorn's forwarded_allow_ips), "*" for any. Unset: the
    # headers are ignored and the client is the connection's peer, so nobody can spoof an
    # address to dodge a rate limit.
    trusted_proxies: str | None = None
    # Console sessions: ended after this long idle, and this long after sign-in regardless.
    session_idle_minutes: int = Field(default=30, ge=1)
    session_absolute_hours: int = Field(default=8, ge=1)
    # Request bodies, refused (413) while they stream in, before anything parses them: forms
    # and JSON, and the few routes that take bulk lists (affected subjects, consent batches).
    # The person's session on one request after a code (one verification per journey):
    # ended after this long idle, and this long after the code regardless.
    request_session_idle_minutes: int = Field(default=30, ge=1)
    request_session_absolute_minutes: int = Field(default=120, ge=1)
    # Attachments in a request's message thread: largest size, and the allowed kinds by file
    # extension (pdf, png, jpeg); each kind's content is checked too, not just its name.
    attachment_limit_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    attachment_types: str = "pdf,png,jpeg"
    body_limit_bytes: int = Field(default=64 * 1024, ge=1024)
    upload_limit_bytes: int = Field(default=16 * 1024 * 1024, ge=1024)

    @property
    def secure_cookies(self) -> bool:
        if self.cookie_secure is not None:
            return self.cookie_secure
        return self.base_url.startswith("https://")

    @property
    def outbox_dir(self) -> Path:
        return self.data_dir / "outbox"

    def resolved_secret_key(self) -> str:
        """The configured secret, or one generated once and kept (mode 0600) in data_dir.

        The file is written whole under a temporary name and linked into place, so a crash
        never leaves an empty key (which would sign sessions with ""), and two processes
        starting at once agree on one key. An empty key file is refused.
        """
        if self.secret_key:
            return self.secret_key
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".secret_key.{secrets.token_hex(8)}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            try:
                with os.fdopen(fd, "w") as f:
                    f.write(secrets.token_urlsafe(48))
                    f.flush()
                    os.fsync(f.fileno())
                # Fails if another process was first: its key wins.
                with contextlib.suppress(FileExistsError):
                    os.link(tmp, path)
            finally:
                tmp.unlink(missing_ok=True)
        if path.stat().st_mode & 0o077:
            # Readable by others: the key signs sessions and opens packages. Tighten it when
            # the file is ours; if it is not, the owner's setting stands.
            with contextlib.suppress(OSError):
                path.chmod(0o600)
        key = path.read_text().strip()
        if not key:
            raise InvalidInput(
                f"{path} is empty: set STEWARD_SECRET_KEY, or delete the file to generate a key "
                "(data encrypted with an earlier key cannot be read without it)"
            )
        return key
