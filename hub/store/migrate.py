"""Bring a database to the newest schema with Alembic, from the package's own migrations.

Every ``crosscanal`` process migrates as it starts, and on several machines they start at once
(``docker compose up``: the hub, two workers and the scheduler on an empty database): three of
four processes started together failed, on PostgreSQL with a duplicate table, on SQLite with a
locked database. So one process migrates at a time, the others waiting for it and then finding
nothing left to do: PostgreSQL's advisory lock, or a lock file beside the SQLite database.
"""

from __future__ import annotations

import fcntl
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine, text

MIGRATIONS = Path(__file__).with_name("migrations")
MIGRATION_LOCK = 0x63726F73  # PostgreSQL advisory lock key: "cros"


@contextmanager
def migrating(engine: Engine) -> Iterator[None]:
    """Hold the database's migration lock for the block, waiting while another process holds it."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
            connection.commit()  # the lock is the session's, not the transaction's: hold no transaction open
            try:
                yield
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
                connection.commit()
        return
    database = engine.url.database
    if engine.dialect.name != "sqlite" or not database or database == ":memory:" or database.startswith("file:"):
        yield  # a database of this process alone
        return
    with open(f"{database}.migrating", "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(held, fcntl.LOCK_UN)


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> bool:
    """Create or migrate the schema; running it twice changes nothing. Answers whether it
    changed the schema (then derived rows may need filling in)."""
    with migrating(engine):
        before = revision(engine)
        command.upgrade(alembic_config(engine), "head")
        return revision(engine) != before


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
