"""Job locks that die with their holder: one execution of a request at a time, across every
worker process and machine, and never a lock left behind by a killed worker.

The lock lives where the work's truth lives, Steward's store, and is tied to a connection or
a file descriptor, so the operating system or the database frees it when the holder dies
(`kill -9` included); there is no expiry to guess.

- PostgreSQL: a session advisory lock (`pg_try_advisory_lock`) on a connection held for the
  job; the server drops it when that connection ends.
- MariaDB/MySQL: `GET_LOCK(name, 0)`, likewise bound to its connection.
- SQLite (one machine by nature): `flock` on a file in data_dir/locks, freed by the kernel
  when the process ends.
"""

from __future__ import annotations

import fcntl
import os
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text

from steward.errors import InvalidInput

NAMESPACE = 0x5357  # "SW": keeps Steward's advisory locks apart from other applications'


@contextmanager
def exclusive(engine: Engine, data_dir: Path, name: str) -> Iterator[bool]:
    """Try to take the lock `name` without waiting; yield whether it was taken. The lock is
    held until the block ends (or the process dies)."""
    dialect = engine.dialect.name
    if dialect == "sqlite":
        with _flock(data_dir / "locks", name) as taken:
            yield taken
        return
    with engine.connect() as conn:
        if dialect == "postgresql":
            key = zlib.crc32(name.encode())  # int4 range for the two-key form
            taken = bool(conn.execute(text("SELECT pg_try_advisory_lock(:ns, :k)"),
                                      {"ns": NAMESPACE, "k": key - 2**31}).scalar())
            release = text("SELECT pg_advisory_unlock(:ns, :k)")
            params: dict[str, object] = {"ns": NAMESPACE, "k": key - 2**31}
        elif dialect in ("mysql", "mariadb"):
            params = {"n": f"steward:{name}"[:64]}
            taken = conn.execute(text("SELECT GET_LOCK(:n, 0)"), params).scalar() == 1
            release = text("SELECT RELEASE_LOCK(:n)")
        else:
            raise InvalidInput(f"job locks need PostgreSQL, MariaDB/MySQL or SQLite, not {dialect}")
        conn.commit()  # the lock is the session's, not a transaction's: end the transaction
        try:
            yield taken
        finally:
            if taken:
                conn.execute(release, params)
                conn.commit()


@contextmanager
def _flock(folder: Path, name: str) -> Iterator[bool]:
    folder.mkdir(parents=True, exist_ok=True)
    fd = os.open(folder / f"{name}.lock", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
