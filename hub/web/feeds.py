"""Feeds by URL: each channel's last good files, for channels that pull them.

Protected by the channel's feed token (``?token=`` or ``Authorization: Bearer``), with
ETag / Last-Modified / 304, gzip when asked, and streamed from the destination.

A channel's files switch together, when their publication is recorded. A reader that needs one
consistent set of several files (an XML beside its TSV) reads ``/feeds/<channel>`` first: it
names the current publication and a URL per file pinned to it (``?publication=<id>``), which
serve that publication's files for as long as the destination keeps them.
"""

from __future__ import annotations

import hmac
import json
import zlib
from email.utils import format_datetime, parsedate_to_datetime
from typing import Iterator

from flask import Blueprint, Response, request, stream_with_context
from werkzeug.wsgi import wrap_file

from hub.errors import NotFound, Unauthorized
from hub.publishing.destinations import chunks, open_location
from hub.store.models import Channel
from hub.store.repos import CatalogRepo, PublicationRepo
from hub.web.auth import bearer_token
from hub.web.hub import session

blp = Blueprint("feeds", __name__)


def _gzip(stream: Iterator[bytes]) -> Iterator[bytes]:
    compressor = zlib.compressobj(6, zlib.DEFLATED, 16 + zlib.MAX_WBITS)  # 16+: a gzip header
    for chunk in stream:
        packed = compressor.compress(chunk)
        if packed:
            yield packed
    yield compressor.flush()


def _channel(code: str) -> Channel:
    found = CatalogRepo(session()).by_code(Channel, code)
    if found is None:
        raise NotFound(f"no channel '{code}'")
    given = request.args.get("token") or bearer_token() or ""
    if not hmac.compare_digest(given.encode(), found.feed_token.encode()):
        raise Unauthorized("this feed needs the channel's feed token (?token=... or Authorization: Bearer ...)")
    return found


@blp.route("/feeds/<channel>", methods=["GET"], endpoint="current")
def current(channel: str) -> Response:
    """The channel's current set of files: its publication, and each file's URL pinned to it."""
    found = _channel(channel)
    latest = PublicationRepo(session()).latest_succeeded(found.id)
    if latest is None:
        raise NotFound(f"channel '{channel}' has published nothing yet")
    body = {"publication": latest.id, "finished": latest.finished.isoformat() if latest.finished else None,
            "files": [{"name": f.name, "url": f"/feeds/{channel}/{f.name}?publication={latest.id}", "sha256": f.sha256,
                       "bytes": f.bytes, "content_type": f.content_type} for f in latest.files]}
    return Response(json.dumps(body), content_type="application/json", headers={"Cache-Control": "private, max-age=0"})


@blp.route("/feeds/<channel>/<filename>", methods=["GET", "HEAD"], endpoint="feed")
def feed(channel: str, filename: str) -> Response:
    found = _channel(channel)
    pinned = request.args.get("publication", type=int)
    latest = PublicationRepo(session()).latest_file(found.id, filename, publication_id=pinned)
    if latest is None:
        raise NotFound(f"channel '{channel}' has published no file '{filename}'" + (
            f" in publication {pinned}" if pinned else ""))
    publication, file = latest
    etag = f'"{file.sha256}"'
    modified = publication.finished
    headers = {"ETag": etag, "Last-Modified": format_datetime(modified, usegmt=True), "Cache-Control": "private, max-age=0",
               "Vary": "Accept-Encoding", "X-Crosscanal-Publication": str(publication.id)}
    if _not_modified(etag, modified):
        return Response(status=304, headers=headers)
    if request.method == "HEAD":
        return Response(status=200, headers={**headers, "Content-Length": str(file.bytes)}, content_type=file.content_type)
    try:
        stored = open_location(file.location)
    except NotFound:
        raise NotFound(f"publication {publication.id}'s files are no longer kept; read /feeds/{channel} again") from None
    if "gzip" in request.headers.get("Accept-Encoding", ""):
        return Response(stream_with_context(_gzip(chunks(stored))), content_type=file.content_type,
                        headers={**headers, "Content-Encoding": "gzip"})
    # Handed to the server whole: gunicorn and waitress send a file on disk with sendfile, and
    # read any other stream in blocks, without a Python generator between (a feed of 1.4 GB).
    return Response(wrap_file(request.environ, stored), direct_passthrough=True, content_type=file.content_type,
                    headers={**headers, "Content-Length": str(file.bytes)})


def _not_modified(etag: str, modified: object) -> bool:
    wanted = request.headers.get("If-None-Match")
    if wanted is not None:
        return etag in {tag.strip().removeprefix("W/") for tag in wanted.split(",")} or wanted.strip() == "*"
    since = request.headers.get("If-Modified-Since")
    if since:
        try:
            return modified.replace(microsecond=0) <= parsedate_to_datetime(since)  # type: ignore[attr-defined]
        except (TypeError, ValueError):
            return False
    return False
