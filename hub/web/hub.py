"""What the app keeps for its lifetime: settings, engine and session factory."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, current_app, g
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from hub.config import Settings
from hub.services.context import CatalogContext


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]


def hub() -> Hub:
    return current_app.extensions["crosscanal"]


def session() -> Session:
    """The request's session, opened on first use and closed when the request ends."""
    if "session" not in g:
        g.session = hub().sessions()
    return g.session


def catalog() -> CatalogContext:
    """The request's cache of attributes, families and channels."""
    if "catalog" not in g:
        g.catalog = CatalogContext(session())
    return g.catalog


def init_app(app: Flask) -> None:
    @app.teardown_appcontext
    def _close_session(_exc: BaseException | None) -> None:
        opened = g.pop("session", None)
        if opened is not None:
            opened.close()  # rolls back whatever a view did not commit
