"""Engines and sessions: SQLite tuned for a single machine, PostgreSQL through psycopg 3."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine; for SQLite also create its folder and set the pragmas we rely on."""
    parsed = make_url(url)
    kwargs = {"json_serializer": _json_text, "json_deserializer": orjson.loads, **kwargs}
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False}, **kwargs)
    event.listen(engine, "connect", _sqlite_on_connect)
    event.listen(engine, "begin", _sqlite_on_begin)
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


def _sqlite_on_begin(connection: Any) -> None:
    # A writer begins IMMEDIATE: it takes the write lock up front and so waits its turn on the
    # busy timeout. A deferred transaction that reads and then writes fails at once instead
    # ("database is locked") when another writer committed in between.
    mode = connection.get_execution_options().get("sqlite_begin", "")
    connection.exec_driver_sql(f"BEGIN {mode}".strip())


def make_session_factory(engine: Engine, *, writer: bool = False) -> sessionmaker[Session]:
    """Sessions keep loaded objects usable after commit, so a response can be built from them.

    ``writer`` sessions are for units of work that write; on SQLite they begin IMMEDIATE.
    """
    bind = engine.execution_options(sqlite_begin="IMMEDIATE") if writer and engine.dialect.name == "sqlite" else engine
    return sessionmaker(bind, expire_on_commit=False)


def readers_of(writers: sessionmaker[Session]) -> sessionmaker[Session]:
    """Sessions for long reads beside ``writers``: on SQLite they begin DEFERRED, so reading (in
    WAL mode) never holds the write lock that ``writers`` take up front."""
    bind = writers.kw["bind"]
    if bind.dialect.name == "sqlite":
        bind = bind.execution_options(sqlite_begin="")
    return sessionmaker(bind, expire_on_commit=False)


def refresh_statistics(engine: Engine) -> None:
    """After a bulk load (``demo``, ``reindex``), have PostgreSQL's planner count the tables
    again. Without statistics it took a million products for a few thousand, and planned the
    grid's page (its offers, by product) as a scan of 2.3 million offers: 80 ms instead of 1.
    Autovacuum does this in time where it runs; where it is off, nothing else would. SQLite's
    plans are left as the tests know them."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()
