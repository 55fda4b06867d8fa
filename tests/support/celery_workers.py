"""Real ``crosscanal worker`` processes for the tests, against the test run's database, data
folder and Redis database: started, waited for, and stopped (or killed) by the test."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from hub.config import Settings

READY = "ready."  # what a Celery worker logs once it takes tasks
REDELIVERY = 4  # seconds before a task a killed worker held goes to another (CROSSCANAL_TASK_REDELIVERY_SECONDS)


def worker_environment(settings: Settings, broker_url: str) -> dict[str, str]:
    """The environment a worker (or a second hub) needs to share the test's hub."""
    return {**os.environ, "CROSSCANAL_DATABASE_URL": settings.database_url, "CROSSCANAL_DATA_DIR": str(settings.data_dir),
            "CROSSCANAL_PUBLISH_URL": settings.publish_url, "CROSSCANAL_SECRET_KEY": settings.secret_key,
            "CROSSCANAL_PUBLIC_URL": settings.public_url, "CROSSCANAL_BROKER_URL": broker_url,
            "CROSSCANAL_SHARD_SPAN": str(settings.shard_span), "CROSSCANAL_EXPORT_RUN_SIZE": str(settings.export_run_size), "CROSSCANAL_TASK_REDELIVERY_SECONDS": str(REDELIVERY)}


class Worker:
    """One ``crosscanal worker``, in a session (process group) of its own, logging to ``log``."""

    def __init__(self, process: subprocess.Popen, log: Path) -> None:  # type: ignore[type-arg]
        self.process, self.log = process, log

    @classmethod
    def spawn(cls, environment: dict[str, str], log: Path, concurrency: int = 1) -> "Worker":
        with log.open("wb") as out:
            process = subprocess.Popen([sys.executable, "-m", "hub.cli", "worker", "--concurrency", str(concurrency)],
                                       env=environment, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        return cls(process, log)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def kill(self) -> None:
        """``kill -9`` of the worker and its pool's processes: nothing gets to give its task back."""
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.process.wait(timeout=30)

    def stop(self) -> None:
        if self.process.poll() is None:
            try:
                os.killpg(self.process.pid, signal.SIGTERM)
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                pass
            except ProcessLookupError:
                return
        self.kill()  # a pool process left behind by its parent would still hold the group


def wait_ready(workers: list[Worker], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    for worker in workers:
        while READY not in worker.text():
            if worker.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"a worker did not start:\n{worker.text()[-3000:]}")
            time.sleep(0.2)


@contextmanager
def running_workers(settings: Settings, broker_url: str, count: int, folder: Path) -> Iterator[list[Worker]]:
    """``count`` workers of one process each, ready to take tasks."""
    workers: list[Worker] = []
    try:
        for n in range(count):
            workers.append(Worker.spawn(worker_environment(settings, broker_url), folder / f"worker-{n}.log"))
        wait_ready(workers)
        yield workers
    finally:
        for worker in workers:
            worker.stop()
