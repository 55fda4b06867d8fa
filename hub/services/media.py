"""Media files: stored under the data dir by content, so the same bytes are kept once."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import BinaryIO

from sqlalchemy.orm import Session

from hub.errors import NotFound, ValidationFailed
from hub.services.media_dimensions import dimension_refusal
from hub.services.media_svg import looks_like_svg, script_refusal
from hub.store.models import Media
from hub.store.repos import CatalogRepo

ALLOWED = {
    "image/jpeg": ".jpg", "image/png": ".png", "image/gif": ".gif", "image/webp": ".webp",
    "image/svg+xml": ".svg", "application/pdf": ".pdf",
}
MAX_BYTES = 25 * 1024 * 1024
_SIGNATURES = {b"\xff\xd8\xff": "image/jpeg", b"\x89PNG\r\n\x1a\n": "image/png", b"GIF8": "image/gif", b"%PDF": "application/pdf"}


def sniff(head: bytes) -> str | None:
    """The content type the bytes really are, so a file cannot claim to be what it is not."""
    for signature, kind in _SIGNATURES.items():
        if head.startswith(signature):
            return kind
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if looks_like_svg(head):
        return "image/svg+xml"
    return None


def store(session: Session, media_dir: Path, stream: BinaryIO, name: str = "") -> Media:
    """Save a file's bytes and record them; raises ValidationFailed for unknown or oversized files,
    images declaring too many pixels or with unreadable headers, and SVGs that can run script."""
    media_dir.mkdir(parents=True, exist_ok=True)
    digest = hashlib.sha256()
    size = 0
    handle, temp_name = tempfile.mkstemp(dir=media_dir, prefix=".upload-")
    try:
        with os.fdopen(handle, "wb") as out:
            head = b""
            while chunk := stream.read(1 << 16):
                if len(head) < 1024:
                    head += chunk[: 1024 - len(head)]
                size += len(chunk)
                if size > MAX_BYTES:
                    raise ValidationFailed(errors={"file": [f"larger than {MAX_BYTES // (1024 * 1024)} MiB"]})
                digest.update(chunk)
                out.write(chunk)
        kind = sniff(head)
        if kind is None:
            raise ValidationFailed(errors={"file": [f"'{name or 'the file'}' is not a JPEG, PNG, GIF, WebP, SVG or PDF"]})
        if (refusal := dimension_refusal(kind, Path(temp_name))) is not None:
            raise ValidationFailed(errors={"file": [f"'{name or 'the file'}' {refusal}"]})
        if kind == "image/svg+xml" and (refusal := script_refusal(Path(temp_name))) is not None:
            raise ValidationFailed(errors={"file": [f"'{name or 'the file'}' {refusal}"]})
        sha = digest.hexdigest()
        path = f"{sha[:2]}/{sha}{ALLOWED[kind]}"
        existing = CatalogRepo(session).media_by_path(path)
        if existing is not None:
            return existing
        target = media_dir / path
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(temp_name, target)
        media = Media(path=path, content_type=kind, size=size, sha256=sha)
        CatalogRepo(session).add(media)
        return media
    finally:
        if os.path.exists(temp_name):
            os.unlink(temp_name)


def locate(session: Session, media_dir: Path, path: str) -> tuple[Path, Media]:
    """The file behind a media path; raises NotFound."""
    media = CatalogRepo(session).media_by_path(path)
    if media is None or not (media_dir / media.path).is_file():
        raise NotFound(f"no media file '{path}'")
    return media_dir / media.path, media
