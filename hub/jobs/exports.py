"""Running an export job: the whole catalog's products, models or stock written by
``hub.exports.catalog_export`` to a file in the data folder, the job's progress committed as it
reads, the file renamed into place only once whole (so a download never gets half a file), and
the files of old jobs removed.

In a hub without a broker the job reads in one process (a thread of the hub's pool), counting
its progress as it reads. With a broker it runs on the workers: a products export of more than
``Settings.export_run_size`` products is cut into runs of SKUs, each written by any worker into
the job's folder (``crosscanal.export_part``, its progress counted per run), then joined in SKU
order by one (``crosscanal.export_join``) into the same bytes as one process writes; a smaller
export, or models or stock, is one task. Any ``serve`` process sharing the data folder then hands
the file out.
"""

from __future__ import annotations

import logging
import math
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.errors import HubError, NotFound, unforeseen
from hub.exports.catalog_export import export, export_run, join_runs, runs_between
from hub.jobs.runners import this_process
from hub.store.export_jobs import ExportJob
from hub.store.inventory import Stock
from hub.store import product_rows
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

    def runs_folder(self, job: ExportJob) -> Path:
        """Where a job's runs of SKUs are written by the workers before they are joined."""
        return self.data_dir / "exports" / f"export-{job.id}.runs"

    def begin(self, job_id: int, run_size: int | None = None) -> list[tuple[str | None, str | None]] | None:
        """Mark the job running and count what it will write. With ``run_size``: the runs of SKUs
        to write apart (``run_part``) for a products export of more than ``run_size``; None: one
        process writes it all (``run``)."""
        with self.writers() as session:
            job = session.get(ExportJob, job_id)
            if job is None:
                raise NotFound(f"no export job {job_id}")
            job.total = session.scalar(select(func.count()).select_from(COUNTED[job.kind])) or 0
            job.status, job.started = "running", utcnow()
            runs = None
            if run_size and job.kind == "products" and job.total > run_size:
                runs = runs_between(product_rows.sku_bounds(session, job.total, math.ceil(job.total / run_size)))
                shutil.rmtree(self.runs_folder(job), ignore_errors=True)
                self.runs_folder(job).mkdir(parents=True)
            session.commit()
            return runs

    def run_part(self, job_id: int, database_url: str, index: int, low: str | None,
                 high: str | None) -> tuple[int, dict[str, Any], str | None]:
        """Write one run of SKUs into the job's folder (again, when delivered again); its
        records count towards the job's progress. Answers what ``join`` needs of it: its count,
        its columns, and why the catalog cannot be exported so (a refusal that another try
        would meet again, such as an attribute named like a flat column), else None."""
        with self.readers() as session:
            job = session.get(ExportJob, job_id)
            if job is None or job.status != "running":
                raise NotFound(f"export job {job_id} is not running")
            path, fmt = self.runs_folder(job) / f"run-{index:05d}", job.format
        try:
            count, columns = export_run(database_url, fmt, low, high, path)
        except HubError as exc:
            return 0, {}, exc.detail
        with self.writers() as session:  # runs end on several workers at once: the row is locked to add
            job = session.get(ExportJob, job_id, with_for_update=True)
            if job is not None and job.status == "running":
                job.written += count
                job.progress = min(0.99, job.written / job.total) if job.total else 0.0
                session.commit()
        return count, columns, None

    def join(self, job_id: int, found: list[tuple[int, dict[str, Any], str | None]]) -> None:
        """Every run written: join them in SKU order into the job's file, or fail the job with the
        first run's refusal; records how it ended."""
        with self.readers() as session:
            job = session.get(ExportJob, job_id)
            if job is None or job.status != "running":
                return  # joined by an earlier delivery, or failed meanwhile
            fmt, target, folder = job.format, self.path(job), self.runs_folder(job)
        refused = next((reason for _n, _columns, reason in found if reason), None)
        if refused:
            self.fail(job_id, refused)
            return
        paths = [folder / f"run-{index:05d}" for index in range(len(found))]
        self._write(job_id, target, lambda out: join_runs(fmt, paths, [(n, columns) for n, columns, _ in found], out))
        shutil.rmtree(folder, ignore_errors=True)

    def fail(self, job_id: int, reason: str) -> None:
        """A run was refused or kept failing: the job fails with the reason, its runs removed."""
        with self.readers() as session:
            job = session.get(ExportJob, job_id)
            if job is None:
                return
            target, folder = self.path(job), self.runs_folder(job)
        shutil.rmtree(folder, ignore_errors=True)
        self._end(job_id, target.with_name(f"{target.name}.part"), "failed", error=reason)

    def run(self, job_id: int) -> None:
        """Write the job's export in this process; records how it ended, never raises for it."""
        self.begin(job_id)
        with self.readers() as session:
            job = session.get(ExportJob, job_id)
            assert job is not None
            kind, fmt, target, total = job.kind, job.format, self.path(job), job.total
        told = time.monotonic()

        def progress(read: int) -> None:
            nonlocal told
            if time.monotonic() - told >= TELL_EVERY:
                told = time.monotonic()
                self._set(job_id, written=read, progress=min(0.99, read / total) if total else 0.0)

        def write(out: Any) -> int:
            with self.readers() as reading:
                return export(reading, kind, fmt, out, progress=progress)

        self._write(job_id, target, write)

    def _write(self, job_id: int, target: Path, write: Any) -> None:
        """``write(out)`` into a partial file renamed to ``target`` once whole; records how the job ended."""
        partial = target.with_name(f"{target.name}.part")
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(partial, "wb") as out:
                written = write(out)
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
