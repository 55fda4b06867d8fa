"""A bulk writer's SQLite checkpoints run beside it: its commits skip them, a thread does them."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import QueuePool, text

from hub.store.db import WAL_AUTOCHECKPOINT, checkpoints_behind, make_engine, make_session_factory


def test_the_log_reaches_the_database_through_the_thread_and_the_threshold_comes_back(tmp_path: Path) -> None:
    path = tmp_path / "bulk.db"
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_session_factory(engine, writer=True)
    with sessions() as session:
        session.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT)"))
        session.commit()
    before = path.stat().st_size
    with checkpoints_behind(engine):
        for batch in range(3):
            with sessions() as session:
                assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
                session.execute(text("INSERT INTO t (body) VALUES (:body)"),
                                [{"body": f"{batch}-{n}" * 100} for n in range(1000)])
                session.commit()
    # About 1.5 MB went through the log, under SQLite's own threshold (4 MB): only the
    # checkpointer can have copied it into the database file.
    assert path.stat().st_size > before + 1_000_000
    with sessions() as session:
        assert session.execute(text("PRAGMA wal_autocheckpoint")).scalar() == WAL_AUTOCHECKPOINT
        assert session.execute(text("SELECT count(*) FROM t")).scalar() == 3000
    engine.dispose()
    with sqlite3.connect(path) as plain:
        assert plain.execute("SELECT count(*) FROM t").fetchone() == (3000,)


def test_a_database_in_memory_is_left_alone() -> None:
    """No log, no file for a thread to open: its connections keep SQLite's own threshold."""
    engine = make_engine("sqlite://")
    with checkpoints_behind(engine):
        with engine.connect() as connection:
            assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == WAL_AUTOCHECKPOINT


def test_blocks_start_and_end_while_other_threads_use_the_pool(tmp_path: Path) -> None:
    """A server's threads check connections in and out while an import begins and ends its
    block: nothing they share is changed under them (adding and removing the pool's listeners
    per block once failed a request with "deque mutated during iteration")."""
    engine = make_engine(f"sqlite:///{tmp_path / 'busy.db'}", poolclass=QueuePool, pool_size=4)
    failures: list[BaseException] = []
    stop = threading.Event()

    def requests() -> None:
        try:
            while not stop.is_set():
                with engine.connect() as connection:
                    connection.execute(text("SELECT 1"))
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=requests) for _ in range(3)]
    for thread in threads:
        thread.start()
    try:
        for _ in range(300):
            with checkpoints_behind(engine):
                with engine.connect() as connection:
                    assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    finally:
        stop.set()
        for thread in threads:
            thread.join()
    assert failures == []
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == WAL_AUTOCHECKPOINT
    engine.dispose()
