"""One publication per channel at a time, across processes: a row in the database.

The lock expires when its holder stops renewing it (a killed process), so a crash never
blocks a channel for good.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.store.models import ChannelLock, Publication

TTL = timedelta(minutes=2)


def acquire(session: Session, channel_id: int, publication_id: int, now: datetime) -> bool:
    """Take the channel's lock for this publication; False when a live holder has it."""
    try:
        with session.begin_nested():
            session.add(ChannelLock(channel_id=channel_id, publication_id=publication_id, expires=now + TTL))
        return True
    except IntegrityError:
        stale = session.scalar(select(ChannelLock.publication_id).where(
            ChannelLock.channel_id == channel_id, ChannelLock.expires < now))
        taken = session.execute(
            update(ChannelLock).where(ChannelLock.channel_id == channel_id, ChannelLock.expires < now)
            .values(publication_id=publication_id, expires=now + TTL)
        )
        if taken.rowcount != 1:
            return False
        # The holder stopped renewing: its process died, so its publication will never finish.
        session.execute(update(Publication).where(Publication.id == stale, Publication.status.in_(("queued", "running")))
                        .values(status="failed", error="abandoned: its process stopped before finishing", finished=now))
        return True


def holder(session: Session, channel_id: int) -> ChannelLock | None:
    return session.scalar(select(ChannelLock).where(ChannelLock.channel_id == channel_id))


def renew(session: Session, channel_id: int, publication_id: int, now: datetime) -> None:
    session.execute(update(ChannelLock).where(ChannelLock.channel_id == channel_id,
                                              ChannelLock.publication_id == publication_id).values(expires=now + TTL))


def release(session: Session, channel_id: int, publication_id: int) -> None:
    session.execute(delete(ChannelLock).where(ChannelLock.channel_id == channel_id,
                                              ChannelLock.publication_id == publication_id))
