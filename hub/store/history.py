"""Versions of products and product models: who changed what, when, and the state after."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base
from hub.store.types import Json, UTCDateTime, utcnow


class Version(Base):
    __tablename__ = "version"
    __table_args__ = (UniqueConstraint("entity", "entity_key", "version"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    entity: Mapped[str] = mapped_column(String(32))
    entity_key: Mapped[str] = mapped_column(String(100))
    version: Mapped[int] = mapped_column(Integer)
    author: Mapped[str] = mapped_column(String(254))
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    changes: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    # The whole state after this version, so any version can be read back or restored as it was;
    # JSON null (never SQL NULL) for a creation no version has followed yet: the record holds
    # that state (``hub.services.history``).
    snapshot: Mapped[dict[str, Any] | None] = mapped_column(Json, nullable=False, default=dict)
