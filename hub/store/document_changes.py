"""Which resolved documents changed since a reader looked: what lets a republish read the keys
of the products that changed instead of every product's key, and what a live push to a
channel will follow.

Every write that can change a product's rendered items (its document, its stock, its
completeness on a channel, whether a channel carries it, its removal) stamps the document
row (or a removal row) with a change number in the writing transaction. A reader takes a
*horizon* before it reads: the state it is about to see. The rows changed since are those
whose stamp that horizon did not see.

- SQLite has one writer at a time, so the stamp is a counter bumped by the writing
  transaction and a horizon is the counter's committed value.
- PostgreSQL commits concurrent writers in any order: a counter would let a transaction that
  drew a low number commit after a reader had seen a higher one, and its change would never
  be read. The stamp is the writing transaction's id (``pg_current_xact_id``) and a horizon is
  the reader's snapshot (``pg_current_snapshot``): a stamp is new to a horizon when that
  snapshot did not see its transaction committed.

A horizon is kept as PostgreSQL writes a snapshot, ``xmin:xmax:in-flight,...``, on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

from sqlalchemy import BigInteger, Index, Integer, select, text, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base, unsynced


class DocumentCounter(Base):
    """SQLite's change counter: one row, bumped by each writing statement that stamps."""

    __tablename__ = "document_counter"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger)


class DocumentRemoval(Base):
    """A product removed, stamped like a document write, so a republish drops its item."""

    __tablename__ = "document_removal"
    __table_args__ = (Index("ix_document_removal_changed", "changed"),)
    product_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    changed: Mapped[int] = mapped_column(BigInteger, primary_key=True)


@dataclass(frozen=True)
class Horizon:
    """What a reader saw: stamps below ``low`` were committed before it; of those from ``low``
    on, the ones at or past ``high`` or in ``in_flight`` were not yet."""

    low: int
    high: int
    in_flight: frozenset[int]

    @classmethod
    def parse(cls, written: str) -> "Horizon":
        low, high, flight = written.split(":")
        return cls(int(low), int(high), frozenset(int(x) for x in flight.split(",") if x))

    def __str__(self) -> str:
        return f"{self.low}:{self.high}:{','.join(map(str, sorted(self.in_flight)))}"

    def unseen(self, stamp: int) -> bool:
        """True when the write stamped ``stamp`` is not in what this horizon saw."""
        return stamp >= self.high or stamp in self.in_flight


def stamp(session: Session) -> int:
    """The change number for what this transaction writes now."""
    if _dialect(session) == "sqlite":
        number = session.execute(unsynced(update(DocumentCounter).where(DocumentCounter.id == 1)
                                          .values(number=DocumentCounter.number + 1).returning(DocumentCounter.number))).scalar()
        if number is None:  # a database whose migration left no counter row
            session.add(DocumentCounter(id=1, number=1))
            session.flush()
            number = 1
        return number
    return session.execute(text("SELECT pg_current_xact_id()::text::bigint")).scalar_one()


def horizon(session: Session) -> Horizon:
    """What a read in this session's transaction sees from now on (take it before reading)."""
    if _dialect(session) == "sqlite":
        seen = session.execute(select(DocumentCounter.number).where(DocumentCounter.id == 1)).scalar() or 0
        return Horizon(seen + 1, seen + 1, frozenset())
    return Horizon.parse(session.execute(text("SELECT pg_current_snapshot()::text")).scalar_one())


def record_removals(session: Session, product_ids: Iterable[int]) -> None:
    """Stamp the removal of these products (before they are deleted)."""
    ids = sorted(set(product_ids))
    if ids:
        number = stamp(session)
        session.execute(DocumentRemoval.__table__.insert(), [{"product_id": pid, "changed": number} for pid in ids])


def removed_since(session: Session, seen: Horizon) -> set[int]:
    """Products removed since ``seen``."""
    query = select(DocumentRemoval.product_id, DocumentRemoval.changed).where(DocumentRemoval.changed >= seen.low)
    return {pid for pid, changed in session.connection().execute(query) if seen.unseen(changed)}


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name
