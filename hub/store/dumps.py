"""Whole-database copies for ``crosscanal backup`` and ``restore`` (``hub.backup``): one file
holding the database as it was at one moment, and that file loaded back in one step.

- SQLite: the online backup API (``sqlite3.Connection.backup``) copies the live database page
  by page inside one read transaction, so the copy is one consistent moment while the hub keeps
  serving and writing (WAL mode: readers never block the writer). Restoring copies the file
  back in with the same API, again in one step: the destination's write transaction holds every
  page or none, and the hub's open connections see the new content at their next transaction
  (renaming a file over a live database would leave them on the old file and its log).
- PostgreSQL: ``pg_dump --format=custom`` in a snapshot exported by our own transaction, so
  the facts the manifest records (products, current feed files, schema revision) are of the
  same moment as the dump; ``pg_restore --single-transaction`` restores all of it or nothing.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, TypeVar

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Engine, create_engine, func, inspect, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.errors import HubError
from hub.store.base import Base
from hub.store.channels import Channel
from hub.store.migrate import alembic_config
from hub.store.publications import Publication, PublicationFile

Facts = TypeVar("Facts")
# Rows the migrations themselves write: a database holding only these holds no one's data.
SEEDED_TABLES = frozenset({"document_counter"})
TOOL_VERSION = re.compile(r"\(PostgreSQL\)\s+(\d+)(?:\.(\d+))?")


class DumpError(HubError):
    """The database could not be copied out or loaded back (a missing or too old pg_dump, a refused restore)."""

    title, type = "Backup error", "/problems/backup"


@dataclass(frozen=True)
class CurrentFile:
    """A file the feeds serve now: per channel and name, the newest succeeded publication's."""

    channel: str
    name: str
    location: str
    content_type: str
    sha256: str
    publication_id: int  # its version in the destination (``destinations.version_of``)


def kind(url: str) -> str:
    """``sqlite`` or ``postgresql``; raises DumpError for a database we cannot copy."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite" and parsed.database and parsed.database != ":memory:":
        return "sqlite"
    if backend == "postgresql":
        return "postgresql"
    raise DumpError(f"cannot back up or restore a {backend} database at {parsed.render_as_string(hide_password=True)}")


def dump(url: str, target: Path, read: Callable[[Session], Facts]) -> tuple[Facts, dict[str, str]]:
    """Copy the database at ``url`` into the file ``target``, and call ``read`` with a session
    on the very moment copied; answers what ``read`` answered and facts about the copy (the
    tool's version). Raises DumpError."""
    if kind(url) == "sqlite":
        return _dump_sqlite(make_url(url).database or "", target, read), {"sqlite": sqlite3.sqlite_version}
    return _dump_postgresql(url, target, read)


def _dump_sqlite(database: str, target: Path, read: Callable[[Session], Facts]) -> Facts:
    if not Path(database).is_file():
        raise DumpError(f"there is no database at {database} to back up")
    source = sqlite3.connect(database, timeout=30)
    copy = sqlite3.connect(target)
    try:
        # One step (pages=-1): a copy in several steps starts over whenever the hub writes in
        # between, and might never finish on a busy hub; one step reads one snapshot, and in
        # WAL mode the hub's writers go on meanwhile.
        source.backup(copy, pages=-1)
        copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file, no -wal beside it
    except sqlite3.Error as exc:
        raise DumpError(f"could not copy the SQLite database: {exc}") from exc
    finally:
        copy.close()
        source.close()
    engine = create_engine(f"sqlite:///{target}")
    try:
        with Session(engine) as session:
            return read(session)
    finally:
        engine.dispose()


def _dump_postgresql(url: str, target: Path, read: Callable[[Session], Facts]) -> tuple[Facts, dict[str, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            connection = connection.execution_options(isolation_level="REPEATABLE READ")
            with connection.begin():
                server = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
                tool, version = _pg_tool("pg_dump", server)
                snapshot = connection.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
                with Session(bind=connection) as session:
                    facts = read(session)
                # The dump reads the snapshot this transaction exported, so it shows the same
                # moment as ``facts``; the transaction stays open until it is done.
                _run([tool, "--format=custom", f"--snapshot={snapshot}", f"--file={target}", "--dbname", _libpq(url)],
                     url, "pg_dump")
    finally:
        engine.dispose()
    return facts, {"pg_dump": version, "server": str(server)}


def load(url: str, source: Path, tool_major: int | None = None) -> None:
    """Replace the database at ``url`` with the copy ``source`` (made by ``dump``), entirely or
    not at all. ``tool_major``: the major version of the pg_dump that made a PostgreSQL copy.
    Raises DumpError."""
    if kind(url) == "sqlite":
        _load_sqlite(make_url(url).database or "", source)
    else:
        _load_postgresql(url, source, tool_major or 0)


def _load_sqlite(database: str, source: Path) -> None:
    Path(database).parent.mkdir(parents=True, exist_ok=True)
    copy = sqlite3.connect(source)
    live = sqlite3.connect(database, timeout=30)
    try:
        # One step, so the live database changes in one write transaction: a failure (a full
        # disk) rolls it back, and the hub never reads half of the copy.
        copy.backup(live, pages=-1)
    except sqlite3.Error as exc:
        raise DumpError(f"could not load the SQLite database: {exc}; the database is unchanged") from exc
    finally:
        live.close()
        copy.close()


def _load_postgresql(url: str, source: Path, tool_major: int) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            server = int(connection.exec_driver_sql("SHOW server_version_num").scalar_one()) // 10000
        tool, _version = _pg_tool("pg_restore", max(server, tool_major))
        listing = _run([tool, "--list", str(source)], url, "pg_restore")
        _run([tool, "--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
              "--dbname", _libpq(url), str(source)], url, "pg_restore")
        # --clean drops only what the copy holds: tables a newer schema added (an older backup
        # restored over a newer hub) would stay, and the migrations would then fail to create
        # them. Their rows belonged to the database being replaced.
        restored = set(re.findall(r"^\d+; \d+ \d+ TABLE \S+ (\S+) ", listing, flags=re.MULTILINE))
        with engine.begin() as connection:
            for table in sorted(set(inspect(connection).get_table_names()) - restored):
                connection.exec_driver_sql(f'DROP TABLE IF EXISTS "{table}" CASCADE')
    finally:
        engine.dispose()


def _libpq(url: str) -> str:
    """The URL as libpq reads it, without the password (given through PGPASSWORD, so it never
    shows in the process list)."""
    return make_url(url).set(drivername="postgresql", password=None).render_as_string(hide_password=False)


def _run(command: list[str], url: str, name: str) -> str:
    environment = dict(os.environ)
    password = make_url(url).password
    if password:
        environment["PGPASSWORD"] = str(password)
    try:
        done = subprocess.run(command, capture_output=True, text=True, env=environment, check=False)
    except OSError as exc:
        raise DumpError(f"could not run {name}: {exc.strerror}") from exc
    if done.returncode != 0:
        lines = [line for line in done.stderr.splitlines() if line.strip()][-5:]
        raise DumpError(f"{name} failed (exit {done.returncode}): " + " | ".join(lines))
    return done.stdout


def _pg_tool(name: str, server_major: int) -> tuple[str, str]:
    """The path and version of ``name`` (pg_dump, pg_restore) able to work with a server (or an
    archive) of ``server_major``: the one on PATH when it is that new, else the one Debian's
    packages put under /usr/lib/postgresql/<major>/bin. pg_dump refuses a server newer than
    itself ("server version mismatch"), so we say which client is needed before it runs."""
    candidates = [shutil.which(name), f"/usr/lib/postgresql/{server_major}/bin/{name}"]
    found = []
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            version = _tool_version(candidate)
            if version is not None and int(version.split(".")[0]) >= server_major:
                return candidate, version
            found.append(f"{candidate} is {version or 'of an unknown version'}")
    seen = "; ".join(found) or f"no {name} found on PATH"
    raise DumpError(f"{name} {server_major} or newer is needed for PostgreSQL {server_major} ({seen}); "
                    f"install postgresql-client-{server_major}")


def _tool_version(path: str) -> str | None:
    try:
        output = subprocess.run([path, "--version"], capture_output=True, text=True, check=False).stdout
    except OSError:
        return None
    match = TOOL_VERSION.search(output)
    return f"{match.group(1)}.{match.group(2) or 0}" if match else None


def revision(session: Session) -> str | None:
    """The schema revision (Alembic's) of the database the session reads."""
    return MigrationContext.configure(session.connection()).get_current_revision()


def known_revision(engine: Engine, revision_id: str) -> bool:
    """Whether our migrations know ``revision_id``: an unknown one is from a newer hub."""
    try:
        return ScriptDirectory.from_config(alembic_config(engine)).get_revision(revision_id) is not None
    except CommandError:
        return False


def current_files(session: Session) -> list[CurrentFile]:
    """Every file a feed URL serves now (``PublicationRepo.latest_file`` for each name)."""
    newest = (select(Publication.channel_id, PublicationFile.name, func.max(Publication.id).label("publication_id"))
              .join(PublicationFile, PublicationFile.publication_id == Publication.id)
              .where(Publication.status == "succeeded").group_by(Publication.channel_id, PublicationFile.name).subquery())
    query = (select(Channel.code, PublicationFile.name, PublicationFile.location, PublicationFile.content_type,
                    PublicationFile.sha256, newest.c.publication_id)
             .join(newest, newest.c.channel_id == Channel.id)
             .join(PublicationFile, (PublicationFile.publication_id == newest.c.publication_id)
                   & (PublicationFile.name == newest.c.name))
             .order_by(Channel.code, PublicationFile.name))
    return [CurrentFile(*row) for row in session.execute(query)]


def holds_data(engine: Engine) -> bool:
    """Whether any of the hub's tables holds a row the migrations did not write themselves: a
    restore over such a database replaces someone's data."""
    with engine.connect() as connection:
        present = set(inspect(connection).get_table_names())
        for table in Base.metadata.sorted_tables:
            if table.name in present and table.name not in SEEDED_TABLES:
                if connection.execute(select(text("1")).select_from(table).limit(1)).first() is not None:
                    return True
    return False
