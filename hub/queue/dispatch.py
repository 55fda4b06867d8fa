"""Handing a started publication on: to the queue when a broker is configured, else to the caller's own way of running it."""

from __future__ import annotations

import time
from typing import Callable

from kombu.exceptions import OperationalError
from redis.exceptions import RedisError
from sqlalchemy.orm import joinedload

from hub.errors import NotFound, ServiceUnavailable
from hub.publishing.pipeline import Publisher
from hub.store.models import Publication

ENDED = ("succeeded", "failed")


def hand_on(publisher: Publisher, publication_id: int, in_process: Callable[[int], object]) -> bool:
    """Run a started publication: queued for the workers when ``CROSSCANAL_BROKER_URL`` is set,
    else through ``in_process``. Answers whether it was queued. An unreachable broker withdraws
    the publication (and frees its channel) and raises ServiceUnavailable: nothing half-started
    stays behind, and publishing again once the broker is back works."""
    if not publisher.settings.broker_url:
        in_process(publication_id)
        return False
    from hub.queue.app import configure
    from hub.queue.tasks import publish

    configure(publisher.settings)
    try:
        publish.apply_async((publication_id,), retry=False)
    except (OperationalError, RedisError, OSError) as exc:
        publisher.withdraw(publication_id)
        raise ServiceUnavailable(f"the task queue cannot be reached ({type(exc).__name__}); the publication was not "
                                 "started: publish again once the broker (CROSSCANAL_BROKER_URL) is back") from exc
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
