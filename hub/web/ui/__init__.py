"""The merchandisers' web UI: server-rendered pages, signed in with a session cookie.

Each page has its own module; this one builds the blueprint, wires CSRF protection and the
cookie settings, and turns errors into HTML pages instead of problem documents.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, render_template
from flask_wtf.csrf import CSRFError, CSRFProtect
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from hub.errors import HubError
from hub.web.ui import (access, admin, brand_guide, bulk_edit, catalog_admin, channels, dashboard, grid, imports, model_page,
                        product_history, product_media, product_page, product_previews, sign_in)


def blueprint() -> Blueprint:
    blp = Blueprint("ui", __name__, template_folder="templates", static_folder="static", static_url_path="/ui/static")
    blp.before_request(access.guard)
    blp.app_context_processor(access.template_context)
    for module in (sign_in, dashboard, grid, bulk_edit, product_page, product_media, product_previews, product_history,
                   model_page, channels, brand_guide, catalog_admin, imports, admin):
        module.register(blp)
    blp.register_error_handler(CSRFError, _csrf_error)
    blp.register_error_handler(HubError, _hub_error)
    blp.register_error_handler(StaleDataError, _stale)
    blp.register_error_handler(HTTPException, _http_error)
    return blp


def init_app(app: Flask) -> None:
    settings = app.extensions["crosscanal"].settings
    app.config.update(
        SESSION_COOKIE_NAME="crosscanal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # A hub reached over https (CROSSCANAL_PUBLIC_URL) only sends its cookie over https.
        SESSION_COOKIE_SECURE=settings.public_url.startswith("https://"),
        # Only the UI's forms carry tokens: the API authenticates by bearer token, not cookie,
        # so the UI's guard calls protect() itself instead of checking every request.
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the session: a long edit must not expire
    )
    CSRFProtect(app)
    app.register_blueprint(blueprint())


def _page(status: int, title: str, detail: str) -> tuple[str, int]:
    return render_template("ui/error.html", status=status, title=title, detail=detail), status


def _csrf_error(err: CSRFError) -> tuple[str, int]:
    return _page(400, "The form could not be accepted",
                 "It was not sent from this site's page or it has expired. Reload the page and try again.")


def _hub_error(err: HubError) -> tuple[str, int]:
    return _page(err.status, err.title, err.detail)


def _stale(_err: StaleDataError) -> tuple[str, int]:
    return _page(409, "Changed meanwhile", "Someone else saved this product at the same moment; reload it and try again.")


def _http_error(err: HTTPException) -> tuple[str, int] | Response:
    return _page(err.code or 500, err.name, err.description or "")
