"""The read-only engine: reads see committed writes, never take the write lock, never write."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError

from steward import audit
from steward.store.db import make_reader, make_sessionmaker, transaction


def test_reader_reads_while_a_writer_holds_the_lock(sqlite_engine: Engine) -> None:
    reader = make_reader(sqlite_engine)
    assert reader is not sqlite_engine
    sm = make_sessionmaker(sqlite_engine)
    with transaction(sm) as s:
        audit.append(s, actor="t", action="first")
    with sqlite_engine.connect() as writer:
        writer.execute(text("UPDATE audit_head SET seq = seq WHERE id = 1"))  # holds the lock
        with reader.connect() as r:  # would wait (and time out) if it needed the write lock
            assert r.execute(text("SELECT count(*) FROM audit_events")).scalar() == 1
        writer.rollback()
    with reader.begin() as r, pytest.raises(OperationalError, match="readonly"):
        r.execute(text("DELETE FROM audit_events"))
    reader.dispose()
