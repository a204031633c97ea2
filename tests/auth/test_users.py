"""Console users: argon2 hashes, uniform failures, roles."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select

from steward.auth.tables import User
from steward.auth.users import Role, authenticate, create_user
from steward.errors import Conflict, InvalidInput
from steward.store.db import make_sessionmaker, transaction

PW = "a long enough passphrase"


def test_password_is_hashed_with_argon2(sqlite_engine: Engine) -> None:
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        create_user(s, email="Officer@Example.com", password=PW, role="officer")
    with transaction(sm) as s:
        user = s.scalar(select(User))
        assert user is not None
        assert user.email == "officer@example.com"
        assert user.password_hash.startswith("$argon2id$") and PW not in user.password_hash
        assert authenticate(s, email="officer@example.com", password=PW) is not None
        assert authenticate(s, email="officer@example.com", password=PW + "x") is None
        assert authenticate(s, email="nobody@example.com", password=PW) is None
        assert authenticate(s, email="not an email", password=PW) is None


def test_bad_input_is_refused(sqlite_engine: Engine) -> None:
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        create_user(s, email="a@example.com", password=PW, role="viewer")
    with pytest.raises(Conflict), transaction(sm) as s:
        create_user(s, email="A@example.com", password=PW, role="viewer")
    with pytest.raises(InvalidInput, match="role"), transaction(sm) as s:
        create_user(s, email="b@example.com", password=PW, role="root")
    with pytest.raises(InvalidInput, match="12 characters"), transaction(sm) as s:
        create_user(s, email="c@example.com", password="short", role="viewer")


def test_roles_are_ordered() -> None:
    assert Role.admin.allows(Role.officer) and Role.officer.allows(Role.viewer)
    assert not Role.viewer.allows(Role.officer) and not Role.officer.allows(Role.admin)
