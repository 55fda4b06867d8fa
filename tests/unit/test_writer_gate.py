"""SQLite's writers wait at the gate in turn, and every end of a transaction lets the next in."""

from __future__ import annotations

import fcntl
import os
import threading
from pathlib import Path

from sqlalchemy import text

from hub.store.db import make_engine, make_session_factory
from hub.store.writer_gate import WriterGate


def gate_is_held(database: Path) -> bool:
    """Whether some writer holds the gate's file lock (as another process would find it)."""
    handle = os.open(f"{database}.writers", os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(handle)
    return False


def test_a_writer_transaction_holds_the_gate_until_it_ends_however_it_ends(tmp_path: Path) -> None:
    database = tmp_path / "hub.db"
    engine = make_engine(f"sqlite:///{database}")
    writers, readers = make_session_factory(engine, writer=True), make_session_factory(engine)
    with readers() as reader:
        reader.execute(text("SELECT 1"))
        assert not gate_is_held(database)  # readers never take it
    for end in ("commit", "rollback", "close"):
        session = writers()
        session.execute(text("CREATE TABLE IF NOT EXISTS t (x INTEGER)"))
        assert gate_is_held(database), end
        getattr(session, end)()
        assert not gate_is_held(database), end
        session.close()


def test_writers_of_one_process_go_in_one_after_the_other(tmp_path: Path) -> None:
    """SQLite would order them too: this checks that the gate lets the second in once the first
    commits (a gate not left would hold it to the timeout, and the join below would give up)."""
    engine = make_engine(f"sqlite:///{tmp_path / 'hub.db'}")
    writers = make_session_factory(engine, writer=True)
    with writers() as session:
        session.execute(text("CREATE TABLE t (who TEXT)"))
        session.commit()
    seen: list[str] = []
    first_in, second_waiting = threading.Event(), threading.Event()

    def first() -> None:
        with writers() as session:
            session.execute(text("INSERT INTO t VALUES ('first')"))
            seen.append("first in")
            first_in.set()
            second_waiting.wait(10)
            seen.append("first out")
            session.commit()

    def second() -> None:
        first_in.wait(10)
        second_waiting.set()
        with writers() as session:
            session.execute(text("INSERT INTO t VALUES ('second')"))
            seen.append("second in")
            session.commit()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert seen == ["first in", "first out", "second in"]


def test_a_thread_inside_does_not_queue_behind_itself(tmp_path: Path) -> None:
    gate = WriterGate(str(tmp_path / "hub.db"), timeout=5)
    outer: dict = {}
    inner: dict = {}
    gate.enter(outer)
    gate.enter(inner)  # returns at once: the gate is this thread's
    assert "writer_gate" in outer and "writer_gate" not in inner
    gate.leave(inner)  # holds nothing: changes nothing
    assert gate_is_held(tmp_path / "hub.db")
    gate.leave(outer)
    assert not gate_is_held(tmp_path / "hub.db")
