"""Who is acting in this request, as the audit log names them: the API's token or the UI's
signed-in user, with the client's address (behind trusted proxies, as ``CROSSCANAL_TRUSTED_PROXIES``
allows). Services are given this; they never read the request themselves."""

from __future__ import annotations

from flask import g, request

from hub.services.audit import Acting


def acting() -> Acting:
    """Raises RuntimeError outside a request that a token or a signed-in user makes."""
    address = request.remote_addr or None
    actor = g.get("actor")  # set by ``hub.web.auth.require``
    if actor is not None:
        return Acting("token", actor.id, actor.name, address)
    user = g.get("ui_user")  # set by ``hub.web.ui.access.guard``
    if user is not None:
        return Acting("user", user.id, f"user:{user.email}", address)
    raise RuntimeError("no one is signed in: only an authenticated request acts")
