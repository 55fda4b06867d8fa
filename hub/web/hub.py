"""What the app keeps for its lifetime: settings, engine and session factory."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Callable

from flask import Flask, current_app, g, request
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from channel_adapters.base.registry import AdapterRegistry
from hub.config import Settings
from hub.jobs.bulk_edits import BulkEditor
from hub.jobs.exports import Exporter
from hub.publishing.pipeline import Publisher
from hub.queue.dispatch import hand_on, hand_on_job
from hub.services.context import CatalogContext


@dataclass
class Hub:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    writers: sessionmaker[Session]  # for units of work that write (IMMEDIATE on SQLite)
    adapters: AdapterRegistry
    # Publications, imports, bulk edits and exports started through the API or UI run here, off the request thread.
    jobs: ThreadPoolExecutor = field(default_factory=lambda: ThreadPoolExecutor(max_workers=2, thread_name_prefix="publish"))

    def publisher(self) -> Publisher:
        return Publisher(self.settings, self.writers, self.adapters)

    def bulk_editor(self) -> BulkEditor:
        return BulkEditor(self.writers)

    def run_publication(self, publisher: Publisher, publication_id: int) -> None:
        """A started publication to the workers' queue (with a broker), else to this process's pool."""
        hand_on(publisher, publication_id, partial(self.jobs.submit, publisher.run))

    def exporter(self) -> Exporter:
        return Exporter(self.sessions, self.writers, self.settings.data_dir)

    def run_export(self, job_id: int) -> None:
        hand_on_job(self.settings, self.writers, "export", (job_id,), partial(self.jobs.submit, self.exporter().run, job_id))

    def run_bulk_edit(self, job_id: int) -> None:
        hand_on_job(self.settings, self.writers, "bulk_edit", (job_id,), partial(self.jobs.submit, self.bulk_editor().run, job_id))

    def run_import(self, job_id: int, upload: str, in_process: Callable[[], object]) -> None:
        hand_on_job(self.settings, self.writers, "import", (job_id, upload), partial(self.jobs.submit, in_process))


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
