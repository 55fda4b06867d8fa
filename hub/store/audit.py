"""The audit log: one row per administrative action (users, tokens, channels, locales,
currencies, the brand guide), written in the same transaction as the change it records.

Rows are only ever added; nothing here updates or deletes one. They name their actor by kind,
id and name rather than by a foreign key, so an entry outlives the token or user it names.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Index, Integer, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base
from hub.store.types import Json, UTCDateTime, utcnow


class AuditEntry(Base):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_action", "action", "id"),
        Index("ix_audit_entry_subject", "subject_kind", "subject_key", "id"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))  # token, user or cli
    actor_id: Mapped[int | None] = mapped_column(Integer)  # the token's or the user's id
    actor_name: Mapped[str] = mapped_column(String(254))
    action: Mapped[str] = mapped_column(String(64))  # e.g. channel.update
    subject_kind: Mapped[str] = mapped_column(String(32))
    subject_key: Mapped[str] = mapped_column(String(254))
    # The changed fields with their new values; secrets never reach it (``hub.services.audit``).
    changes: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    address: Mapped[str | None] = mapped_column(String(64))  # the client's, when a request acted


class AuditRepo:
    def __init__(self, session: Session) -> None:
        self._s = session

    def add(self, entry: AuditEntry) -> None:
        self._s.add(entry)
        self._s.flush()

    def page(self, before: int | None, limit: int, action: str | None = None, subject_kind: str | None = None,
             subject_key: str | None = None) -> Sequence[AuditEntry]:
        """Entries newest first, those older than entry ``before`` (all when None), filtered by
        whichever of action and subject are given."""
        query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit)
        if before is not None:
            query = query.where(AuditEntry.id < before)
        if action is not None:
            query = query.where(AuditEntry.action == action)
        if subject_kind is not None:
            query = query.where(AuditEntry.subject_kind == subject_kind)
        if subject_key is not None:
            query = query.where(AuditEntry.subject_key == subject_key)
        return self._s.scalars(query).all()
