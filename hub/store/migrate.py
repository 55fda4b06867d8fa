"""Bring a database to the newest schema with Alembic, from the package's own migrations."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import Engine

MIGRATIONS = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> bool:
    """Create or migrate the schema; running it twice changes nothing. Answers whether it
    changed the schema (then derived rows may need filling in)."""
    before = revision(engine)
    command.upgrade(alembic_config(engine), "head")
    return revision(engine) != before


def revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()
