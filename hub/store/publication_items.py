"""Queries about a channel's publications that the item records (fingerprint files) and the
channel pages need: which succeeded last, who owns a record, how many a channel has.

The files themselves live under the data dir (see ``hub.publishing.item_fingerprints``); the
database says which publication each belongs to and which ones succeeded.
"""

from __future__ import annotations

from typing import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.store.publications import Publication


def last_succeeded(session: Session, channel_id: int, count: int = 2) -> Sequence[Publication]:
    """The channel's newest succeeded publications, newest first: the ones a diff compares."""
    query = (select(Publication).where(Publication.channel_id == channel_id, Publication.status == "succeeded")
             .order_by(Publication.id.desc()).limit(count))
    return session.scalars(query).all()


def owners(session: Session, publication_ids: Iterable[int]) -> dict[int, int]:
    """The channel id of each of these publications that still exists (deleted ones are absent)."""
    ids = sorted(set(publication_ids))
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):  # stay under every driver's limit of bound parameters
        chunk = ids[start:start + 500]
        query = select(Publication.id, Publication.channel_id).where(Publication.id.in_(chunk))
        found.update({pid: cid for pid, cid in session.execute(query)})
    return found


def count_for_channel(session: Session, channel_id: int) -> int:
    """How many publications the channel has: what deleting it takes with it."""
    return session.scalar(select(func.count()).select_from(Publication).where(Publication.channel_id == channel_id)) or 0
