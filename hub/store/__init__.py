"""Persistence: SQLAlchemy models, the engine, migrations and repositories (the only place with ``select()``)."""
