"""A job whose process was killed is marked failed, with the reason, at the hub's next start; a
job whose process lives, or that runs on another machine, is left alone."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.jobs.runners import GONE, gone, this_process
from hub.store.bulk_edits import BulkEdit
from hub.store.export_jobs import ExportJob
from hub.store.imports import ImportJob
from hub.store.models import Product
from tests import factories
from tests.integration.test_cli_publish import run


def test_a_killed_import_is_marked_failed_at_the_next_start_and_keeps_its_finished_batches(
    db_session: Session, settings: Settings, tmp_path: Path
) -> None:
    factories.catalog(db_session)
    db_session.commit()
    path = tmp_path / "big.csv"
    path.write_text("sku;family;name-en_US\n" + "".join(f"s-{n};drinks;Drink {n}\n" for n in range(60_000)))
    env = {**os.environ, "CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir)}
    importer = subprocess.Popen([sys.executable, "-m", "hub.cli", "import", str(path)], env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while True:  # killed once a batch is committed, mid-file
            db_session.rollback()
            job = db_session.scalar(select(ImportJob))
            if job is not None and job.rows > 0:
                break
            assert importer.poll() is None and time.monotonic() < deadline, "the import ended before it could be killed"
            time.sleep(0.05)
        importer.send_signal(signal.SIGKILL)
        importer.wait()
    finally:
        if importer.poll() is None:
            importer.kill()
    db_session.rollback()
    assert db_session.scalar(select(ImportJob)).status == "running"  # as the killed process left it

    assert run(settings, "init").exit_code == 0  # the next start

    db_session.rollback()
    db_session.expire_all()
    job = db_session.scalar(select(ImportJob))
    assert (job.status, job.error) == ("failed", GONE) and job.finished is not None
    kept = db_session.scalar(select(func.count()).select_from(Product).where(Product.sku.like("s-%")))
    assert 0 < kept < 60_000


def test_only_jobs_of_a_process_that_ended_on_this_machine_are_marked(db_session: Session, settings: Settings) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True)
    here = socket.gethostname()
    runners = {"ended": f"{here} {ended.stdout.strip()}", "alive": this_process(), "elsewhere": "another-host 1 1",
               "reused pid": f"{here} {os.getpid()} 1"}  # this pid, but a process that started at another time
    for name, runner in runners.items():
        db_session.add(ImportJob(author=name, filename="x.csv", status="running", runner=runner, rejections=[], options={}))
        db_session.add(BulkEdit(author=name, action={"action": "enable"}, skus=["x"], status="queued", total=1, runner=runner))
        db_session.add(ExportJob(author=name, kind="products", format="csv", status="running", runner=runner))
    db_session.commit()
    assert [gone(runner) for runner in runners.values()] == [True, False, False, True]

    assert run(settings, "init").exit_code == 0

    db_session.expire_all()
    for model in (ImportJob, BulkEdit, ExportJob):
        statuses = {job.author: job.status for job in db_session.scalars(select(model))}
        left = "queued" if model is BulkEdit else "running"
        assert statuses == {"ended": "failed", "alive": left, "elsewhere": left, "reused pid": "failed"}
