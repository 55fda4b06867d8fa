"""Running an export job: the whole catalog's products, models or stock written by
``hub.exports.catalog_export`` to a file in the data folder, the job's progress committed as it
reads, the file renamed into place only once whole (so a download never gets half a file), and
the files of old jobs removed.

With a broker the job runs on a worker (``crosscanal.run_export``); any ``serve`` process sharing
the data folder then hands the file out. Read in one process: a job's progress is counted as it
reads, which the command's parallel runs cannot tell.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import HubError, NotFound, unforeseen
from hub.exports.catalog_export import export
from hub.jobs.runners import this_process
from hub.store.export_jobs import ExportJob
from hub.store.inventory import Stock
from hub.store.products import Product, ProductModel
from hub.store.types import utcnow

logger = logging.getLogger(__name__)
KEPT_FILES = 20  # the newest jobs whose files stay for download; older ones' files are removed
TELL_EVERY = 1.0  # seconds between two commits of a running job's progress
COUNTED = {"products": Product, "models": ProductModel, "stock": Stock}


@dataclass
class Exporter:
    readers: sessionmaker[Session]
    writers: sessionmaker[Session]
    data_dir: Path

    def start(self, session: Session, options: dict[str, Any], author: str) -> ExportJob:
        """Record a queued job for loaded ``ExportOptionsIn`` in the caller's session (it commits)."""
        job = ExportJob(author=author, kind=options["kind"], format=options["format"], status="queued",
                        runner=this_process())
        session.add(job)
        session.flush()
        return job

    def path(self, job: ExportJob) -> Path:
        """Where a job's finished file lies."""
        return self.data_dir / "exports" / f"export-{job.id}.{job.format}"

    def run(self, job_id: int) -> None:
        """Write the job's export; records how it ended, never raises for it."""
        with self.writers() as session:
            job = session.get(ExportJob, job_id)
            if job is None:
                raise NotFound(f"no export job {job_id}")
            kind, fmt, target = job.kind, job.format, self.path(job)
            job.total = session.scalar(select(func.count()).select_from(COUNTED[kind])) or 0
            job.status, job.started = "running", utcnow()
            session.commit()
            total = job.total
        partial = target.with_name(f"{target.name}.part")
        told = time.monotonic()

        def progress(read: int) -> None:
            nonlocal told
            if time.monotonic() - told >= TELL_EVERY:
                told = time.monotonic()
                self._set(job_id, written=read, progress=min(0.99, read / total) if total else 0.0)

        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with self.readers() as reading, open(partial, "wb") as out:
                written = export(reading, kind, fmt, out, progress=progress)
            os.replace(partial, target)
        except HubError as exc:
            logger.exception("export %s failed", job_id)
            self._end(job_id, partial, "failed", error=exc.detail)
        except Exception as exc:  # noqa: BLE001 - a job must always record how it ended
            logger.exception("export %s failed", job_id)
            self._end(job_id, partial, "failed", error=unforeseen(exc))
        else:
            self._end(job_id, partial, "succeeded", written=written, size=target.stat().st_size, progress=1.0)
            self._prune()

    def _set(self, job_id: int, **values: Any) -> None:
        with self.writers() as session:
            session.execute(update(ExportJob).where(ExportJob.id == job_id).values(**values))
            session.commit()

    def _end(self, job_id: int, partial: Path, status: str, **values: Any) -> None:
        try:
            partial.unlink(missing_ok=True)
        except OSError:
            logger.warning("export %s: its partial file %s could not be removed", job_id, partial, exc_info=True)
        if values.get("error"):
            values["error"] = values["error"][:4000]
        self._set(job_id, status=status, finished=utcnow(), **values)

    def _prune(self) -> None:
        """Remove the files of all but the newest ``KEPT_FILES`` succeeded jobs."""
        with self.readers() as session:
            old = session.scalars(select(ExportJob).where(ExportJob.status == "succeeded")
                                  .order_by(ExportJob.id.desc()).offset(KEPT_FILES).limit(100)).all()
            for job in old:
                self.path(job).unlink(missing_ok=True)
