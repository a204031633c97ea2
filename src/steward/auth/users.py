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
from steward.errors import Conflict, InvalidInput, NotFound

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


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.scalar(
        select(func.count(User.id)).where(User.role == Role.admin.value,
                                          User.disabled.is_(False), User.id != user_id)
    ) or 0


def get_user(session: Session, user_id: int) -> User:
    """The user `user_id`; NotFound for an unknown id or one outside the column's range."""
    user = session.get(User, user_id) if 0 < user_id < 2**31 else None
    if user is None:
        raise NotFound(f"no user {user_id}")
    return user


def _keep_an_admin(session: Session, user: User, actor: str, change: str) -> None:
    """Refuse a change that would leave no active admin, or that an admin makes to their own
    account (no one locks the console's management out by one click)."""
    if actor == f"user:{user.id}":
        raise Conflict(f"you cannot {change} your own account; another admin can")
    if user.role == Role.admin.value and not user.disabled and (
        _other_active_admins(session, user.id) == 0
    ):
        raise Conflict(f"cannot {change} the last active admin; make another user admin first")


def set_disabled(session: Session, *, user_id: int, disabled: bool, actor: str) -> User:
    """Disable or re-enable a user. The caller ends a disabled user's sessions
    (`SessionStore.end_all`); until then they are refused at their next request anyway."""
    user = get_user(session, user_id)
    if disabled and not user.disabled:
        _keep_an_admin(session, user, actor, "disable")
    user.disabled = disabled
    audit.append(
        session,
        actor=actor,
        action="user.disabled" if disabled else "user.enabled",
        subject_ref=f"user:{user.id}",
    )
    return user


def reset_password(session: Session, *, email: str, password: str, actor: str) -> User:
    """Give an existing user a new password and enable them (the demo admin's `--reset`);
    NotFound when there is none. The caller ends the user's sessions."""
    user = _new_password(session, email, password, actor, "user.password_reset")
    user.disabled = False
    return user


def set_role(session: Session, *, user_id: int, role: str, actor: str) -> User:
    """Give a user another role. Demoting oneself or the last active admin is refused; the
    caller ends the user's sessions so the new role applies at once."""
    try:
        r = Role(role)
    except ValueError:
        raise InvalidInput(f"unknown role {role!r}; choose admin, officer or viewer") from None
    user = get_user(session, user_id)
    if user.role == Role.admin.value and r is not Role.admin:
        _keep_an_admin(session, user, actor, "demote")
    before = user.role
    user.role = r.value
    audit.append(session, actor=actor, action="user.role_changed", subject_ref=f"user:{user.id}",
                 details={"from": before, "to": r.value})
    return user


def set_password(session: Session, *, email: str, password: str, actor: str) -> User:
    """Replace a user's password. The caller ends the user's sessions: whoever held one
    with the old password is out."""
    return _new_password(session, email, password, actor, "user.password_changed")


def _new_password(session: Session, email: str, password: str, actor: str, action: str) -> User:
    """Check the password's length, store its argon2 hash and record `action`."""
    if len(password) < MIN_PASSWORD:
        raise InvalidInput(f"the password needs at least {MIN_PASSWORD} characters")
    user = session.scalar(select(User).where(User.email == normalize_email(email)))
    if user is None:
        raise NotFound("no user with that e-mail")
    user.password_hash = _hasher.hash(password)
    audit.append(session, actor=actor, action=action, subject_ref=f"user:{user.id}")
    return user
