"""Rendering a publication's shards: in the publishing process, or spread over worker
processes on this machine (``crosscanal publish --workers N``).

Each worker opens its own connections, prepares the channel's renderer once and renders the
shards it is handed; reads run in read transactions and a shard's diagnostics are written in a
short transaction of their own, so workers neither block each other nor other writers on
SQLite. Shards render the same bytes wherever they run; the publishing process stitches them.
The fan-out issue hands the same shard tasks to Celery workers on other machines.
"""

from __future__ import annotations

import multiprocessing
import os
from collections import deque
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Callable

from sqlalchemy.orm import Session, sessionmaker

from channel_adapters.base.registry import AdapterRegistry, load_adapters
from hub import allocations
from hub.config import Settings
from hub.publishing.render import ChannelRenderer
from hub.publishing.shards import Outcome, Shard, ShardRenderer
from hub.store.db import make_engine, make_session_factory
from hub.store.models import Channel


@dataclass(frozen=True)
class Job:
    """What a worker needs to render shards of one publication."""

    settings: Settings
    publication_id: int
    channel_id: int
    now: datetime
    folder: Path
    kept: tuple[Path, int] | None  # the kept parts' folder and the publication that rendered them


class ShardWork:
    """Renders shards of one publication with one pair of session factories."""

    def __init__(self, job: Job, readers: sessionmaker[Session], writers: sessionmaker[Session], registry: AdapterRegistry,
                 renderer: ChannelRenderer | None = None) -> None:
        """``renderer``: the publishing process's own; a worker process prepares one."""
        self.readers, self.writers = readers, writers
        if renderer is None:
            with readers() as session:
                channel = session.get(Channel, job.channel_id)
                renderer = ChannelRenderer(session, registry, job.settings, channel, job.now)  # type: ignore[arg-type]
        self.shards = ShardRenderer(renderer, job.publication_id, job.folder, job.kept)

    def render(self, shard: Shard) -> Outcome:
        with allocations.bulk(), self.readers() as reader, self.writers() as writer:
            return self.shards.render(reader, writer, shard)


_work: ShardWork | None = None  # the worker process's, made by _start


# Shard workers run at a lower CPU priority: a publication is a background job, and the editors'
# requests on the same cores should not wait for it (8 clients PATCHing while the Google feed of
# 100,000 was published back to back on SQLite: p99 575 -> 456 ms, 38 -> 63 writes/s; the
# publication 14.3 -> 15.2 s).
RENDER_NICENESS = 10


def _start(job: Job) -> None:
    global _work
    os.nice(RENDER_NICENESS)
    engine = make_engine(job.settings.database_url)
    _work = ShardWork(job, make_session_factory(engine), make_session_factory(engine, writer=True),
                      load_adapters(job.settings.disabled_adapters))


def _render(shard: Shard) -> Outcome:
    assert _work is not None, "worker not started"
    return _work.render(shard)


def _ready() -> bool:
    """Answers once the worker is started (its imports done, its renderer prepared)."""
    return _work is not None


IN_FLIGHT = 2  # shards handed to each worker at a time: one rendering, one waiting, so none idles between two


def render_all(job: Job, shards: list[Shard], workers: int, local: ShardWork, done: Callable[[Outcome], None]) -> None:
    """Render every shard, calling ``done`` as each finishes (in any order); raises the first
    shard's error. With one worker, or one shard, ``local`` renders them in this process.

    With several, ``local`` renders shards from the front while the worker processes start
    (about a second each, importing and preparing the channel's renderer), so the stitching
    begins at once; once the workers have answered a first call, shards are handed out in key
    order, a couple per worker at a time, and this process only stitches."""
    if workers <= 1 or len(shards) <= 1:
        for shard in shards:
            done(local.render(shard))
        return
    waiting = deque(shards)
    # spawn, not fork: the publishing process holds database connections a fork would share.
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=min(workers, len(shards)), mp_context=context, initializer=_start,
                             initargs=(job,)) as pool:
        starting = {pool.submit(_ready) for _ in range(min(workers, len(shards)))}
        rendering: set[Future[Outcome]] = set()
        while waiting or rendering:
            up = not starting
            while up and waiting and len(rendering) < IN_FLIGHT * workers:
                rendering.add(pool.submit(_render, waiting.popleft()))
            if not up and waiting:
                done(local.render(waiting.popleft()))  # while the workers start
            finished, _ = wait(rendering | starting, timeout=None if up or not waiting else 0, return_when=FIRST_COMPLETED)
            for future in finished:
                error = future.exception()
                if error is not None:
                    for other in rendering | starting:
                        other.cancel()
                    raise error
                if future in starting:
                    starting.discard(future)
                else:
                    rendering.discard(future)
                    done(future.result())
