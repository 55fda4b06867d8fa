"""Export jobs: a whole-catalog export written by a background job (a worker, with a broker) into
the data folder, with its progress, then downloaded from any ``serve`` process. A large export
outlives a request: answered by the request itself, a million products held a connection and a
server thread for a minute and could not run on the workers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Float, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.store.base import Base
from hub.store.types import UTCDateTime, utcnow


class ExportJob(Base):
    __tablename__ = "export_job"
    id: Mapped[int] = mapped_column(primary_key=True)
    author: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(16))  # products, models, stock
    format: Mapped[str] = mapped_column(String(16))  # csv, xlsx, ndjson
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued, running, succeeded, failed
    runner: Mapped[str | None] = mapped_column(String(200))  # the process that runs it (hub.jobs.runners)
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    total: Mapped[int] = mapped_column(Integer, default=0)  # records to write, counted as it starts
    written: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int | None] = mapped_column(BigInteger)  # bytes of the finished file
    error: Mapped[str | None] = mapped_column(Text)
    queued: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    started: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished: Mapped[datetime | None] = mapped_column(UTCDateTime)
