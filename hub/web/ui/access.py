"""Who is signed in to the UI, and what their role lets them do."""

from __future__ import annotations

from functools import wraps
from typing import Any, Callable, TypeVar
from urllib.parse import urlsplit

from flask import abort, current_app, g, redirect, request, session as cookie, url_for
from werkzeug.wrappers import Response

from hub.services import sign_in
from hub.services.accounts import role_allows
from hub.store.models import User
from hub.web.hub import session

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC = {"ui.sign_in", "ui.static"}
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}


def guard() -> Response | None:
    """Before every UI request: check the form's CSRF token, then that someone is signed in."""
    if request.method not in SAFE_METHODS:
        current_app.extensions["csrf"].protect()  # raises CSRFError
    if request.endpoint in PUBLIC:
        return None
    user_id = cookie.get("user_id")
    user = sign_in.user(session(), user_id) if isinstance(user_id, int) else None
    if user is None:
        cookie.pop("user_id", None)
        return redirect(url_for("ui.sign_in", next=request.full_path if request.query_string else request.path))
    g.ui_user = user
    return None


def current_user() -> User:
    return g.ui_user


def can(role: str) -> bool:
    user = g.get("ui_user")
    return user is not None and role_allows(user.role, role)


def needs(role: str) -> Callable[[F], F]:
    """Let the view run only for a signed-in user whose role reaches ``role``; else 403."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not can(role):
                abort(403, f"Your role may not do this; it needs the {role} role.")
            return view(*args, **kwargs)

        return wrapper  # type: ignore[return-value]

    return decorator


def safe_next(target: str | None) -> str:
    """Only a path on this site, so the sign-in page cannot be used to send people elsewhere."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")) and not urlsplit(target).netloc:
        return target
    return url_for("ui.dashboard")


def template_context() -> dict[str, Any]:
    return {"current_user": g.get("ui_user"), "can": can}
