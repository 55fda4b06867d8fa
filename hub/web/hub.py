"""What the app keeps for its lifetime: settings, engine and session factory."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from flask import Flask, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel_adapters.base.registry import AdapterRegistry
from hub.config import Settings
from hub.jobs.bulk_edits import BulkEditor
from hub.publishing.pipeline import Publisher
from hub.services.context import CatalogContext


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    writers: sessionmaker[Session]  # for units of work that write (IMMEDIATE on SQLite)
    adapters: AdapterRegistry
    # Publications and bulk edits started through the API or UI run here, off the request thread.
    jobs: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="publish"))

    def publisher(self) -> Publisher:
        return Publisher(self.settings, self.writers, self.adapters)

    def bulk_editor(self) -> BulkEditor:
        return BulkEditor(self.writers)


def hub() -> Hub:
    return current_app.extensions["crosscanal"]


def session() -> Session:
    """The request's session, opened on first use and closed when the request ends; a writer
    session for requests that change something."""
    if "session" not in g:
        the_hub = hub()
        g.session = (the_hub.sessions if request.method in ("GET", "HEAD", "OPTIONS") else the_hub.writers)()
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
