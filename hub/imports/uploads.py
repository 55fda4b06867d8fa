"""Uploaded import files kept on disk between the upload and the job (and the UI's preview step):
each in its own folder ``<data dir>/imports/uploads/<random token>/``, as ``file.<format>`` (the
XLSX reader goes by the name's suffix) with the options it came with beside it.

A token is random and checked against its pattern before use, so no request can name a path of
its own choosing. An upload that is previewed but never imported is swept away a day later, when
a later upload arrives; a job marks its upload as in use when it starts.
"""

from __future__ import annotations

import json
import re
import secrets
import shutil
import time
from pathlib import Path
from typing import Any, BinaryIO, Callable

from hub.config import DEFAULT_IMPORT_MAX_BYTES
from hub.errors import HubError, NotFound
from hub.imports.errors import FileRefused
from hub.imports.formats import detect_format

ABANDONED_AFTER = 24 * 3600  # seconds: an upload nobody imported by then is deleted
CHUNK = 1 << 16
TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


class UploadTooLarge(HubError):
    """The uploaded file is bigger than an import may be."""

    status, title, type = 413, "File too large", "/problems/upload-too-large"


class Uploads:
    """The folder of uploads waiting for (or used by) an import job."""

    def __init__(self, data_dir: Path, max_bytes: int = DEFAULT_IMPORT_MAX_BYTES) -> None:
        self.folder = data_dir / "imports" / "uploads"
        self.max_bytes = max_bytes

    def save(self, stream: BinaryIO, options: dict[str, Any]) -> str:
        """Copy ``stream`` to a new upload and keep ``options`` (with ``filename``) beside it;
        answers its token. Raises UploadTooLarge (and keeps nothing) past ``max_bytes``."""
        self.sweep()
        token = secrets.token_urlsafe(24)
        folder = self.folder / token
        folder.mkdir(parents=True)
        path = folder / "file"
        size = 0
        try:
            with path.open("wb") as out:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > self.max_bytes:
                        raise UploadTooLarge(self.too_large())
                    out.write(chunk)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        try:
            fmt = options.get("format") or detect_format(path, options.get("filename"))
        except FileRefused:
            fmt = ""  # empty: the job reports it
        if fmt:
            path.rename(folder / f"file.{fmt}")
        self.write_options(token, options)
        return token

    def too_large(self) -> str:
        return (f"an import file may hold at most {self.limit}; "
                f"split the file, or import it with the `crosscanal import` command")

    @property
    def limit(self) -> str:
        """The size limit, as a person reads it."""
        for unit, size in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
            if self.max_bytes >= size:
                return f"{self.max_bytes / size:.4g} {unit}"
        return f"{self.max_bytes} bytes"

    def sweep(self, older_than: float = ABANDONED_AFTER) -> list[str]:
        """Delete uploads untouched for ``older_than`` seconds (previewed, never imported);
        answers their tokens."""
        if not self.folder.is_dir():
            return []
        cutoff = time.time() - older_than
        swept = []
        for folder in self.folder.iterdir():
            try:
                stale = TOKEN.match(folder.name) is not None and folder.is_dir() and folder.stat().st_mtime < cutoff
            except FileNotFoundError:  # another request swept it first
                continue
            if stale:
                shutil.rmtree(folder, ignore_errors=True)
                swept.append(folder.name)
        return swept

    def path(self, token: str) -> Path:
        """The upload's file; raises NotFound for a token that is malformed, used or cleaned up."""
        folder = self.folder / token if TOKEN.match(token or "") else None
        found = sorted(folder.glob("file*")) if folder is not None and folder.is_dir() else []
        if not found:
            raise NotFound("this upload is no longer here (it was imported or abandoned); upload the file again")
        return found[0]

    def options(self, token: str) -> dict[str, Any]:
        self.path(token)
        sidecar = self.folder / token / "options.json"
        return json.loads(sidecar.read_text("utf-8")) if sidecar.is_file() else {}

    def write_options(self, token: str, options: dict[str, Any]) -> None:
        (self.folder / token / "options.json").write_text(json.dumps(options), "utf-8")

    def discard(self, token: str) -> None:
        if TOKEN.match(token or ""):
            shutil.rmtree(self.folder / token, ignore_errors=True)

    def run_then_discard(self, run: Callable[[int, Path], Any], job_id: int, token: str) -> None:
        """Run the job on the upload, then delete the upload whatever happened (the report stays)."""
        try:
            path = self.path(token)
            path.parent.touch()  # in use: not swept for a day (and a file already open stays readable if it were)
            run(job_id, path)
        finally:
            self.discard(token)
