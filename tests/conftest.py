"""Fixtures every test shares: a migrated database per run (SQLite or PostgreSQL), a fresh app
per test, tokens per role, and a clean database after each test.

Choose the database with ``pytest --db sqlite|postgresql``; ``make test`` runs both.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.services.accounts import ROLES, create_token
from hub.store.db import make_engine
from hub.store.migrate import upgrade
from hub.store.models import Base
from hub.web import create_app
from tests.support.services import empty_database


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--db", choices=["sqlite", "postgresql"], default="sqlite", help="database to run the suite on")


def pytest_report_header(config: pytest.Config) -> str:
    return f"crosscanal database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def database_url(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with empty_database(request.config.getoption("--db"), tmp_path_factory.mktemp("db") / "crosscanal.db") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    engine = make_engine(database_url)
    upgrade(engine)
    yield engine
    engine.dispose()


def wipe(engine: Engine) -> None:
    """Empty every table (the schema stays), so the next test starts from nothing. A request a
    browser test left in flight (a preview still rendering) may hold a table: PostgreSQL then
    reports the TRUNCATE as a deadlock, and it is tried again once that request has ended."""
    tables = [t.name for t in reversed(Base.metadata.sorted_tables)]
    for attempt in range(5):
        try:
            with engine.begin() as conn:
                if conn.dialect.name == "postgresql":
                    conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))
                else:
                    for table in tables:
                        conn.execute(text(f'DELETE FROM "{table}"'))
            return
        except OperationalError:
            if attempt == 4:
                raise
            time.sleep(1)


@pytest.fixture
def settings(database_url: str, engine: Engine, tmp_path: Path) -> Iterator[Settings]:
    yield Settings(
        data_dir=tmp_path / "var", database_url=database_url, publish_url=str(tmp_path / "var" / "feeds"),
        secret_key="test-secret",
    )
    wipe(engine)


@pytest.fixture
def app(settings: Settings) -> Iterator[Flask]:
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["crosscanal"].engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def db_session(app: Flask) -> Iterator[Session]:
    """A session on the app's own database, to set up data and check what was stored."""
    with app.extensions["crosscanal"].sessions() as session:
        yield session


@pytest.fixture
def tokens(db_session: Session) -> dict[str, dict[str, str]]:
    """``Authorization`` headers per role: ``client.get(url, headers=tokens["viewer"])``."""
    headers = {role: {"Authorization": f"Bearer {create_token(db_session, role, f'test {role}')}"} for role in ROLES}
    db_session.commit()
    return headers
