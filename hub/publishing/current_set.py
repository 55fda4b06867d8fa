"""Making a publication's files the channel's current set in its destination, for readers of the
destination itself: ``current.json`` names the set (one write), the plain names follow, and
versions past the retention count go (``hub.publishing.destinations``). The hub's own feed URLs
need none of this: they serve the newest recorded publication's files.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import orjson
from sqlalchemy.orm import Session

from hub.config import Settings
from hub.publishing.destinations import POINTER, destination_for, version_of
from hub.store.models import Publication
from hub.store.publication_items import last_succeeded


def make_current(settings: Settings, session: Session, publication: Publication, *, restored: bool = False) -> None:
    """Point the channel's destination at ``publication``'s files and drop the versions past the
    retention count; ``restored`` (``crosscanal restore``): drop instead the versions of
    publications after it, which the restored database never made (their numbers come again).
    Raises HubError, OSError or SQLAlchemyError."""
    channel = publication.channel
    destination = destination_for(channel.destination or settings.publish_url)
    current = version_of(publication.id)
    pointer = {"publication": publication.id, "finished": publication.finished.isoformat() if publication.finished else None,
               "files": {f.name: {"path": f"{current}/{f.name}", "sha256": f.sha256, "bytes": f.bytes,
                                  "content_type": f.content_type} for f in publication.files}}
    staging = settings.data_dir / "tmp"
    staging.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=staging, suffix=".json") as staged:
        staged.write(orjson.dumps(pointer, option=orjson.OPT_INDENT_2))
        staged.flush()
        destination.put(channel.code, POINTER, Path(staged.name), "application/json")
    for file in publication.files:
        destination.alias(channel.code, file.name, file.location, file.content_type)
    keep = {version_of(p.id) for p in last_succeeded(session, channel.id, settings.feed_versions)} | {current}
    for version in destination.versions(channel.code):
        if (version > current) if restored else (version not in keep and version < current):
            destination.drop(channel.code, version)
