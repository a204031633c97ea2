"""Creating users and checking passwords.

Passwords are hashed with argon2id (argon2-cffi defaults). Authentication runs the hash check
even for an unknown e-mail, against a fixed dummy hash, so the time taken does not reveal
whether an account exists.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from enum import StrEnum

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from steward import audit
from steward.auth.tables import User
from steward.errors import Conflict, InvalidInput

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not-a-real-password-" + "x" * 16)
MIN_PASSWORD = 12


class Role(StrEnum):
    """Ordered from least to most privileged."""

    viewer = "viewer"
    officer = "officer"
    admin = "admin"

    @property
    def rank(self) -> int:
        return list(Role).index(self)

    def allows(self, needed: Role) -> bool:
        return self.rank >= needed.rank


def normalize_email(email: str) -> str:
    email = email.strip().lower()
    if "@" not in email or len(email) > 254 or email.startswith("@") or email.endswith("@"):
        raise InvalidInput("a valid e-mail address is needed")
    return email


def create_user(
    session: Session, *, email: str, password: str, role: str, actor: str = "cli"
) -> User:
    """Create a console user; raise Conflict when the e-mail is taken."""
    email = normalize_email(email)
    try:
        r = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; choose admin, officer or viewer") from None
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters")
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise Conflict("a user with that e-mail exists")
    user = User(
        email=email,
        password_hash=_hasher.hash(password),
        role=r.value,
        created_at=datetime.now(UTC),
        disabled=False,
    )
    session.add(user)
    session.flush()
    audit.append(
        session,
        actor=actor,
        action="user.created",
        subject_ref=f"user:{user.id}",
        details={"role": r.value},
    )
    return user


def authenticate(session: Session, *, email: str, password: str) -> User | None:
    """Return the user when the password matches, else None, in about the same time."""
    try:
        email = normalize_email(email)
    except InvalidInput:
        email = ""
    user = session.scalar(select(User).where(User.email == email)) if email else None
    hashed = user.password_hash if user is not None and not user.disabled else _DUMMY_HASH
    ok: bool
    try:
        ok = _hasher.verify(hashed, password)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok or user is None or user.disabled:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
    return user


def count_users(session: Session) -> int:
    return session.scalar(select(func.count(User.id))) or 0


def generate_password() -> str:
    return secrets.token_urlsafe(15)


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.email)))


def set_disabled(session: Session, *, user_id: int, disabled: bool, actor: str) -> User:
    """Disable or re-enable a user; their open sessions end at their next request."""
    from steward.errors import NotFound

    user = session.get(User, user_id)
    if user is None:
        raise NotFound(f"no user {user_id}")
    user.disabled = disabled
    audit.append(
        session,
        actor=actor,
        action="user.disabled" if disabled else "user.enabled",
        subject_ref=f"user:{user.id}",
    )
    return user


def reset_password(session: Session, *, email: str, password: str, actor: str) -> User:
    """Give an existing user a new password (and enable them); NotFound when there is none."""
    from steward.errors import NotFound

    email = normalize_email(email)
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters")
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        raise NotFound("no user with that e-mail")
    user.password_hash = _hasher.hash(password)
    user.disabled = False
    audit.append(session, actor=actor, action="user.password_reset",
                 subject_ref=f"user:{user.id}")
    return user
