"""One publication per channel at a time, across processes and machines: a row in the database.

The holder renews the lock while it works (``Heartbeat``, and at each shard); a holder that
stopped renewing for its lease (its process or machine died) is taken over by the next
publication of the channel, and its own publication is marked failed saying so; a run taken over
records nothing when it ends. In one process the lease is ``TTL``, so a crash blocks a channel for
half a minute at most. A publication handed to the queue holds it for the queue's redelivery time
(``Settings.task_redelivery``): it may wait that long behind other channels' shards, and a task
its dead worker held comes back only after it.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timedelta
from types import TracebackType
from typing import Callable

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from hub.store.models import ChannelLock, Publication

logger = logging.getLogger(__name__)
TTL = timedelta(seconds=30)
BEAT = TTL / 3  # how often a working holder renews: two beats may be missed before it is taken over


def acquire(session: Session, channel_id: int, publication_id: int, now: datetime, lease: timedelta = TTL) -> bool:
    """Take the channel's lock for this publication, for ``lease``; False when a live holder has it."""
    try:
        with session.begin_nested():
            session.add(ChannelLock(channel_id=channel_id, publication_id=publication_id, expires=now + lease))
        return True
    except IntegrityError:
        stale = session.scalar(select(ChannelLock.publication_id).where(
            ChannelLock.channel_id == channel_id, ChannelLock.expires < now))
        taken = session.execute(
            update(ChannelLock).where(ChannelLock.channel_id == channel_id, ChannelLock.expires < now)
            .values(publication_id=publication_id, expires=now + lease)
        )
        if taken.rowcount != 1:
            return False
        # The holder stopped renewing: its process died, so its publication will never finish.
        logger.warning("publication %s stopped renewing the channel's lock; publication %s takes the channel over",
                       stale, publication_id)
        session.execute(update(Publication).where(Publication.id == stale, Publication.status.in_(("queued", "running")))
                        .values(status="failed", finished=now,
                                error=f"abandoned: its process died (it stopped renewing the channel's lock); "
                                      f"publication {publication_id} took the channel over"))
        return True


def holder(session: Session, channel_id: int) -> ChannelLock | None:
    return session.scalar(select(ChannelLock).where(ChannelLock.channel_id == channel_id))


def renew(session: Session, channel_id: int, publication_id: int, now: datetime, lease: timedelta = TTL) -> bool:
    """Extend the publication's hold on the channel; False when it holds it no longer (taken over)."""
    renewed = session.execute(update(ChannelLock).where(ChannelLock.channel_id == channel_id,
                                                        ChannelLock.publication_id == publication_id).values(expires=now + lease))
    return renewed.rowcount == 1


def holds(session: Session, channel_id: int, publication_id: int) -> bool:
    return session.scalar(select(ChannelLock.publication_id).where(ChannelLock.channel_id == channel_id)) == publication_id


def release(session: Session, channel_id: int, publication_id: int) -> None:
    session.execute(delete(ChannelLock).where(ChannelLock.channel_id == channel_id,
                                              ChannelLock.publication_id == publication_id))


class Heartbeat:
    """Renews a publication's lock every ``BEAT`` from a thread of its own, in its own short
    transactions, for as long as the ``with`` block runs: through the long steps that write no
    progress (refreshing documents, stitching, uploading files)."""

    def __init__(self, sessions: sessionmaker[Session], channel_id: int, publication_id: int,
                 now: Callable[[], datetime], lease: timedelta = TTL) -> None:
        self.sessions, self.ids, self.now, self.lease = sessions, (channel_id, publication_id), now, lease
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._beat, daemon=True, name=f"lock-{publication_id}")

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None) -> None:
        self.stopped.set()
        self.thread.join()

    def _beat(self) -> None:
        while not self.stopped.wait(BEAT.total_seconds()):
            try:
                with self.sessions() as session:
                    renew(session, *self.ids, self.now(), self.lease)
                    session.commit()
            except SQLAlchemyError as exc:  # the next beat tries again; the work itself goes on
                logger.warning("could not renew the lock of publication %s: %s", self.ids[1], exc)
