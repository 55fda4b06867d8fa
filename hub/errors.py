"""The hub's errors: each maps to one HTTP status and one problem type (RFC 9457)."""

from __future__ import annotations

from typing import Any


class HubError(Exception):
    """Base of every error the hub raises on purpose."""

    status: int = 500
    title: str = "Internal error"
    type: str = "about:blank"
    exit_code: int = 1

    def __init__(self, detail: str = "", *, errors: dict[str, list[str]] | None = None) -> None:
        super().__init__(detail or self.title)
        self.detail = detail or self.title
        self.errors = errors or {}

    def problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status, "detail": self.detail}
        if self.errors:
            body["errors"] = self.errors
        return body


class BadRequest(HubError):
    """The request cannot be read at all (for example, a query string that makes no sense)."""

    status, title, type = 400, "Bad request", "/problems/bad-request"


class Unauthorized(HubError):
    """No credentials, or credentials we do not know."""

    status, title, type = 401, "Unauthorized", "/problems/unauthorized"


class Forbidden(HubError):
    """Known credentials whose role may not do this."""

    status, title, type = 403, "Forbidden", "/problems/forbidden"


class NotFound(HubError):
    """The named resource does not exist."""

    status, title, type = 404, "Not found", "/problems/not-found"


class Conflict(HubError):
    """The write clashes with what is stored (a duplicate code, a reference still in use)."""

    status, title, type = 409, "Conflict", "/problems/conflict"


class Gone(HubError):
    """The resource existed but is no longer kept (an old export's file)."""

    status, title, type = 410, "Gone", "/problems/gone"


class PreconditionFailed(HubError):
    """The client's ``If-Match`` names a version that is no longer current."""

    status, title, type = 412, "Precondition failed", "/problems/stale-etag"


class ValidationFailed(HubError):
    """Input broke one or more rules; ``errors`` maps field paths to reasons."""

    status, title, type = 422, "Invalid input", "/problems/validation"
    exit_code = 2


class UnsupportedMediaType(HubError):
    """The body is in a content type this endpoint does not read."""

    status, title, type = 415, "Unsupported media type", "/problems/unsupported-media-type"


class ServiceUnavailable(HubError):
    """A service the hub needs for this (the task queue) cannot be reached; nothing was done."""

    status, title, type = 503, "Service unavailable", "/problems/unavailable"
    exit_code = 3


class ConfigurationError(HubError):
    """The hub is set up in a way it cannot run with."""

    title, type = "Configuration error", "/problems/configuration"


def unforeseen(error: Exception) -> str:
    """How a job (import, bulk edit, publication) that ended on an error nobody raised on purpose
    says why, for the person who started it: never the statement and its values (a database
    error's text), nor a path on this machine (an OSError's); the log holds the whole error."""
    if isinstance(error, OSError):
        return f"unexpected error: {error.strerror or type(error).__name__}"
    database = getattr(error, "orig", None)  # SQLAlchemy's wrapper of the driver's error
    if database is not None:
        lines = str(database).strip().splitlines()
        return f"the database refused the work: {lines[0] if lines else type(database).__name__}"
    return f"unexpected error: {error}"
