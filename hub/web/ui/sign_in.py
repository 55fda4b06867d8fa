"""Signing in and out."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session as cookie, url_for
from werkzeug.wrappers import Response

from hub.services import sign_in as accounts
from hub.store.types import utcnow
from hub.web.hub import session
from hub.web.ui.access import safe_next

# One message for an unknown email, a wrong password and a locked account: none is revealed.
FAILED = (f"The email or password is not right. After {accounts.MAX_FAILURES} failed attempts an account "
          f"is locked for {int(accounts.LOCK_FOR.total_seconds() // 60)} minutes.")


def register(blp: Blueprint) -> None:
    blp.add_url_rule("/sign-in", "sign_in", sign_in_page, methods=["GET", "POST"])
    blp.add_url_rule("/sign-out", "sign_out", sign_out, methods=["POST"])


def sign_in_page() -> str | Response | tuple[str, int]:
    target = safe_next(request.values.get("next"))
    if request.method == "GET":
        return render_template("ui/sign_in.html", next=target, email="", error=None)
    email = request.form.get("email", "")
    address = request.remote_addr or "unknown"  # the client's, behind trusted proxies (CROSSCANAL_TRUSTED_PROXIES)
    locked = accounts.address_locked(session(), address)
    if locked is not None:
        minutes = max(1, -(-int((locked - utcnow()).total_seconds()) // 60))
        message = f"Too many failed sign-ins from your address: try again in {minutes} minute{'s' if minutes > 1 else ''}."
        return render_template("ui/sign_in.html", next=target, email=email, error=message), 429, {"Retry-After": str(minutes * 60)}
    user = accounts.attempt(session(), email, request.form.get("password", ""))
    if user is None:
        accounts.address_failed(session(), address)
    session().commit()  # failures count even though the sign-in fails
    if user is None:
        return render_template("ui/sign_in.html", next=target, email=email, error=FAILED), 401
    cookie.clear()  # a fresh session (and CSRF token) for the signed-in user
    cookie["user_id"] = user.id
    return redirect(target)


def sign_out() -> Response:
    cookie.clear()
    return redirect(url_for("ui.sign_in"))
