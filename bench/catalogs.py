"""Generated demo catalogs for benchmarks, kept under var/bench and reused: a million products
take a quarter of an hour to generate.

SQLite catalogs live in ``var/bench/catalog-<size>``; PostgreSQL ones in a database named
``crosscanal_bench_<size>`` on the server the tests use, with their data folder in
``var/bench/pg-catalog-<size>``.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from bench.cli_timing import timed

CATALOGS = Path("var") / "bench"


def catalog(size: int, database: str = "sqlite") -> tuple[Path, float | None]:
    """The data folder of a catalog of ``size`` generated products, and how many seconds
    generating it took (read back from the folder when a kept one was reused)."""
    folder = _folder(size, database)
    ready = folder / "ready"
    if ready.exists():
        recorded = ready.read_text().split()
        return folder, float(recorded[1]) if len(recorded) > 1 else None
    return folder, generate(size, database)["seconds"]


def generate(size: int, database: str = "sqlite", workers: int | None = None) -> dict[str, Any]:
    """Generate the catalog of ``size`` products afresh (``crosscanal demo`` in its own process,
    with its default number of workers unless ``workers``) and keep it; answers the command's
    wall time and the peak memory of its largest process (its workers are waited for, so they
    count)."""
    folder = _folder(size, database)
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    if database == "postgresql":
        _fresh_database(size)
    result = timed(environment(folder), "demo", "--products", str(size), *(["--workers", str(workers)] if workers else []))
    (folder / "ready").write_text(f"generated {round(result['seconds'], 1)}\n")
    return {"seconds": round(result["seconds"], 1), "peak_rss_mib": result["peak_rss_mib"]}


def _folder(size: int, database: str) -> Path:
    return (CATALOGS / f"{'' if database == 'sqlite' else 'pg-'}catalog-{size}").resolve()


def environment(folder: Path) -> dict[str, str]:
    """The process environment that points the hub at a kept catalog."""
    env = {**os.environ, "CROSSCANAL_DATA_DIR": str(folder)}
    env.pop("CROSSCANAL_DATABASE_URL", None)
    if folder.name.startswith("pg-"):
        env["CROSSCANAL_DATABASE_URL"] = _database_url(int(folder.name.rsplit("-", 1)[1]))
    return env


def _admin_url() -> str:
    from tests.support.services import ensure_postgres

    return ensure_postgres()


def _database_url(size: int) -> str:
    return _admin_url().rsplit("/", 1)[0] + f"/crosscanal_bench_{size}"


def _fresh_database(size: int) -> None:
    name = sql.Identifier(f"crosscanal_bench_{size}")
    with psycopg.connect(_admin_url(), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(name))
        conn.execute(sql.SQL("CREATE DATABASE {}").format(name))
