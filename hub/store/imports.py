"""Import jobs and saved column mappings: what an import was asked to do, how far it got, how it
ended, and the first rejected rows (the full report is a CSV file under the data dir)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import Boolean, Float, Integer, String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from hub.store.base import Base
from hub.store.export_jobs import ExportJob
from hub.store.types import Json, UTCDateTime, utcnow


class ImportJob(Base):
    __tablename__ = "import_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(16))  # products, models, stock; None until detected
    format: Mapped[str | None] = mapped_column(String(16))  # csv, xlsx, ndjson, json, xml; None until detected
    filename: Mapped[str] = mapped_column(String(500))
    dry_run: Mapped[bool] = mapped_column(Boolean, default=False)
    options: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # encoding, delimiter, mapping name and columns
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, succeeded, failed
    # The process that runs it ("host pid start"), so a start after that process died can tell
    # (hub.jobs.runners); None for jobs from before migration 0015.
    runner: Mapped[str | None] = mapped_column(String(200))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    total: Mapped[int | None] = mapped_column(Integer)  # rows, when the format tells before reading them all
    rows: Mapped[int] = mapped_column(Integer, default=0)  # rows read so far
    created: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    # The first rejections as [{"row", "key", "column", "value", "field", "reason"}]; the count covers all.
    rejections: Mapped[list[dict[str, Any]]] = mapped_column(Json, default=list)
    error: Mapped[str | None] = mapped_column(Text)  # why the whole file was refused or the job failed
    queued: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ColumnMapping(Base):
    """A supplier's headers renamed to ours (``{"EAN": "ean"}``; ``""`` ignores a column), saved by name."""

    __tablename__ = "column_mapping"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    columns: Mapped[dict[str, str]] = mapped_column(Json, default=dict)
    created: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportRepo:
    """Queries about import jobs and column mappings."""

    def __init__(self, session: Session) -> None:
        self._s = session

    def job(self, job_id: int) -> ImportJob | None:
        return self._s.get(ImportJob, job_id)

    def recent_jobs(self, limit: int = 50) -> Sequence[ImportJob]:
        return self._s.scalars(select(ImportJob).order_by(ImportJob.id.desc()).limit(limit)).all()

    def recent_exports(self, limit: int = 10) -> Sequence[ExportJob]:
        return self._s.scalars(select(ExportJob).order_by(ExportJob.id.desc()).limit(limit)).all()

    def mapping(self, name: str) -> ColumnMapping | None:
        return self._s.scalar(select(ColumnMapping).where(ColumnMapping.name == name))

    def mappings(self) -> Sequence[ColumnMapping]:
        return self._s.scalars(select(ColumnMapping).order_by(ColumnMapping.name)).all()

    def add(self, obj: object) -> None:
        self._s.add(obj)
        self._s.flush()
