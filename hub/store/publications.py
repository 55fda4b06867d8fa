"""Publications: one run of publishing a channel, the files it wrote, and what it found."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Iterable

from sqlalchemy import (BigInteger, ColumnElement, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, and_, delete,
                        func, insert, or_, select, true, update)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from hub.store.base import Base, unsynced
from hub.store.types import Json, UTCDateTime, utcnow


class Publication(Base):
    __tablename__ = "publication"
    __table_args__ = (Index("ix_publication_channel_status", "channel_id", "status"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    trigger: Mapped[str] = mapped_column(String(200))  # "cli", "api:<who>", "schedule:<slot>"
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, succeeded, failed
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    items: Mapped[int] = mapped_column(Integer, default=0)
    excluded: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    # Items rendered anew; the others were copied from the channel's last good publication.
    rendered: Mapped[int] = mapped_column(Integer, default=0)
    bytes: Mapped[int] = mapped_column(BigInteger, default=0)
    sha256: Mapped[str | None] = mapped_column(String(64))
    location: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str | None] = mapped_column(Text)
    queued: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Each shard's [number, worker ("<host> pid <n>"), seconds, products, rendered anew], in
    # number order; None for a publication written whole (no shards).
    shards: Mapped[list[list[Any]] | None] = mapped_column(Json)
    channel: Mapped["Channel"] = relationship()  # noqa: F821
    files: Mapped[list["PublicationFile"]] = relationship(cascade="all, delete-orphan", order_by="PublicationFile.name", lazy="selectin")


class PublicationFile(Base):
    """One file a publication wrote; the newest succeeded one per name is what feeds serve."""

    __tablename__ = "publication_file"
    __table_args__ = (UniqueConstraint("publication_id", "name"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    bytes: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    location: Mapped[str] = mapped_column(String(1000))


class PublicationDiagnostic(Base):
    """One finding on one product in one channel. It holds from the publication that found it
    (``publication_id``) until the first later publication of the channel that rendered the
    product again or no longer carries it (``until_id``; None while it holds). A republish that
    renders 1 % of a million products anew thus writes the findings of that 1 %, not a copy of a
    million rows, and the table grows with change, not with publications."""

    __tablename__ = "publication_diagnostic"
    # Current findings by product (closing them, the grid); by code (the grid's filter); a
    # publication's own rows (undoing a run that did not succeed).
    __table_args__ = (Index("ix_publication_diagnostic_current", "channel_id", "until_id", "product_id"),
                      Index("ix_publication_diagnostic_code", "channel_id", "code"),
                      Index("ix_publication_diagnostic_product", "publication_id", "product_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"))
    channel_id: Mapped[int] = mapped_column(Integer)
    until_id: Mapped[int | None] = mapped_column(Integer)
    product_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the finding outlives the product
    sku: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    attribute: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)


class DiagnosticCount(Base):
    """How many products had each finding in a succeeded publication, counted once when it
    succeeded: the dashboard's most frequent findings, without counting a million rows a view."""

    __tablename__ = "publication_diagnostic_count"
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"), primary_key=True)
    severity: Mapped[str] = mapped_column(String(16), primary_key=True)
    code: Mapped[str] = mapped_column(String(64), primary_key=True)
    products: Mapped[int] = mapped_column(Integer)


class ChannelLock(Base):
    """Held while a channel publishes, so two runs never overlap; it expires if its holder dies."""

    __tablename__ = "channel_lock"
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"), primary_key=True)
    publication_id: Mapped[int] = mapped_column(Integer)
    expires: Mapped[datetime] = mapped_column(UTCDateTime)


class ScheduledRun(Base):
    """A schedule slot claimed by a scheduler: the unique key lets only one of several claim it."""

    __tablename__ = "scheduled_run"
    __table_args__ = (UniqueConstraint("channel_id", "slot"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    channel_id: Mapped[int] = mapped_column(ForeignKey("channel.id", ondelete="CASCADE"))
    slot: Mapped[datetime] = mapped_column(UTCDateTime)
    publication_id: Mapped[int | None] = mapped_column(Integer)
    claimed: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    details: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class DiagnosticRepo:
    """Findings as they held at a publication, and the writes that keep their validity ranges."""

    def __init__(self, session: Session) -> None:
        self._s = session

    @staticmethod
    def as_of(publication: Publication) -> ColumnElement[bool]:
        """The findings of ``publication``: those holding when it ran (the run's own so far while
        it runs). A failed run's are undone; it shows only rows it wrote before that mechanism."""
        d = PublicationDiagnostic
        if publication.status == "failed":
            return d.publication_id == publication.id
        return and_(d.channel_id == publication.channel_id, d.publication_id <= publication.id,
                    or_(d.until_id.is_(None), d.until_id > publication.id))

    def counted(self, publication: Publication) -> list[tuple[str, str, int]]:
        """(severity, code, products) of the findings holding at ``publication``, counted now."""
        d = PublicationDiagnostic
        query = select(d.severity, d.code, func.count(func.distinct(d.sku))).where(self.as_of(publication)).group_by(d.severity, d.code)
        return [(severity, code, int(n)) for severity, code, n in self._s.execute(query)]

    def keep_counts(self, publication: Publication, counts: list[tuple[str, str, int]] | None = None) -> None:
        """Store the counts of a publication that has just succeeded: ``counts`` as its shards
        added them up, else counted from its findings here."""
        self._s.execute(delete(DiagnosticCount).where(DiagnosticCount.publication_id == publication.id))
        rows = [{"publication_id": publication.id, "severity": severity, "code": code, "products": n}
                for severity, code, n in (self.counted(publication) if counts is None else counts)]
        if rows:
            self._s.execute(insert(DiagnosticCount), rows)

    def add(self, channel_id: int, publication_id: int, found: Iterable[tuple[int, list[list[Any]]]]) -> None:
        """Store (product id, findings as [severity, code, attribute, message, fix, sku]) pairs,
        holding from ``publication_id`` on, in one statement."""
        rows = [{"publication_id": publication_id, "channel_id": channel_id, "product_id": product_id, "sku": sku,
                 "severity": severity, "code": code, "attribute": attribute, "message": message, "fix": fix}
                for product_id, diagnostics in found for severity, code, attribute, message, fix, sku in diagnostics]
        if rows:
            self._s.execute(insert(PublicationDiagnostic.__table__), rows)  # Core: no ORM bulk step per shard

    def close(self, channel_id: int, publication_id: int, product_ids: Iterable[int] | None = None,
              low: int | None = None, high: int | None = None, beyond: int | None = None) -> None:
        """End the findings that hold for the channel's products rendered again by
        ``publication_id``: those of ``product_ids``, of ids in [low, high), of ids from ``beyond``
        on (and findings without a product), or all of them."""
        d = PublicationDiagnostic.__table__.c  # Core statements: each shard of a publication runs them
        # The run's own rows for these products go (a shard run twice writes its findings once);
        # the others are ended.
        own = delete(PublicationDiagnostic.__table__).where(d.publication_id == publication_id)
        ending = update(PublicationDiagnostic.__table__).where(d.channel_id == channel_id, d.until_id.is_(None)).values(
            until_id=publication_id)
        if product_ids is not None:
            ids = sorted(set(product_ids))
            for start in range(0, len(ids), 5000):
                chosen = d.product_id.in_(ids[start:start + 5000])
                self._s.execute(own.where(chosen))
                self._s.execute(ending.where(chosen))
            return
        chosen = true()
        if low is not None and high is not None:
            chosen = and_(d.product_id >= low, d.product_id < high)
        if beyond is not None:
            chosen = or_(d.product_id >= beyond, d.product_id.is_(None))
        self._s.execute(own.where(chosen))
        self._s.execute(ending.where(chosen))

    def undo_unfinished(self, channel_id: int, running: int | None = None) -> None:
        """Take back what the channel's runs since its last good one wrote and closed, but for
        the ``running`` one: they failed or died, and the findings of the last good run hold."""
        d, p = PublicationDiagnostic, Publication
        last_good = self._s.scalar(select(func.max(p.id)).where(p.channel_id == channel_id, p.status == "succeeded")) or 0
        unfinished = select(p.id).where(p.channel_id == channel_id, p.status != "succeeded", p.id > last_good)
        if running is not None:
            unfinished = unfinished.where(p.id != running)
        self._s.execute(unsynced(delete(d).where(d.publication_id.in_(unfinished))))
        self._s.execute(unsynced(update(d).where(d.channel_id == channel_id, d.until_id.in_(unfinished)).values(until_id=None)))
