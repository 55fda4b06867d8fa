"""``crosscanal backup`` and ``crosscanal restore``: the hub's state in one archive file, and
that archive put back.

The archive is a plain (uncompressed) tar: media are already compressed images, and tar
streams, so a backup never holds a second copy of the media. It holds:

- ``database.sqlite`` or ``database.pgdump``: the database at one moment (``hub.store.dumps``);
- ``media/...``: the media folder (files named by their content, so a copy is exact);
- ``feeds/<channel>/<file>``: each file the feeds serve now, read from wherever it was
  published (a local folder or S3), with the location it is put back to;
- ``records/...``: the item records of recent publications (what a publication diff reads);
- ``manifest.json``, last: format, time, database kind and schema revision, counts, and the
  SHA-256 and size of every other member. A restore reads every byte against it before it
  changes anything, so a damaged archive changes nothing.

Not included, and why: kept publishing parts (a cache; the next publication renders every item
again), import and export job files (inputs and outputs, not state), and an S3 destination's
older object versions (the bucket's own versioning keeps those).

A restore replaces the database first (in one transaction: ``hub.store.dumps.load``), then the
media and record folders (a rename each) and the feed files (each written atomically by the
destination); the caller then runs the migrations, so an older backup comes up to date.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import tarfile
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path, PurePosixPath
from typing import Any, BinaryIO, Callable, Iterator

import orjson
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.errors import HubError, NotFound
from hub.publishing import item_fingerprints
from hub.publishing.current_set import make_current
from hub.publishing.destinations import destination_for, open_location, version_of
from hub.publishing.kept_parts import forget_all
from hub.store import dumps
from hub.store.db import make_session_factory
from hub.store.migrate import upgrade
from hub.store.models import Channel
from hub.store.repos import CatalogRepo, ProductRepo, PublicationRepo

FORMAT, VERSION = "crosscanal-backup", 2  # 2: each feed file names its publication
MANIFEST = "manifest.json"
DATABASE_MEMBER = {"sqlite": "database.sqlite", "postgresql": "database.pgdump"}
MEDIA, FEEDS, RECORDS = "media", "feeds", "records"
CHUNK = 1 << 20
NOT_INCLUDED = ("kept publishing parts (a cache: the next publication renders every item again); import and export "
                "job files; older object versions in an S3 destination (the bucket's own versioning keeps them)")

Step = Callable[[str], None]


class RestoreRefused(HubError):
    """The archive cannot be restored here: it is damaged, from a newer hub or another database, or the target holds data."""

    title, type = "Restore refused", "/problems/restore-refused"


def default_name(now: datetime) -> str:
    return f"crosscanal-{now.astimezone(timezone.utc):%Y%m%dT%H%M%SZ}.tar"


def backup(settings: Settings, target: Path, step: Step = lambda _line: None) -> dict[str, Any]:
    """Write the archive ``target`` (atomically: a failed backup leaves no file there); safe
    while the hub serves and writes. Answers the manifest. Raises DumpError, DestinationError
    and OSError (a full disk)."""
    kind = dumps.kind(settings.database_url)
    target.parent.mkdir(parents=True, exist_ok=True)
    # The staged database copy lies beside the archive, not in /tmp: it is as large as the database.
    staging = Path(tempfile.mkdtemp(prefix=".crosscanal-backup-", dir=target.parent))
    partial = target.with_name(f".{target.name}.partial")
    try:
        started = time.monotonic()
        member = DATABASE_MEMBER[kind]
        (revision, products, current), tools = dumps.dump(settings.database_url, staging / member, _facts)
        if revision is None:
            raise dumps.DumpError("the database has no schema yet (run `crosscanal init`): nothing to back up")
        step(f"database: {kind} at revision {revision}, {products} products, "
             f"{_size((staging / member).stat().st_size)} in {time.monotonic() - started:.1f} s")
        files: dict[str, dict[str, Any]] = {}
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            files[member] = _add(archive, staging / member, member)
            media = _add_folder(archive, settings.media_dir, MEDIA, files)
            step(f"media: {media} files from {settings.media_dir}")
            records = _add_folder(archive, item_fingerprints.folder(settings.data_dir), RECORDS, files)
            feeds, missing = _add_feeds(archive, current, staging, files)
            step(f"feeds: {len(feeds)} current files" + (f"; {len(missing)} missing at their location" if missing else ""))
            for feed in feeds:
                if not feed["as_published"]:
                    step(f"  {feed['channel']}/{feed['name']} was published again during the backup: publish "
                         f"{feed['channel']} after restoring this archive")
            manifest = {
                "format": FORMAT, "version": VERSION, "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
                "database": {"kind": kind, "revision": revision, "member": member, "tools": tools},
                "counts": {"products": products, "media_files": media, "feed_files": len(feeds), "record_files": records},
                "feeds": feeds, "missing_feeds": missing, "not_included": NOT_INCLUDED, "files": files,
            }
            body = orjson.dumps(manifest, option=orjson.OPT_INDENT_2)
            info = _info(MANIFEST, len(body))
            archive.addfile(info, io.BytesIO(body))
        with open(partial, "rb+") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, target)
        return manifest
    finally:
        partial.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)


def _facts(session: Session) -> tuple[str | None, int, list[dumps.CurrentFile]]:
    return dumps.revision(session), ProductRepo(session).count(), dumps.current_files(session)


def _add_folder(archive: tarfile.TarFile, root: Path, prefix: str, files: dict[str, dict[str, Any]]) -> int:
    """Add every file under ``root``, in name order; files and folders whose name starts with a
    dot are another writer's work in progress (an upload, a record being finished)."""
    added = 0
    for folder, names, found in os.walk(root):
        names[:] = sorted(name for name in names if not name.startswith("."))
        for name in sorted(found):
            path = Path(folder) / name
            if name.startswith(".") or not path.is_file():
                continue
            member = f"{prefix}/{path.relative_to(root).as_posix()}"
            files[member] = _add(archive, path, member)
            added += 1
    return added


def _add_feeds(archive: tarfile.TarFile, current: list[dumps.CurrentFile], staging: Path,
               files: dict[str, dict[str, Any]]) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    feeds, missing = [], []
    for file in current:
        member = f"{FEEDS}/{file.channel}/{file.name}"
        try:
            if file.location.startswith("s3://"):
                local = staging / "feed"
                with open_location(file.location) as stream, open(local, "wb") as out:
                    shutil.copyfileobj(stream, out, CHUNK)
            else:
                local = Path(file.location)
            files[member] = _add(archive, local, member)
        except (NotFound, FileNotFoundError):
            missing.append({"channel": file.channel, "name": file.name, "location": file.location})
            continue
        feeds.append({"member": member, "channel": file.channel, "name": file.name, "location": file.location,
                      "publication": file.publication_id, "content_type": file.content_type, "as_published": files[member]["sha256"] == file.sha256})
    return feeds, missing


def restore(settings: Settings, engine: Engine, archive: Path, *, force: bool = False,
            step: Step = lambda _line: None) -> dict[str, Any]:
    """Put the archive's database, media, item records and feed files in place of the hub's,
    migrating an older schema first. Feed files go to this hub's destination (its publish URL,
    or a channel's own), under their publication's version, and the channels point at them; the
    restored records name where they now lie. Raises RestoreRefused before anything changed
    (a damaged archive, one from a newer hub or another database, a target holding data without
    ``force``), DumpError when the database refused the copy (then it is unchanged), and
    DestinationError."""
    kind = dumps.kind(settings.database_url)
    manifest = read_manifest(archive)
    stored = manifest["database"]
    if stored["kind"] != kind:
        raise RestoreRefused(f"{archive} holds a {stored['kind']} database and the hub uses {kind}; move data between "
                             "the two with `crosscanal export` and `crosscanal import`")
    if not dumps.known_revision(engine, stored["revision"]):
        raise RestoreRefused(f"{archive} is from a newer hub (schema revision {stored['revision']}, which this "
                             "version does not know); restore it with that version or a later one")
    if not force and dumps.holds_data(engine):
        raise RestoreRefused(f"the database {engine.url.render_as_string(hide_password=True)} is not empty; "
                             "give --force to replace everything in it")
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    # Staged under the data dir, so the media and record folders move into place by a rename.
    staging = Path(tempfile.mkdtemp(prefix=".crosscanal-restore-", dir=settings.data_dir))
    try:
        _extract(archive, manifest, staging)
        step(f"archive checked: {len(manifest['files'])} files, made {manifest['created']}")
        started = time.monotonic()
        tool = stored.get("tools", {}).get("pg_dump")
        dumps.load(settings.database_url, staging / stored["member"], int(tool.split(".")[0]) if tool else None)
        step(f"database: {manifest['counts']['products']} products at revision {stored['revision']} "
             f"restored in {time.monotonic() - started:.1f} s")
        upgrade(engine)  # an older backup's schema, brought up to what the code below reads
        _swap(staging / MEDIA, settings.media_dir)
        _swap(staging / RECORDS, item_fingerprints.folder(settings.data_dir))
        step(f"media: {manifest['counts']['media_files']} files")
        _put_back_feeds(settings, engine, staging, manifest["feeds"])
        forget_all(settings.data_dir)  # parts kept from publications the restored database never made
        step(f"feeds: {len(manifest['feeds'])} files put back")
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _put_back_feeds(settings: Settings, engine: Engine, staging: Path, feeds: list[dict[str, Any]]) -> None:
    with make_session_factory(engine, writer=True)() as session:
        repo, channels = PublicationRepo(session), {}
        for feed in feeds:
            channel = channels.get(feed["channel"]) or CatalogRepo(session).by_code(Channel, feed["channel"])
            if channel is None:
                continue
            channels[channel.code] = channel
            destination = destination_for(channel.destination or settings.publish_url)
            repo.move_file(feed["publication"], feed["name"], destination.put(
                channel.code, feed["name"], staging / feed["member"], feed["content_type"], version_of(feed["publication"])))
        session.commit()
        for channel in channels.values():
            current = repo.latest_succeeded(channel.id)
            if current is not None:
                make_current(settings, session, current, restored=True)


def read_manifest(archive: Path) -> dict[str, Any]:
    """The archive's manifest; raises RestoreRefused when there is none or it is not ours."""
    try:
        with tarfile.open(archive, "r:") as opened:
            member = opened.extractfile(MANIFEST)
            manifest = orjson.loads(member.read()) if member is not None else None
    except (tarfile.TarError, KeyError, EOFError, orjson.JSONDecodeError, OSError) as exc:
        raise RestoreRefused(f"{archive} is not a readable Crosscanal backup (damaged or truncated): {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreRefused(f"{archive} is not a Crosscanal backup")
    if manifest.get("version") != VERSION:
        raise RestoreRefused(f"{archive} is a backup of format version {manifest.get('version')}; this hub reads "
                             f"version {VERSION}")
    return manifest


def _extract(archive: Path, manifest: dict[str, Any], staging: Path) -> None:
    """Copy every member the manifest lists into ``staging``, checking each against its
    SHA-256 and size; raises RestoreRefused (damaged) on any difference, a member the manifest
    does not list, or one it lists that is missing."""
    expected: dict[str, dict[str, Any]] = manifest["files"]
    seen = set()
    try:
        with tarfile.open(archive, "r:") as opened:
            for info in opened:
                if info.name == MANIFEST:
                    continue
                if info.name not in expected or not info.isfile() or not _safe(info.name):
                    raise RestoreRefused(f"{archive} is damaged: it holds '{info.name}', which its manifest does not list")
                target = staging / info.name
                target.parent.mkdir(parents=True, exist_ok=True)
                source = opened.extractfile(info)
                assert source is not None  # a regular file
                with open(target, "wb") as out:
                    digest, size = _copy(source, out)
                if digest != expected[info.name]["sha256"] or size != expected[info.name]["bytes"]:
                    raise RestoreRefused(f"{archive} is damaged: the checksum of '{info.name}' does not match its manifest")
                seen.add(info.name)
    except (tarfile.TarError, EOFError) as exc:
        raise RestoreRefused(f"{archive} is damaged or truncated: {exc}") from exc
    absent = sorted(set(expected) - seen)
    if absent:
        raise RestoreRefused(f"{archive} is damaged: {len(absent)} files of its manifest are missing, "
                             f"such as '{absent[0]}'")


def _safe(name: str) -> bool:
    """A member name that stays inside the staging folder."""
    path = PurePosixPath(name)
    return not path.is_absolute() and ".." not in path.parts and name.split("/", 1)[0] in (
        MEDIA, FEEDS, RECORDS, *DATABASE_MEMBER.values())


def _swap(new: Path, live: Path) -> None:
    """Make the folder ``new`` the folder ``live`` by renames (the same file system), and drop
    what ``live`` held. An archive without such a folder leaves it empty."""
    new.mkdir(parents=True, exist_ok=True)
    live.parent.mkdir(parents=True, exist_ok=True)
    replaced = live.with_name(f".{live.name}.replaced-{os.getpid()}")
    shutil.rmtree(replaced, ignore_errors=True)
    if live.exists():
        os.replace(live, replaced)
    os.replace(new, live)
    shutil.rmtree(replaced, ignore_errors=True)


def _add(archive: tarfile.TarFile, path: Path, member: str) -> dict[str, Any]:
    with open(path, "rb") as handle:
        size = os.fstat(handle.fileno()).st_size
        reader = _Reader(handle)
        archive.addfile(_info(member, size), reader)
    return {"sha256": reader.digest.hexdigest(), "bytes": size}


def _info(member: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(member)
    info.size, info.mode, info.mtime = size, 0o644, int(time.time())
    return info


class _Reader:
    """A file as tarfile reads it, hashed on the way: each byte is read once."""

    def __init__(self, stream: BinaryIO) -> None:
        self.stream = stream
        self.digest = hashlib.sha256()

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.digest.update(chunk)
        return chunk


def _copy(source: BinaryIO, out: BinaryIO) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(source):
        digest.update(chunk)
        size += len(chunk)
        out.write(chunk)
    return digest.hexdigest(), size


def _chunks(source: BinaryIO) -> Iterator[bytes]:
    while chunk := source.read(CHUNK):
        yield chunk


def _size(count: int) -> str:
    return f"{count / 1_000_000:.1f} MB"
