"""Shard worker processes render at a lower CPU priority than the process that started them, so
the editors' requests on the same cores do not wait for a publication."""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.publishing import workers
from hub.store.models import Channel


def test_a_shard_worker_starts_at_the_render_niceness(settings: Settings, db_session: Session, seeded: None,
                                                      tmp_path: Path) -> None:
    channel = db_session.scalar(select(Channel).where(Channel.code == "web"))
    job = workers.Job(settings, 1, channel.id, datetime.now(timezone.utc), tmp_path, None)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"), initializer=workers._start,
                             initargs=(job,)) as pool:
        assert pool.submit(workers._ready).result(timeout=60)
        niceness = pool.submit(os.nice, 0).result(timeout=60)
    assert niceness == os.nice(0) + workers.RENDER_NICENESS
