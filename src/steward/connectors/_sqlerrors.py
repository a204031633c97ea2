"""Telling a database that is down from a database that says no.

A connection failure, a timeout, a deadlock or a lock wait passes: the work is retried later
(`Unavailable`). Anything else the database answers — a trigger refusing (MariaDB error 1442),
a check or foreign-key constraint, permission denied, an unknown column — will answer the same
next time: `SystemRefused`, with the database's message stripped of every value, so the officer
can read why and nobody retries forever. Private to the SQL connector.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import exc as sa_exc

from steward.errors import StewardError, SystemRefused, Unavailable

# MySQL/MariaDB server errors that pass: too many connections, server shutting down, lock wait
# timeout, deadlock, network read/write errors, connection killed, query interrupted by timeout.
_MYSQL_TRANSIENT = {1040, 1053, 1158, 1159, 1160, 1161, 1205, 1213, 1317, 1927, 3024, 4031}
# PostgreSQL SQLSTATEs that pass: class 08 (connection), serialization failure, deadlock,
# lock not available, query cancelled (statement timeout), too many connections, shutdown.
_PG_TRANSIENT = {"40001", "40P01", "55P03", "57014", "53300", "57P01", "57P02", "57P03"}
_SQLITE_TRANSIENT = ("database is locked", "unable to open database", "disk i/o error")


def is_transient(err: sa_exc.DBAPIError) -> bool:
    if err.connection_invalidated or isinstance(err, sa_exc.InterfaceError):
        return True
    orig = err.orig
    code = _mysql_code(orig)
    if code is not None:
        # 2000-2999 are client errors: cannot connect, server gone away, lost connection.
        return code in _MYSQL_TRANSIENT or 2000 <= code < 3000
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if isinstance(state, str):
        return state.startswith("08") or state in _PG_TRANSIENT
    if type(orig).__module__.startswith("sqlite3"):
        text = str(orig).lower()
        return any(t in text for t in _SQLITE_TRANSIENT)
    # A driver we do not know: an OperationalError is most often the connection.
    return isinstance(err, sa_exc.OperationalError) and not isinstance(
        orig, sa_exc.StatementError
    )


def _mysql_code(orig: Any) -> int | None:
    args = getattr(orig, "args", ())
    if type(orig).__module__.startswith(("pymysql", "MySQLdb", "mysql", "mariadb")) and args:
        try:
            return int(args[0])
        except (TypeError, ValueError):
            return None
    return None


def database_message(err: sa_exc.DBAPIError) -> str:
    """The database's own message: first line only (PostgreSQL puts row values in DETAIL),
    quoted and bound values replaced by `?`."""
    orig = err.orig
    code = _mysql_code(orig)
    args: tuple[Any, ...] = tuple(getattr(orig, "args", ()))
    if code is not None and len(args) > 1:
        text = str(args[1])
    else:
        text = str(orig)
    text = text.strip().splitlines()[0] if text.strip() else err.__class__.__name__
    for value in _param_values(err.params):
        if len(value) >= 2:
            text = text.replace(value, "?")
    # A value the database quotes itself, beyond the bound ones (a value computed by a
    # trigger): MySQL/MariaDB's duplicate-key and truncation messages.
    text = re.sub(r"(Duplicate entry |Incorrect \w+ value: )'.*?'( for)", r"\1'?'\2", text)
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    where = f"error {code}" if code is not None else f"SQLSTATE {state}" if state else ""
    return f"{text[:300]}" + (f" ({where})" if where else "")


def _param_values(params: Any) -> list[str]:
    out: list[str] = []
    if isinstance(params, dict):
        out += [v for p in params.values() for v in _param_values(p)]
    elif isinstance(params, list | tuple):
        out += [v for p in params for v in _param_values(p)]
    elif params is not None:
        out.append(str(params))
    return sorted(set(out), key=len, reverse=True)


def classify(system: str, err: sa_exc.DBAPIError, *, write: bool) -> StewardError:
    """The Steward error for a database error met while working on `system`."""
    if is_transient(err):
        # The driver's message may echo parameters: name the system only.
        return Unavailable(f"system {system!r} is unavailable ({err.__class__.__name__})")
    done = "; its changes were rolled back" if write else ""
    return SystemRefused(f"system {system!r} refused the operation: {database_message(err)}{done}")
