"""Publications: one run of publishing a channel, the files it wrote, and what it found."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, insert, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from hub.store.base import Base
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
    __tablename__ = "publication_diagnostic"
    # The grid finds the products with a given diagnostic in a channel's last publication; a
    # republish copies the diagnostics of a range of product ids from the one before.
    __table_args__ = (Index("ix_publication_diagnostic_code", "publication_id", "code"),
                      Index("ix_publication_diagnostic_product", "publication_id", "product_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    publication_id: Mapped[int] = mapped_column(ForeignKey("publication.id", ondelete="CASCADE"))
    product_id: Mapped[int | None] = mapped_column(Integer)  # no foreign key: the finding outlives the product
    sku: Mapped[str] = mapped_column(String(64))
    severity: Mapped[str] = mapped_column(String(16))
    code: Mapped[str] = mapped_column(String(64))
    attribute: Mapped[str | None] = mapped_column(String(100))
    message: Mapped[str] = mapped_column(Text)
    fix: Mapped[str | None] = mapped_column(Text)


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
    def __init__(self, session: Session) -> None:
        self._s = session

    def copy(self, source: int, target: int, low: int, high: int, leave_out: list[int]) -> int | None:
        """Copy publication ``source``'s diagnostics of the products with ids in [low, high),
        but those in ``leave_out``, to publication ``target``, in one statement; None when
        ``source`` no longer exists."""
        if self._s.get(Publication, source) is None:
            return None
        d = PublicationDiagnostic
        columns = ["publication_id", "product_id", "sku", "severity", "code", "attribute", "message", "fix"]
        rows = (select(literal(target), d.product_id, d.sku, d.severity, d.code, d.attribute, d.message, d.fix)
                .where(d.publication_id == source, d.product_id >= low, d.product_id < high).order_by(d.id))
        if leave_out:
            rows = rows.where(d.product_id.not_in(leave_out))
        return self._s.execute(insert(d).from_select(columns, rows)).rowcount
