"""Make the servers the suite needs reachable: use the one given, or start the local one."""

from __future__ import annotations

import os
import subprocess
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import psycopg
from psycopg import sql

from hub.config import normalize_database_url

DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/test"


def _reachable(url: str) -> bool:
    try:
        with psycopg.connect(url, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


def ensure_postgres() -> str:
    """The admin URL of a reachable PostgreSQL server; starts the local cluster when it is down."""
    given = os.environ.get("CROSSCANAL_TEST_POSTGRES_URL")
    url = given or DEFAULT_POSTGRES
    if _reachable(url):
        return url
    if given:
        raise RuntimeError(f"CROSSCANAL_TEST_POSTGRES_URL={given} is not reachable")
    versions = sorted(p.name for p in Path("/etc/postgresql").glob("*")) if Path("/etc/postgresql").exists() else []
    if not versions:
        raise RuntimeError("no PostgreSQL at 127.0.0.1:5432 and none installed; set CROSSCANAL_TEST_POSTGRES_URL")
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", versions[-1], "main", "start"], check=False)
    for _ in range(60):
        if _reachable(url):
            return url
        time.sleep(0.5)
    raise RuntimeError("started PostgreSQL, but it did not answer on 127.0.0.1:5432 within 30 s")


def create_database(admin_url: str) -> tuple[str, str]:
    """A fresh database for this test run, so runs never see each other's data."""
    name = f"crosscanal_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    base = admin_url.rsplit("/", 1)[0]
    return name, f"{base}/{name}"


def drop_database(admin_url: str, name: str) -> None:
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))


@contextmanager
def empty_database(kind: str, sqlite_file: Path) -> Iterator[str]:
    """The URL of an empty database of ``kind`` ("sqlite": at ``sqlite_file``; "postgresql": a
    new database on the server ``ensure_postgres`` finds or starts, dropped afterwards)."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    admin = ensure_postgres()
    name, url = create_database(admin)
    try:
        yield normalize_database_url(url)
    finally:
        drop_database(admin, name)
