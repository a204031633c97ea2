"""Errors the domain raises; the web layer maps them to RFC 9457 problems, the CLI to one line.

Each error class carries the HTTP status it maps to, so the mapping lives in one place.
"""

from __future__ import annotations

from typing import Any


class StewardError(Exception):
    """Base of every error Steward raises on purpose. `detail` is safe to show to users."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.extra = extra


class InvalidInput(StewardError):
    status = 422
    title = "Invalid input"


class NotFound(StewardError):
    status = 404
    title = "Not found"


class Conflict(StewardError):
    status = 409
    title = "Conflict"


class Forbidden(StewardError):
    status = 403
    title = "Forbidden"


class Unauthorized(StewardError):
    status = 401
    title = "Unauthorized"


class TooManyRequests(StewardError):
    status = 429
    title = "Too many requests"


class Unavailable(StewardError):
    """A company system (database, HTTP API) could not be reached; the work is retried."""

    status = 503
    title = "System unavailable"


class PolicyError(StewardError):
    """The policy file(s) did not validate. `problems` holds one line per problem:
    `file:line:column: field.path: message`."""

    status = 422
    title = "Invalid policy"

    def __init__(self, problems: list[str]) -> None:
        super().__init__(f"{len(problems)} problem(s) in the policy", problems=problems)
        self.problems = problems


class SystemRefused(Conflict):
    """A company system answered but refused the operation for a reason that does not go away
    by waiting (a trigger, a check constraint, permission denied, an unknown column): the work
    is not retried. `detail` carries the database's own message with values removed."""

    status = 409
    title = "System refused the operation"
