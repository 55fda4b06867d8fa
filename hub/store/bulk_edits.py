"""Bulk edits: one change applied to many products by a background job, with its progress and
the products it could not change (and why), kept so the merchandiser can read them later."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base
from hub.store.types import Json, UTCDateTime, utcnow


class BulkEdit(Base):
    __tablename__ = "bulk_edit"
    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(200))
    action: Mapped[dict[str, Any]] = mapped_column(Json)  # as schemas.bulk_edit.BulkEditIn loads it
    skus: Mapped[list[str]] = mapped_column(Json)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, succeeded, failed
    # The process that runs it ("host pid start"), so a start after that process died can tell
    # (hub.jobs.runners); None for jobs from before migration 0015.
    runner: Mapped[str | None] = mapped_column(String(200))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    total: Mapped[int] = mapped_column(Integer, default=0)
    changed: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    failures: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)  # [{"sku", "errors": {path: [reason]}}]
    error: Mapped[str | None] = mapped_column(Text)
    queued: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
