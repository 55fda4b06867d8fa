"""Bearer-token authentication and role checks for the API."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar

from flask import g, request

from hub.errors import Forbidden, Unauthorized
from hub.services.accounts import Actor, authenticate_token, record_token_use, role_allows
from hub.web.hub import hub, session

F = TypeVar("F", bound=Callable[..., Any])


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def current_actor() -> Actor:
    return g.actor


def require(role: str) -> Callable[[F], F]:
    """Let the view run only for a known token whose role reaches ``role``."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            raw = bearer_token()
            if raw is None:
                raise Unauthorized("send an API token as 'Authorization: Bearer <token>'")
            found = authenticate_token(session(), raw)
            if found is None:
                raise Unauthorized("the API token is unknown or revoked")
            actor, due = found
            if not role_allows(actor.role, role):
                raise Forbidden(f"a {actor.role} token may not do this; it needs the {role} role")
            session().commit()  # hold no transaction (on SQLite, no snapshot) while the view runs
            if due is not None:  # its own short write: kept even if the view fails
                with hub().writers() as writer:
                    record_token_use(writer, due)
                    writer.commit()
            g.actor = actor
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator
