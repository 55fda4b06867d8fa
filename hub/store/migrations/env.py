"""Alembic environment: the engine is handed in by ``hub.store.migrate``; no ini file is read."""

from __future__ import annotations

from alembic import context

from hub.store.models import Base
from hub.store.name_search import outside_the_models

engine = context.config.attributes["engine"]

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copying them
        compare_type=True,
        include_object=outside_the_models,
    )
    with context.begin_transaction():
        context.run_migrations()
