"""Where rendered files go: a local folder or S3. Writes are atomic: readers see the old file
or the new one, never a torn one."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Iterator, Protocol
from urllib.parse import urlsplit

import boto3
from botocore.exceptions import BotoCoreError, ClientError

from hub.errors import HubError, NotFound


class DestinationError(HubError):
    """The destination refused a write or a read (a full disk, a missing bucket, bad credentials)."""

    status, title, type = 502, "Destination error", "/problems/destination"


CHUNK = 1 << 16


class Destination(Protocol):
    def put(self, channel: str, name: str, source: Path, content_type: str) -> str:
        """Publish ``source`` as the channel's file ``name``; answers its location."""
        ...

    def open(self, location: str) -> BinaryIO:
        """A stream of a published file; raises NotFound."""
        ...


@dataclass(frozen=True)
class FolderDestination:
    root: Path

    def put(self, channel: str, name: str, source: Path, content_type: str) -> str:
        target = self.root / channel / name
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{name}.{os.getpid()}.partial")
        try:
            try:
                os.link(source, temporary)  # the rendered file is not written again: no copy
            except OSError:  # another file system (or one without links)
                shutil.copyfile(source, temporary)
            with open(temporary, "rb+") as handle:
                os.fsync(handle.fileno())
            os.replace(temporary, target)  # atomic on one file system
        except OSError as exc:
            raise DestinationError(f"could not write {target}: {exc}") from exc
        finally:
            temporary.unlink(missing_ok=True)
        return str(target)

    def open(self, location: str) -> BinaryIO:
        try:
            return open(location, "rb")
        except FileNotFoundError:
            raise NotFound("the published file is gone from the destination") from None


@dataclass(frozen=True)
class S3Destination:
    bucket: str
    prefix: str

    def _client(self):  # type: ignore[no-untyped-def]
        # boto3 reads AWS_ENDPOINT_URL and the credentials from its own environment variables.
        return boto3.client("s3")

    def put(self, channel: str, name: str, source: Path, content_type: str) -> str:
        key = "/".join(part for part in (self.prefix, channel, name) if part)
        try:
            # An S3 object appears only once its upload completes: readers never see half of it.
            self._client().upload_file(str(source), self.bucket, key, ExtraArgs={"ContentType": content_type})
        except (BotoCoreError, ClientError) as exc:
            raise DestinationError(f"could not upload s3://{self.bucket}/{key}: {exc}") from exc
        return f"s3://{self.bucket}/{key}"

    def open(self, location: str) -> BinaryIO:
        parts = urlsplit(location)
        try:
            return self._client().get_object(Bucket=parts.netloc, Key=parts.path.lstrip("/"))["Body"]
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise NotFound("the published file is gone from the destination") from exc
            raise DestinationError(f"could not read {location}: {exc}") from exc
        except BotoCoreError as exc:
            raise DestinationError(f"could not read {location}: {exc}") from exc


def destination_for(url: str) -> Destination:
    """``s3://bucket/prefix`` or a folder path."""
    if url.startswith("s3://"):
        parts = urlsplit(url)
        if not parts.netloc:
            raise DestinationError(f"'{url}' names no bucket")
        return S3Destination(parts.netloc, parts.path.strip("/"))
    return FolderDestination(Path(url))


def open_location(location: str) -> BinaryIO:
    """Read a published file wherever it was put."""
    if location.startswith("s3://"):
        return destination_for(location).open(location)
    return FolderDestination(Path(location).parent).open(location)


def put_location(location: str, source: Path, content_type: str) -> None:
    """Write ``source`` back as the published file at ``location`` (as ``put`` made it), as
    atomically as ``put`` (``crosscanal restore``); raises DestinationError."""
    if location.startswith("s3://"):
        parts = urlsplit(location)
        *prefix, channel, name = parts.path.strip("/").split("/")
        S3Destination(parts.netloc, "/".join(prefix)).put(channel, name, source, content_type)
        return
    target = Path(location)
    FolderDestination(target.parent.parent).put(target.parent.name, target.name, source, content_type)


def chunks(stream: BinaryIO) -> Iterator[bytes]:
    try:
        while chunk := stream.read(CHUNK):
            yield chunk
    finally:
        stream.close()
