"""The SQL session store on SQLite and PostgreSQL, and the rule that the console keeps an
active admin."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, text

from steward.auth.sessions import SessionLimits, SqlSessionStore
from steward.auth.users import create_user, set_disabled, set_role
from steward.errors import Conflict
from steward.store.db import make_sessionmaker, transaction

PASSWORD = "correct horse battery staple"


def _user(engine: Engine, email: str, role: str) -> int:
    with transaction(make_sessionmaker(engine)) as s:
        return create_user(s, email=email, password=PASSWORD, role=role, actor="test").id


def test_open_check_end_and_end_all(engine: Engine) -> None:
    a = _user(engine, "a@example.com", "officer")
    b = _user(engine, "b@example.com", "viewer")
    store = SqlSessionStore(make_sessionmaker(engine), SessionLimits())
    t1, t2, t3 = store.open(a), store.open(a), store.open(b)
    assert len({t1, t2, t3}) == 3
    assert (store.user_of(t1), store.user_of(t2), store.user_of(t3)) == (a, a, b)
    assert store.user_of("not-a-token") is None and store.user_of("") is None
    store.end(t1)
    assert store.user_of(t1) is None and store.user_of(t2) == a
    assert store.end_all(a) == 1
    assert store.user_of(t2) is None and store.user_of(t3) == b
    with engine.connect() as c:
        assert c.execute(text("SELECT count(*) FROM console_sessions")).scalar_one() == 1


def test_idle_sessions_end(engine: Engine) -> None:
    a = _user(engine, "a@example.com", "officer")
    store = SqlSessionStore(make_sessionmaker(engine), SessionLimits(idle=timedelta(minutes=5)))
    token = store.open(a)
    with engine.begin() as c:
        c.execute(text("UPDATE console_sessions SET last_seen_at = :t"),
                  {"t": datetime.now(UTC) - timedelta(minutes=6)})
    assert store.user_of(token) is None


def test_the_last_active_admin_stays(sqlite_engine: Engine) -> None:
    sm = make_sessionmaker(sqlite_engine)
    only = _user(sqlite_engine, "admin@example.com", "admin")
    spare = _user(sqlite_engine, "spare@example.com", "admin")
    with transaction(sm) as s:
        set_disabled(s, user_id=spare, disabled=True, actor="cli")
    # A disabled admin does not count: `only` is the last active one.
    for change in (lambda s: set_disabled(s, user_id=only, disabled=True, actor="cli"),
                   lambda s: set_role(s, user_id=only, role="officer", actor="cli")):
        with pytest.raises(Conflict, match="last active admin"), transaction(sm) as s:
            change(s)
    with transaction(sm) as s:
        set_disabled(s, user_id=spare, disabled=False, actor="cli")
        set_role(s, user_id=only, role="officer", actor="cli")
    with sqlite_engine.connect() as c:
        roles = dict(c.execute(text("SELECT email, role FROM users")).all())
    assert roles == {"admin@example.com": "officer", "spare@example.com": "admin"}
