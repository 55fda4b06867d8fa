"""The application factory: it builds the app from settings and does nothing else."""

from __future__ import annotations

from flask import Flask

from channel_adapters.base.registry import load_adapters
from hub.config import Settings
from hub.store.db import make_engine, make_session_factory
from hub.web import body_limits, errors, feeds, files, hub as hub_module, request_text, security_headers, ui
from hub.web.api import register as register_api
from hub.web.api_doc import HubApi
from hub.web.hub import Hub

API_SPEC_OPTIONS = {
    "info": {"description": "Crosscanal: one master record per product, rendered for every channel. "
             "Authenticate with 'Authorization: Bearer <token>' (see `crosscanal token create`)."},
    "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
    "security": [{"bearerAuth": []}],
}


def create_app(settings: Settings | None = None) -> Flask:
    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=settings.secret_key,
        API_TITLE="Crosscanal",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS=API_SPEC_OPTIONS,
        MAX_CONTENT_LENGTH=None,
        JSON_SORT_KEYS=False,
    )
    engine = make_engine(settings.database_url)
    app.extensions["crosscanal"] = Hub(settings=settings, engine=engine, sessions=make_session_factory(engine),
                                       writers=make_session_factory(engine, writer=True),
                                       adapters=load_adapters(settings.disabled_adapters))
    hub_module.init_app(app)
    body_limits.init_app(app)  # before anything reads a body
    request_text.init_app(app)
    security_headers.init_app(app, settings.trusted_proxies)
    api = HubApi(app)
    register_api(api)
    api.declare_links()
    errors.init_app(app)  # after Api(), so our handlers replace flask-smorest's
    app.register_blueprint(files.blp)
    app.register_blueprint(feeds.blp)
    ui.init_app(app)  # serves /, the merchandisers' pages
    return app
