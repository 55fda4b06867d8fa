"""Engines and sessions: SQLite tuned for a single machine, PostgreSQL through psycopg 3."""

from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from functools import partial
from pathlib import Path
from typing import Any, Iterator

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from hub.store.base import WRITER
from hub.store.writer_gate import WriterGate

BUSY_SECONDS = 30  # how long a writer waits for SQLite's write lock


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite also create its folder and set the pragmas we rely on."""
    parsed = make_url(url)
    kwargs = {"json_serializer": _json_text, "json_deserializer": orjson.loads, **kwargs}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": BUSY_SECONDS, "check_same_thread": False}, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    on_file = bool(parsed.database) and parsed.database != ":memory:"
    gate = WriterGate(parsed.database, timeout=BUSY_SECONDS) if on_file else None
    event.listen(engine, "begin", partial(_sqlite_on_begin, gate=gate))
    if gate is not None:
        for name in ("commit", "rollback"):
            event.listen(engine, name, lambda connection: gate.leave(connection.connection.info))
        # A connection back in the pool ended its transaction too (the pool rolled it back).
        event.listen(engine, "checkin", lambda _dbapi, record: gate.leave(record.info))
        checkpointer = _checkpointer(parsed.database)
        event.listen(engine, "checkout", checkpointer.on_checkout)
        event.listen(engine, "checkin", checkpointer.on_checkin)
    return engine


def _json_text(value: Any) -> str:
    """JSON columns written by orjson: the bulk path writes values, versions and index rows for
    thousands of products a second, and the standard module was a tenth of that work. Keys that
    are not strings become strings, as the standard module makes them."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS).decode()


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy, not the sqlite3 module, decide when transactions begin, so SAVEPOINTs
    # (one per NDJSON line) behave (SQLAlchemy's documented pysqlite recipe).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")  # readers never wait for the writer
    cursor.execute("PRAGMA busy_timeout=30000")  # a second writer waits instead of failing
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; safe with WAL
    cursor.close()


def _sqlite_on_begin(connection: Any, gate: WriterGate | None = None) -> None:
    # A writer begins IMMEDIATE: it takes the write lock up front and so waits its turn, at the
    # gate (hub.store.writer_gate) and then on the busy timeout. A deferred transaction that
    # reads and then writes fails at once instead ("database is locked") when another writer
    # committed in between.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    if mode == "IMMEDIATE" and gate is not None:
        gate.enter(connection.connection.info)
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def make_session_factory(engine: Engine, *, writer: bool = False) -> sessionmaker[Session]:
    """Sessions keep loaded objects usable after commit, so a response can be built from them.

    ``writer`` sessions are for units of work that write; on SQLite they begin IMMEDIATE.
    """
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if writer and engine.dialect.name == "sqlite" else engine
    return sessionmaker(bind, expire_on_commit=False, info={WRITER: True} if writer else {})


def begin_writing(session: Session) -> None:
    """Begin the session's next transaction as a writer whatever its factory: IMMEDIATE on
    SQLite, so it waits its turn for the write lock up front. (A deferred transaction that first
    reads fails at its first write if another process wrote in between.) The session must have
    no transaction open."""
    session.info[WRITER] = True
    session.connection(execution_options={"sqlite_begin": "IMMEDIATE"})


def readers_of(writers: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for long reads beside ``writers``: on SQLite they begin DEFERRED, so reading (in
    WAL mode) never holds the write lock that ``writers`` take up front."""
    bind = writers.kw["bind"]
    if bind.dialect.name == "sqlite":
        bind = bind.execution_options(sqlite_begin="")
    return sessionmaker(bind, expire_on_commit=False)


def refresh_statistics(engine: Engine, *tables: str) -> None:
    """After a bulk load (``demo``, ``reindex``; or a publication that wrote many findings:
    ``tables`` names them, else all), have PostgreSQL's planner count the tables again. Without
    statistics it took a million products for a few thousand, and planned the grid's page (its
    offers, by product) as a scan of 2.3 million offers: 80 ms instead of 1. Autovacuum does
    this in time where it runs; where it is off, nothing else would. SQLite's plans are left as
    the tests know them."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql(f"ANALYZE {', '.join(tables)}" if tables else "ANALYZE")
            connection.commit()


WAL_AUTOCHECKPOINT = 1000  # SQLite's default, in pages
WAL_RESTART_BYTES = 128 * 1024 * 1024


@contextmanager
def checkpoints_behind(engine: Engine) -> Iterator[None]:
    """For a bulk writer (the demo, an import): SQLite's checkpoints run in a thread of their own
    instead of inside the commits.

    In WAL mode a commit that finds the log past its threshold copies the log into the database
    and waits for the disk (at a million products, a tenth of the demo's time, a commit every
    1,000 products). While a block runs, the database's connections skip that as they are
    checked out, and after each commit a thread on its own connection checkpoints passively (it
    waits for nobody, and the writer never waits for it) while the writer prepares its next
    batch: the disk works beside Python instead of after it. The connections get their threshold
    back as they return to the pool, and the log is checkpointed once more when the last block
    on the database ends.

    SQLite starts the log over only when a write begins after a checkpoint that copied all of it,
    and the writer's next batch always begins before the thread is done: once the log passes
    ``WAL_RESTART_BYTES``, a commit waits for one whole checkpoint (of what the thread left, one
    batch or so), so the log starts over instead of growing with the catalog.

    The pool's listeners are registered once, by ``make_engine``; a block only counts itself in
    and out. (Adding and removing them here raced with other threads' connections in a server.)"""
    checkpointer = _CHECKPOINTERS.get(str(engine.url.database)) if engine.dialect.name == "sqlite" else None
    if checkpointer is None:
        yield
        return
    checkpointer.enter()
    try:
        yield
    finally:
        checkpointer.leave()


_CHECKPOINTERS: dict[str, _Checkpointer] = {}
_CHECKPOINTERS_LOCK = threading.Lock()


def _checkpointer(path: str) -> _Checkpointer:
    """The one checkpointer of a database file, shared by every engine on it."""
    with _CHECKPOINTERS_LOCK:
        return _CHECKPOINTERS.setdefault(path, _Checkpointer(path))


class _Checkpointer:
    """Checkpoints one database file, one at a time, on a connection of its own, in a daemon
    thread, while at least one ``checkpoints_behind`` block on it runs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.thread: threading.Thread | None = None
        self.blocks = 0
        self.lock = threading.Lock()

    def enter(self) -> None:
        with self.lock:
            self.blocks += 1

    def leave(self) -> None:
        with self.lock:
            self.blocks -= 1
            last = self.blocks == 0
        if last:
            self.kick(wait=True)

    def on_checkout(self, dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        if self.blocks:
            dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")
            record.info["checkpoints_behind"] = True

    def on_checkin(self, dbapi_connection: Any, record: Any) -> None:
        if record.info.pop("checkpoints_behind", False) and dbapi_connection is not None:
            dbapi_connection.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
            self.kick(wait=self.log_size() > WAL_RESTART_BYTES)

    def kick(self, wait: bool = False) -> None:
        """Start a checkpoint in the thread unless one is running (the next commit starts the one
        after); ``wait``: let a running one finish, then checkpoint here, so what was committed
        before the call is in the database when it returns."""
        with self.lock:
            running = self.thread is not None and self.thread.is_alive()
            if not running and not wait:
                self.thread = threading.Thread(target=self._run, name="sqlite-checkpoint", daemon=True)
                self.thread.start()
            current = self.thread
        if wait:
            if current is not None:
                current.join()
            self._run()

    def log_size(self) -> int:
        try:
            return os.path.getsize(self.path + "-wal")
        except OSError:
            return 0

    def _run(self) -> None:
        connection = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        try:
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except sqlite3.Error:
            pass  # a checkpoint that could not run now runs at a later commit or checkpoint
        finally:
            connection.close()
