"""Which process runs a job, and whether it still does.

Imports, bulk edits and exports run in the process that queued them: a server worker's pool, or a
command. A process that was killed (or a server restarted mid-job) left its jobs "queued" or
"running" for ever, and their pages polling. Each job names its process; every start of the hub
marks failed the unfinished jobs whose process, on this machine, is gone. A job of another
machine is left alone: only its own machine can tell.
"""

from __future__ import annotations

import logging
import os
import socket
from pathlib import Path

from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from hub.store.bulk_edits import BulkEdit
from hub.store.export_jobs import ExportJob
from hub.store.imports import ImportJob
from hub.store.types import utcnow

logger = logging.getLogger(__name__)
GONE = ("its process ended before it finished (killed, or the server restarted); what its finished "
        "batches saved is kept (nothing in a dry run): start it again")


def this_process() -> str:
    """This process as a job records it: host, pid, and when it started (Linux)."""
    return f"{socket.gethostname()} {os.getpid()} {_started(os.getpid())}".strip()


def _started(pid: int) -> str:
    """When the process started, in clock ticks since boot (``/proc``), so that a pid used again
    by a later process is told apart; "" where there is no ``/proc``."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return ""


def gone(runner: str) -> bool:
    """Whether the process ``runner`` names has ended, as far as this machine can tell."""
    host, _, rest = runner.partition(" ")
    pid, _, started = rest.partition(" ")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        pass  # alive, as another user
    return bool(started) and _started(int(pid)) != started


def taken(writers: sessionmaker[Session], model: type[ImportJob] | type[BulkEdit] | type[ExportJob], job_id: int) -> bool:
    """A worker takes a queued job: it names this process as its runner. False when the job is
    gone or no longer queued."""
    with writers() as session:
        taking = session.execute(update(model).where(model.id == job_id, model.status == "queued").values(runner=this_process()))
        session.commit()
        return taking.rowcount == 1


def fail_orphans(writers: sessionmaker[Session]) -> int:
    """Mark failed every queued or running import, bulk edit and export whose process is gone, in a
    transaction of its own; answers how many."""
    count = 0
    with writers() as session:
        for model in (ImportJob, BulkEdit, ExportJob):
            for job in session.scalars(select(model).where(model.status.in_(("queued", "running")), model.runner.is_not(None))):
                if gone(job.runner):  # type: ignore[arg-type]
                    job.status, job.error, job.finished = "failed", GONE, utcnow()
                    logger.warning("%s %s marked failed: %s", model.__tablename__, job.id, GONE)
                    count += 1
        session.commit()
    return count
