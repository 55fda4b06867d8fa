"""Handing started work on: to the queue when a broker is configured, else to the caller's own
way of running it (the hub's threads, the command's own process)."""

from __future__ import annotations

import time
from typing import Any, Callable

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError
from sqlalchemy import delete, update
from sqlalchemy.orm import Session, joinedload, sessionmaker

from hub.config import Settings
from hub.errors import NotFound, ServiceUnavailable
from hub.publishing.pipeline import Publisher
from hub.store.bulk_edits import BulkEdit
from hub.store.export_jobs import ExportJob
from hub.store.imports import ImportJob
from hub.store.models import Publication

ENDED = ("succeeded", "failed")
JOBS = {"import": (ImportJob, "crosscanal.run_import"), "bulk_edit": (BulkEdit, "crosscanal.run_bulk_edit"),
        "export": (ExportJob, "crosscanal.run_export")}


def _queue(settings: Settings, task: str, args: tuple[Any, ...], withdraw: Callable[[], None], what: str) -> None:
    """Send ``task``; on an unreachable broker, ``withdraw`` what was started and raise ServiceUnavailable."""
    from hub.queue.app import configure

    try:
        configure(settings).send_task(task, args, retry=False, ignore_result=True)  # the hub never waits on a result
    except (OperationalError, RedisError, OSError) as exc:
        withdraw()
        raise ServiceUnavailable(f"the task queue cannot be reached ({type(exc).__name__}); the {what} was not "
                                 "started: start it again once the broker (CROSSCANAL_BROKER_URL) is back") from exc


def hand_on(publisher: Publisher, publication_id: int, in_process: Callable[[int], object]) -> bool:
    """Run a started publication: queued for the workers when ``CROSSCANAL_BROKER_URL`` is set,
    else through ``in_process``. Answers whether it was queued. An unreachable broker withdraws
    the publication (and frees its channel) and raises ServiceUnavailable: nothing half-started
    stays behind, and publishing again once the broker is back works."""
    if not publisher.settings.broker_url:
        in_process(publication_id)
        return False
    _queue(publisher.settings, "crosscanal.publish", (publication_id,), lambda: publisher.withdraw(publication_id), "publication")
    return True


def hand_on_job(settings: Settings, writers: sessionmaker[Session], kind: str, args: tuple[Any, ...],
                in_process: Callable[[], object]) -> bool:
    """Run a started import, bulk edit or export (``kind``; its job id first in ``args``): queued when a
    broker is set, else through ``in_process``. Queued, the job names no process until a worker
    takes it (so a restart of this one does not fail it); an unreachable broker deletes it and
    raises ServiceUnavailable."""
    if not settings.broker_url:
        in_process()
        return False
    model, task = JOBS[kind]
    job_id = args[0]
    with writers() as session:
        session.execute(update(model).where(model.id == job_id).values(runner=None))
        session.commit()

    def withdraw() -> None:
        with writers() as session:
            session.execute(delete(model).where(model.id == job_id, model.status == "queued"))
            session.commit()

    _queue(settings, task, args, withdraw, kind.replace("_", " "))
    return True


FOLLOW_EVERY = 0.5  # seconds between two reads of a queued publication's progress


def follow(publisher: Publisher, publication_id: int, progress: Callable[[Publication], None] | None = None,
           timeout: float | None = None) -> Publication:
    """Wait for a queued publication to end, calling ``progress`` as it advances; answers it,
    ended. Raises TimeoutError past ``timeout`` seconds (None: wait as long as it runs)."""
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        with publisher.sessions() as session:
            publication = session.get(Publication, publication_id, options=[joinedload(Publication.channel)])
            if publication is None:
                raise NotFound(f"no publication {publication_id}")
            if progress is not None:
                progress(publication)
            if publication.status in ENDED:
                session.expunge_all()
                return publication
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"publication {publication_id} did not end within {timeout} s")
        time.sleep(FOLLOW_EVERY)
